"""Command line: ``python -m bookcheck run|identify|matrix|bless``."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .bless import bless
from .build import BuildError, build_examples
from .check import Book, check_all, failure_report
from .config import ConfigError, normalisation_rules
from .interpreter import describe, format_report
from .report import format_matrix, load_results, write_results


def _paths(args) -> dict:
    root = Path(args.root).resolve()
    source = root / "doc" / "sphinx" / "source"
    return {"root": root, "source": source, "conf": source / "conf.py",
            "examples": root / "examples" / "c",
            "cache": Path(os.environ.get("BOOKCHECK_CACHE", root / ".cache" / "examples")),
            "results": Path(args.results) if args.results else root / ".results"}


def _page(root: Path, name: str) -> Path:
    for candidate in (Path(name), root / name):
        if candidate.is_file():
            return candidate
    raise ConfigError(f"{name}: no such page (give a path to an .rst file, relative to the "
                      "current directory or to --root)")


def cmd_run(args) -> int:
    paths = _paths(args)
    env = args.env or os.environ.get("TOX_ENV_NAME") or "local"
    build_dir, _ = build_examples(paths["examples"], paths["cache"])
    interpreter = describe(build_dir)
    pages = [_page(paths["root"], p) for p in args.page]
    book = Book(paths["root"], paths["source"], paths["examples"],
                normalisation_rules(paths["conf"]), pages)
    results = check_all(book, interpreter, build_dir, args.jobs)
    target = write_results(results, env, paths["results"])
    counts = {s: sum(r["status"] == s for r in results["blocks"])
              for s in ("pass", "fail", "n/a", "error")}
    for record in results["blocks"]:
        if record["status"] in ("fail", "error"):
            print(failure_report(record, interpreter, env), end="\n\n")
    print(f"{env}: {interpreter['label']} ({interpreter['path']})")
    print(f"{env}: {counts['pass']} passed, {counts['fail'] + counts['error']} failed, "
          f"{counts['n/a']} not applicable; results in {target}")
    return 1 if counts["fail"] or counts["error"] else 0


def cmd_identify(args) -> int:
    paths = _paths(args)
    build_dir, _ = build_examples(paths["examples"], paths["cache"], quiet=True)
    info = describe(build_dir)
    print(json.dumps(info, indent=1) if args.json else format_report(info))
    return 0


def cmd_matrix(args) -> int:
    paths = _paths(args)
    files = sorted(paths["results"].glob("*.json"))
    if args.envs:
        files = [paths["results"] / f"{e}.json" for e in args.envs.split(",") if e]
    missing = [f for f in files if not f.exists()]
    if not files or missing:
        print(f"no results for {', '.join(map(str, missing)) or paths['results']}: "
              "run 'make test' first", file=sys.stderr)
        return 2
    skipped = [e for e in (args.skipped or "").split(",") if e]
    text, problems = format_matrix(load_results(files), skipped, args.partial)
    print(text)
    return 1 if problems else 0


def cmd_bless(args) -> int:
    paths = _paths(args)
    files = sorted(paths["results"].glob("*.json"))
    if args.envs:
        files = [f for f in files if f.stem in args.envs.split(",")]
    if not files:
        print(f"no results in {paths['results']}: run the checks first", file=sys.stderr)
        return 2
    results = load_results(files)
    if args.page:  # only these pages' blocks
        wanted = {_page(paths["root"], p).resolve() for p in args.page}
        for result in results:
            result["blocks"] = [r for r in result["blocks"]
                                if (paths["root"] / r["page"]).resolve() in wanted]
    return bless(results, paths["root"], normalisation_rules(paths["conf"]), args.check)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bookcheck", description=__doc__)
    parser.add_argument("--root", default=os.environ.get("BOOKCHECK_ROOT", "."),
                        help="the repository (default: $BOOKCHECK_ROOT or .)")
    parser.add_argument("--results", help="results directory (default: ROOT/.results)")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="check the transcripts on this interpreter")
    run.add_argument("--env", help="name of the results (default: $TOX_ENV_NAME)")
    run.add_argument("--jobs", type=int, default=0, help="blocks run at once (default: cores)")
    run.add_argument("page", nargs="*", help="only these pages")
    ident = sub.add_parser("identify", help="print what this interpreter is")
    ident.add_argument("--json", action="store_true")
    matrix = sub.add_parser("matrix", help="merge results into a block-by-interpreter matrix")
    matrix.add_argument("--envs", help="comma-separated environments to merge (default: all)")
    matrix.add_argument("--skipped", help="comma-separated environments with no interpreter")
    matrix.add_argument("--partial", action="store_true",
                        help="some environments were left out on purpose: list blocks no "
                             "interpreter checked, but do not fail on them")
    blessing = sub.add_parser("bless", help="rewrite failing blocks with the actual output")
    blessing.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    blessing.add_argument("--envs", help="comma-separated environments whose results to use")
    blessing.add_argument("page", nargs="*", help="only these pages")
    args = parser.parse_args(argv)
    try:
        return {"run": cmd_run, "identify": cmd_identify, "matrix": cmd_matrix,
                "bless": cmd_bless}[args.command](args)
    except (BuildError, ConfigError) as exc:
        print(f"bookcheck: {exc}", file=sys.stderr)
        return 2
