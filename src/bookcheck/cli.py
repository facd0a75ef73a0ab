"""Command line: ``python -m bookcheck read|run|identify|matrix|bless``."""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
import threading
from pathlib import Path

from . import ledger
from . import results as store
from .bless import BlessError, bless
from .build import BuildError, build_examples
from .check import Plan, check_all, failure_report
from .config import DEFAULT_CONF, ConfigError, normalisation_rules, read_layout
from .interpreter import describe, format_report
from .report import format_matrix, junit_xml
from .sessions import Runner
from .blocklist import load_blocks, read_book


def _paths(args) -> dict:
    """The book's parts, from conf.py's settings (bookcheck.config owns their defaults)."""
    conf = Path(args.conf) if args.conf else Path(args.root) / DEFAULT_CONF
    layout = read_layout(conf)
    return {"root": layout.root, "source": layout.source, "conf": layout.conf,
            "examples": layout.examples, "warning_flags": layout.warning_flags,
            "ledger": layout.ledger, "bless_command": layout.bless_command,
            "cache": Path(os.environ.get("BOOKCHECK_CACHE", layout.root / ".cache" / "examples")),
            "results": Path(args.results) if args.results else layout.results}


def _build(paths: dict, quiet: bool = False):
    return build_examples(paths["examples"], paths["cache"], quiet, paths["warning_flags"])


def cmd_read(args) -> int:
    paths = _paths(args)
    listing = read_book(paths["root"], paths["source"], args.page)
    store.write_atomically(Path(args.out), json.dumps(listing, indent=1) + "\n")
    return 0


def cmd_run(args) -> int:
    paths = _paths(args)
    env = args.env or os.environ.get("TOX_ENV_NAME") or "local"
    listing = load_blocks(args.blocks, paths, args.page)
    build_dir, digest = _build(paths)
    interpreter = describe(build_dir)
    plan = Plan(*listing.blocks_and_errors(), interpreter,
                normalisation_rules(paths["conf"]), digest,
                args.run or os.environ.get("BOOKCHECK_RUN") or secrets.token_hex(6),
                args.force or bool(os.environ.get("BOOKCHECK_FORCE")))
    reusable = store.previous(paths["results"], env)
    records = check_all(plan, Runner(interpreter["path"], build_dir, paths["root"]), reusable)
    merged = store.update(paths["results"], env, interpreter, listing.pages, records)
    store.write_atomically(paths["results"] / f"{env}.junit.xml", junit_xml(merged))
    counts = {s: sum(r.status == s for r in records) for s in store.Status}
    for record in records:
        if record.status.failed:
            print(failure_report(record, interpreter, env, paths["bless_command"]), end="\n\n")
    reused = sum(r.run != plan.run for r in records)
    print(f"{env}: {interpreter['label']} ({interpreter['path']})")
    print(f"{env}: {counts[store.Status.PASS]} passed, "
          f"{counts[store.Status.FAIL] + counts[store.Status.ERROR]} failed, "
          f"{counts[store.Status.NOT_APPLICABLE]} not applicable"
          + (f" ({reused} unchanged since their last check, not run again)" if reused else "")
          + f"; results in {store.path_of(paths['results'], env)}")
    return 1 if counts[store.Status.FAIL] or counts[store.Status.ERROR] else 0


def cmd_identify(args) -> int:
    paths = _paths(args)
    build_dir, _ = _build(paths, quiet=True)
    info = describe(build_dir)
    print(json.dumps(info, indent=1) if args.json else format_report(info))
    return 0


def cmd_matrix(args) -> int:
    paths = _paths(args)
    envs = [e for e in args.envs.split(",") if e] if args.envs else None
    found = store.load_all(paths["results"], envs)
    missing = sorted(set(envs or []) - {r.env for r in found})
    if not found or missing:
        print(f"no results for {', '.join(missing) or paths['results']}: check the book "
              "first ('python -m bookcheck run --env NAME' with each interpreter)",
              file=sys.stderr)
        return 2
    skipped = [e for e in (args.skipped or "").split(",") if e]
    text, problems = format_matrix(found, skipped, args.partial)
    print(text)
    stale = [r for r in found if args.since and store.updated_before(r, args.since)]
    for results in stale:
        print(f"{results.env}: its check did not finish in this run; these results are from "
              f"{results.updated or 'an earlier run'} (see its output above)")
    return 1 if problems or stale else 0


def ledger_path(paths: dict) -> Path:
    """``bookcheck_ledger`` of conf.py, relative to it (default: verification-ledger.json)."""
    return paths["ledger"]


def cmd_ledger(args) -> int:
    paths = _paths(args)
    envs = [e for e in args.envs.split(",") if e] if args.envs else None
    runs = store.load_all(paths["results"], envs)
    if not runs:
        print(f"no results in {paths['results']}: check the book first ('python -m "
              "bookcheck run --env NAME' with each interpreter)", file=sys.stderr)
        return 2
    target = ledger_path(paths)
    updated = ledger.update(ledger.load(target), runs, ledger.commit_of(paths["root"]))
    ledger.write(target, updated)
    print(f"verification ledger: {len(updated['blocks'])} blocks, "
          f"{len(updated['environments'])} interpreters; {', '.join(r.env for r in runs)} "
          f"updated in {target}")
    return 0


def cmd_bless(args) -> int:
    paths = _paths(args)
    envs = [e for e in args.envs.split(",") if e] if args.envs else None
    return bless(paths, envs, args.run, args.page, args.check)


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="bookcheck", description=__doc__)
    main_parser.add_argument("--root", default=os.environ.get("BOOKCHECK_ROOT", "."),
                             help="the repository, where conf.py is looked for when --conf "
                             "is not given (default: $BOOKCHECK_ROOT or .)")
    main_parser.add_argument("--conf", default=os.environ.get("BOOKCHECK_CONF"),
                             help="the book's Sphinx conf.py, whose bookcheck_* settings say "
                             f"where everything is (default: $BOOKCHECK_CONF or ROOT/{DEFAULT_CONF})")
    main_parser.add_argument("--results", help="results directory (default: the "
                             "bookcheck_results_dir of conf.py)")
    sub = main_parser.add_subparsers(dest="command", required=True)
    read = sub.add_parser("read", help="read the pages with docutils (in the tools venv) "
                          "and write their transcript blocks as JSON for 'run --blocks'")
    read.add_argument("--out", required=True, help="the JSON file to write")
    read.add_argument("page", nargs="*", help="only these pages")
    run = sub.add_parser("run", help="check the transcripts on this interpreter")
    run.add_argument("--env", help="name of the results (default: $TOX_ENV_NAME)")
    run.add_argument("--blocks", help="the JSON of 'bookcheck read' (needed where docutils "
                     "is not installed, as in the interpreters under test)")
    run.add_argument("--force", action="store_true",
                     help="run every block, even those unchanged since their last check "
                     "($BOOKCHECK_FORCE)")
    run.add_argument("--run", help="an id stored with each record ($BOOKCHECK_RUN)")
    run.add_argument("page", nargs="*", help="only these pages")
    ident = sub.add_parser("identify", help="print what this interpreter is")
    ident.add_argument("--json", action="store_true")
    matrix = sub.add_parser("matrix", help="merge results into a block-by-interpreter matrix")
    matrix.add_argument("--envs", help="comma-separated environments to merge (default: all)")
    matrix.add_argument("--skipped", help="comma-separated environments with no interpreter")
    matrix.add_argument("--since", type=float, help="the run's start (seconds since the epoch):"
                        " results not updated since then fail, as their check did not finish")
    matrix.add_argument("--partial", action="store_true",
                        help="some environments were left out on purpose: list blocks no "
                             "interpreter checked, but do not fail on them")
    keep = sub.add_parser("ledger", help="write the results of these environments into "
                          "the verification ledger committed with the book")
    keep.add_argument("--envs", help="comma-separated environments (default: every result)")
    blessing = sub.add_parser("bless", help="rewrite failing blocks with the actual output")
    blessing.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    blessing.add_argument("--envs", help="comma-separated environments whose results to use")
    blessing.add_argument("--run", help="use only the records of this run (the Makefile "
                          "passes the run it just made); refuse when one is missing")
    blessing.add_argument("page", nargs="*", help="only these pages")
    return main_parser


def _terminate(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    previous = None
    if threading.current_thread() is threading.main_thread():
        # tox stops a run with SIGINT, then SIGTERM: both stop the sessions at once.
        previous = signal.signal(signal.SIGTERM, _terminate)
    commands = {"read": cmd_read, "run": cmd_run, "identify": cmd_identify,
                "matrix": cmd_matrix, "bless": cmd_bless, "ledger": cmd_ledger}
    try:
        return commands[args.command](args)
    except (BuildError, ConfigError, store.ResultsError, BlessError) as exc:
        print(f"bookcheck: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bookcheck: interrupted; every session was stopped and no results were "
              "written", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
