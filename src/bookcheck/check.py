"""Checks every transcript block that applies to the running interpreter."""
from __future__ import annotations

import os
import shlex
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .compare import first_difference, matches, unified_diff
from .config import Rule, builds_root
from .model import Block, BlockError
from .pages import find_pages, read_blocks
from .runner import Runner


@dataclass
class Book:
    root: Path  # the repository: page paths are shown relative to it
    source_dir: Path
    examples_dir: Path
    rules: list[Rule]
    pages: list[Path] = field(default_factory=list)

    def display(self, page: Path) -> str:
        try:
            return str(page.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(page)


def collect_blocks(book: Book) -> tuple[list[Block], list[BlockError]]:
    blocks, errors = [], []
    for page in book.pages or find_pages(book.source_dir):
        try:
            blocks.extend(read_blocks(page, book.display(page)))
        except BlockError as exc:
            errors.append(exc)
    return blocks, errors


def applicability(block: Block, interpreter: dict) -> tuple[bool, str]:
    """Whether a block runs on this interpreter, and why not: its conditions, then the
    builds its commands call by path."""
    applies, why = block.conditions.applies_to(tuple(interpreter["version_info"]),
                                               interpreter["traits"])
    missing = [b for b in block.needs if not (builds_root() / f"cpython-{b}" / "bin" /
                                              "python3").exists()]
    if applies and missing:
        return False, "needs " + ", ".join(
            f"the {b} build (make python VERSION={b.split('-', 1)[0]} "
            f"VARIANT={b.split('-', 1)[1]})" for b in missing)
    return applies, why


def check_block(block: Block, runner: Runner, interpreter: dict, rules: list[Rule]) -> dict:
    record = {"page": block.path, "line": block.line, "kind": block.kind, "key": block.key,
              "content_start": block.content_start, "content_end": block.content_end,
              "expected": "\n".join(block.content) + "\n",
              "expected_outcome": block.expect.describe(), "unchecked": block.unchecked,
              "conditions": block.describe_conditions()}
    applies, why = applicability(block, interpreter)
    if not applies:
        return {**record, "status": "n/a", "why": why}
    actual = runner.run(block)
    outcome_ok = (actual.outcome.kind == block.expect.kind
                  and (block.expect.kind == "ok" or actual.outcome.value == block.expect.value))
    text_ok = matches(record["expected"], actual.transcript, rules)
    record.update(actual=actual.transcript, outcome=actual.outcome.describe(),
                  seconds=round(actual.seconds, 3),
                  status="pass" if outcome_ok and text_ok else "fail")
    if not text_ok:
        record["diff"] = unified_diff(record["expected"], actual.transcript, rules,
                                      block.path, block.content_start)
        record["diff_line"] = block.content_start + first_difference(
            record["expected"], actual.transcript, rules)
    if not outcome_ok:
        record["why"] = (f"expected the session {block.expect.describe()}, but it "
                         f"{actual.outcome.describe()}")
    return record


def check_all(book: Book, interpreter: dict, examples_build: Path, jobs: int = 0) -> dict:
    blocks, errors = collect_blocks(book)
    runner = Runner(interpreter["path"], examples_build, book.root)
    try:
        with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
            records = list(pool.map(lambda b: check_block(b, runner, interpreter, book.rules),
                                    blocks))
    finally:
        shutil.rmtree(runner.workdir, ignore_errors=True)
    for error in errors:
        records.append({"page": error.path, "line": error.line, "status": "error",
                        "why": error.message, "key": "", "kind": "malformed"})
    return {"interpreter": interpreter, "blocks": records}


def failure_report(record: dict, interpreter: dict, env: str) -> str:
    where = f"{record['page']}:{record['line']}"
    if record["status"] == "error":
        return f"ERROR {where}: malformed block: {record['why']}"
    traits = ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in interpreter["traits"].items())
    if record.get("diff_line"):
        where = f"{record['page']}:{record['diff_line']} (in the block at line {record['line']})"
    lines = [f"FAIL {where} ({record['kind']}-session) on {interpreter['label']}",
             f"  interpreter: {interpreter['path']} ({traits})"]
    if record.get("why"):
        lines.append(f"  {record['why']}")
    if record.get("diff"):
        lines += ["  " + line for line in record["diff"].rstrip("\n").split("\n")]
    lines.append(f"  to accept what this interpreter prints: make bless ENVS={shlex.quote(env)}")
    return "\n".join(lines)
