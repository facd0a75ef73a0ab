"""Checks every transcript block that applies to the running interpreter.

A block whose text, interpreter, compiled examples and rules are unchanged since its
last check keeps that record without running, unless the run is forced (bless always
forces: it never trusts an old record). Ctrl-C or SIGTERM (turned into KeyboardInterrupt
by the command line) kills every running session's process tree and stops the run.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from .compare import compare
from .config import DEFAULTS, Rule, builds_root
from .model import Block, BlockError
from .results import Record, Status, cut, now
from .sessions import Runner
from .terminal import Interrupted, adopt_orphans, kill_all, kill_orphans

ENGINE = "2"  # bumped when a change of the checker changes what a check means
DIFF_CHARS = 20_000  # a diff is for reading: the output itself is kept in the record


@dataclass
class Plan:
    """What one run checks and with what."""
    blocks: list[Block]
    errors: list[BlockError]
    interpreter: dict
    rules: list[Rule]
    examples_digest: str
    run: str
    force: bool = False


def applicability(block: Block, interpreter: dict) -> tuple[bool, str]:
    """Whether a block runs on this interpreter, and why not: its conditions, then the
    builds its commands call by path."""
    version = re.match(r"[\d.]*\d(?:(?:a|b|rc)\d+)?", interpreter["version"])[0]
    applies, why = block.applies_to(version, interpreter["traits"])
    missing = [b for b in block.needs if not (builds_root() / f"cpython-{b}" / "bin" /
                                              "python3").exists()]
    if applies and missing:
        return False, "needs " + ", ".join(
            f"the {b} build (make python VERSION={b.split('-', 1)[0]} "
            f"VARIANT={b.split('-', 1)[1]})" for b in missing)
    return applies, why


def fingerprint(block: Block, plan: Plan) -> str:
    rules = [(r.name, r.pattern.pattern, r.replacement) for r in plan.rules]
    needs = [(b, (builds_root() / f"cpython-{b}").exists()) for b in block.needs]
    parts = [ENGINE, block.path, block.key, plan.examples_digest, json.dumps(rules),
             json.dumps(needs), plan.interpreter["path"], plan.interpreter["version"],
             json.dumps(plan.interpreter["traits"], sort_keys=True)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def base_record(block: Block, plan: Plan) -> Record:
    return Record(page=block.path, line=block.line, key=block.key, kind=block.kind,
                  revision=block.revision, status=Status.NOT_APPLICABLE,
                  fingerprint=fingerprint(block, plan),
                  run=plan.run, checked=now(), content_start=block.content_start,
                  content_end=block.content_end, expected="\n".join(block.content) + "\n",
                  expected_outcome=block.expect.describe(expected=True),
                  unchecked=block.unchecked, conditions=block.describe_conditions())


def check_block(block: Block, runner: Runner, plan: Plan) -> Record:
    record = base_record(block, plan)
    applies, why = applicability(block, plan.interpreter)
    if not applies:
        record.why = why
        return record
    actual = runner.run(block)
    comparison = compare(record.expected, actual.transcript, plan.rules)
    outcome_ok = actual.outcome.satisfies(block.expect)
    record.actual, record.truncated = cut(actual.transcript)
    record.outcome = actual.outcome.describe()
    record.seconds = round(actual.seconds, 3)
    record.status = Status.PASS if outcome_ok and comparison.matched else Status.FAIL
    record.outcome_only = comparison.matched and not outcome_ok
    if not comparison.matched:
        record.diff, _ = cut(comparison.diff(block.path, block.content_start), DIFF_CHARS)
        record.diff_line = block.content_start + comparison.first_difference
    if not outcome_ok:
        record.why = (f"expected the session {block.expect.describe(expected=True)}, "
                      f"but it {actual.outcome.describe()}")
    return record


def check_all(plan: Plan, runner: Runner, reusable: dict) -> list[Record]:
    """Records of every block of the plan; interrupted runs raise KeyboardInterrupt."""
    def one(block: Block) -> Record:
        if not plan.force:
            old = reusable.get((block.path, fingerprint(block, plan)))
            if old is not None and old.status != Status.ERROR and old.outcome != "timed out":
                return replace(old, line=block.line, content_start=block.content_start,
                               content_end=block.content_end)
        return check_block(block, runner, plan)

    variants, overlapping = expand(plan)
    adopt_orphans()
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
    try:
        records = list(pool.map(one, variants))
    except (KeyboardInterrupt, Interrupted, SystemExit):
        kill_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise KeyboardInterrupt from None
    finally:
        pool.shutdown(wait=True)
        kill_orphans()
        shutil.rmtree(runner.workdir, ignore_errors=True)
    for record in records:
        if (record.page, record.line) in overlapping and record.status != Status.NOT_APPLICABLE:
            record.status, record.why = Status.ERROR, overlapping[(record.page, record.line)]
    for error in plan.errors:
        records.append(Record(page=error.path, line=error.line, key="", kind="malformed",
                              status=Status.ERROR, why=error.message, run=plan.run,
                              checked=now()))
    return records


def expand(plan: Plan) -> tuple[list[Block], dict]:
    """Every variant of every block, and the blocks of which more than one revision
    applies to this interpreter (an error: which output would it be held to?)."""
    variants, overlapping = [], {}
    for block in plan.blocks:
        found = block.variants()
        variants += found
        applying = [v.revision for v in found if v.revision
                    and applicability(v, plan.interpreter)[0]]
        if len(applying) > 1:
            overlapping[(block.path, block.line)] = (
                f"revisions {', '.join(map(repr, applying))} all apply to "
                f"{plan.interpreter['label']}: narrow their :python: or :build: so one does")
    return variants, overlapping


def failure_report(record: Record, interpreter: dict, env: str,
                   bless_command: str = DEFAULTS["bookcheck_bless_command"]) -> str:
    where = record.where
    if record.status == Status.ERROR:
        return f"ERROR {where}: malformed block: {record.why}"
    traits = ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in interpreter["traits"].items())
    if record.diff_line:
        where = f"{record.page}:{record.diff_line} (in the block at line {record.line})"
    revision = f", revision {record.revision!r}" if record.revision else ""
    lines = [f"FAIL {where} ({record.kind}-session{revision}) on {interpreter['label']}",
             f"  interpreter: {interpreter['path']} ({traits})"]
    if record.why:
        lines.append(f"  {record.why}")
    if record.diff:
        diff = record.diff.rstrip("\n").split("\n")
        lines += ["  " + line for line in diff[:200]]
        if len(diff) > 200 or record.truncated:
            lines.append(f"  [the output is cut here: {len(diff)} diff lines"
                         + (", output longer than the results keep" if record.truncated else "")
                         + "]")
    if record.outcome_only:
        lines.append("  the output matches; only how the session ended differs: change the "
                     "block's :expect: (bless cannot do this for you)")
    else:
        command = bless_command.format(python=shlex.quote(interpreter["path"]),
                                       env=shlex.quote(env), page=shlex.quote(record.page))
        lines.append(f"  to accept what this interpreter prints: {command}")
    return "\n".join(lines)
