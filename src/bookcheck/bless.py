"""Rewrites the expected output of failing blocks with what an interpreter printed.

Only the content lines of a failing block change; every other byte of the page is kept,
and each page is written atomically. A block edited since the results were made is left
alone, so nothing a person wrote in between is lost.
"""
from __future__ import annotations

from pathlib import Path

from .compare import keep_what_still_matches, matches
from .config import Rule
from .pages import parse_blocks
from .report import write_atomically


class Stale:
    def __init__(self, page: str, line: int, key: str, env: str, actual: str):
        self.page, self.line, self.key, self.env, self.actual = page, line, key, env, actual


def stale_blocks(all_results: list[dict], rules: list[Rule]) -> tuple[list[Stale], list[str]]:
    """Failing blocks with the output to write, and the blocks that cannot be blessed."""
    failing: dict = {}
    for results in sorted(all_results, key=lambda r: r["env"]):
        for record in results["blocks"]:
            if record["status"] == "fail":
                failing.setdefault((record["page"], record["line"], record["key"]),
                                   []).append((results["env"], record))
    stale, problems = [], []
    for (page, line, key), candidates in sorted(failing.items()):
        env, first = candidates[0]
        lost = [i for i in _statements(first["expected"]) if i not in _statements(first["actual"])]
        if lost:
            problems.append(f"{page}:{line}: the session stopped ({first.get('outcome', '?')}) "
                            f"before {lost[0]!r}; blessing would delete what you wrote after "
                            "it: fix the session, or remove those lines yourself")
            continue
        text = keep_what_still_matches(first["expected"], first["actual"], rules)
        if not all(matches(text, record["actual"], rules) for _, record in candidates):
            envs = ", ".join(env for env, _ in candidates)
            problems.append(f"{page}:{line}: interpreters {envs} print different output for "
                            "this block: narrow its :python: or :build: so each applies to "
                            "one kind of build, or put [...] where they differ, then bless again")
            continue
        stale.append(Stale(page, line, key, env, text))
    return stale, problems


def _statements(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.startswith((">>>", "$ "))]


def rewrite_page(path: Path, display: str, items: list[Stale]) -> list[str]:
    """Rewrite the given blocks of one page; returns messages for blocks left alone."""
    text = path.read_bytes().decode("utf-8")
    lines = text.splitlines(keepends=True)
    blocks = {b.line: b for b in parse_blocks(text, display)}
    skipped = []
    for item in sorted(items, key=lambda i: i.line, reverse=True):
        block = blocks.get(item.line)
        if block is None or block.key != item.key:
            skipped.append(f"{display}:{item.line}: the block changed since it was checked; "
                           "run the checks again before blessing")
            continue
        first, last = block.content_start - 1, block.content_end - 1
        indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
        ending = lines[last][len(lines[last].rstrip("\r\n")):] or "\n"
        new = [(indent + out).rstrip() + ending for out in item.actual.rstrip("\n").split("\n")]
        lines[first:last + 1] = new
        print(f"blessed: {display}:{item.line} with the output of {item.env}")
    updated = "".join(lines)
    if updated != text:
        write_atomically(path, updated)
    return skipped


def bless(all_results: list[dict], root: Path, rules: list[Rule], check_only: bool) -> int:
    stale, problems = stale_blocks(all_results, rules)
    if check_only:
        for item in stale:
            print(f"stale: {item.page}:{item.line} (what {item.env} prints differs)")
    else:
        pages: dict = {}
        for item in stale:
            pages.setdefault(item.page, []).append(item)
        for page, items in pages.items():
            problems += rewrite_page(root / page, page, items)
    for problem in problems:
        print(f"cannot bless {problem}")
    if not stale and not problems:
        print("nothing to bless: every checked block matches")
    if check_only:
        return 1 if stale or problems else 0
    return 1 if problems else 0
