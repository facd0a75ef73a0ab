"""Rewrites the expected output of failing blocks with what one run printed.

Bless uses only the records of the run it is given (the Makefile runs the checks first
and passes that run's id), so it never trusts old results. The text it writes is one
run's output, with the author's ``[...]`` lines kept where they matched
(:meth:`bookcheck.compare.Comparison.blessed`); it must match what every other
interpreter of the run printed, or the block is refused. Only the content lines of a
failing block change; the page keeps every other byte, its mode, its final newline and
its links (the target is written), and a failed write leaves nothing behind.
"""
from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import results as store
from .compare import compare
from .config import normalisation_rules
from .transcript import prompt_like, steps_of


class BlessError(Exception):
    """Nothing can be blessed: the message says why and what to do."""


@dataclass
class Stale:
    page: str
    line: int
    key: str
    env: str
    text: str  # the content to write


def _fresh(paths: dict, envs, run: str | None, pages: list[str]) -> list[store.EnvResults]:
    if not run:
        raise BlessError("bless needs the run to take output from (--run ID): check the "
                         "pages with 'python -m bookcheck run --force --run ID' on each "
                         "interpreter, then pass the same ID; old results are never used")
    found = store.load_all(paths["results"], envs)
    missing = [e for e in (envs or []) if e not in {r.env for r in found}]
    for results in found:
        results.records = [r for r in results.records if r.run == run
                           and (not pages or r.page in pages)]
        if not results.records:
            missing.append(results.env)
    if missing or not found:
        raise BlessError(f"the check of this run did not finish on {', '.join(missing) or 'any'}"
                         " interpreter (see the checks' output): nothing was blessed")
    return found


def stale_blocks(all_results: list[store.EnvResults], rules) -> tuple[list[Stale], list[str]]:
    """Failing blocks with the text to write, and the blocks that cannot be blessed."""
    by_block: dict = {}
    for results in all_results:
        for record in results.records:
            by_block.setdefault((record.page, record.line, record.key), []).append(
                (results.env, record))
    stale, problems = [], []
    for (page, line, key), runs in sorted(by_block.items()):
        failing = [(env, r) for env, r in runs if r.status == store.Status.FAIL]
        if not failing:
            continue
        env, first = failing[0]
        problem = _refusal(first, runs, rules)
        if problem:
            problems.append(f"{page}:{line}: {problem}")
            continue
        text = compare(first.expected, first.actual, rules).blessed()
        odd = prompt_like(first.kind, first.expected, text)
        if odd:
            problems.append(f"{page}:{line}: the output has a line that reads as a prompt "
                            f"({odd!r}); a page cannot show it as output: change the "
                            "statement so it prints something else, or print it indented")
            continue
        others = [e for e, r in runs if r.status != store.Status.NOT_APPLICABLE
                  and not compare(text, r.actual, rules).matched]
        if others:
            problems.append(f"{page}:{line}: interpreters {env}, {', '.join(others)} print "
                            "different output for this block: narrow its :python: or :build: "
                            "so each applies to one kind of build, or put [...] where they "
                            "differ, then bless again")
            continue
        stale.append(Stale(page, line, key, env, text))
    return stale, problems


def _refusal(record: store.Record, runs, rules) -> str:
    if record.outcome_only:
        return (f"only how the session ended differs ({record.why}); bless writes output, "
                "not outcomes: change the block's :expect:")
    said = [s.source for s in steps_of(record.kind, record.expected.splitlines())[1]]
    ran = [s.source for s in steps_of(record.kind, record.actual.splitlines())[1]]
    lost = [source for source in said if source not in ran]
    if lost:
        return (f"the session stopped ({record.outcome}) before {lost[0][0]!r}; blessing "
                "would delete what you wrote after it: fix the session, or remove those "
                "lines yourself")
    if record.truncated:
        return "the output is longer than the results keep; shorten what the block prints"
    if record.why:
        return (f"{record.why}; bless cannot change how a session ends: fix the session "
                "or change its :expect:, then bless the output")
    return ""


def bless(paths: dict, envs, run: str | None, pages: list[str], check_only: bool) -> int:
    from .blocklist import _display, _page

    wanted = [_display(paths["root"])(str(_page(paths["root"], p))) for p in pages]
    rules = normalisation_rules(paths["conf"])
    stale, problems = stale_blocks(_fresh(paths, envs, run, wanted), rules)
    if check_only:
        for item in stale:
            print(f"stale: {item.page}:{item.line} (what {item.env} prints differs)")
    else:
        by_page: dict = {}
        for item in stale:
            by_page.setdefault(item.page, []).append(item)
        for page, items in by_page.items():
            problems += rewrite_page(paths, page, items)
    for problem in problems:
        print(f"cannot bless {problem}")
    if not stale and not problems:
        print("nothing to bless: every block checked in this run matches")
    return 1 if problems or (check_only and stale) else 0


def rewrite_page(paths: dict, page: str, items: list[Stale]) -> list[str]:
    """Rewrite the given blocks of one page; returns messages for what was left alone."""
    from .blocklist import _display
    from .reading import read_page

    path = Path(os.path.realpath(paths["root"] / page))
    if not path.stat().st_mode & stat.S_IWUSR:  # even root keeps a page its owner locked
        return [f"{page}: the page is read-only: make it writable (chmod u+w {page}) and "
                "bless again"]
    blocks, _ = read_page(path, paths["source"], _display(paths["root"]))
    variants = {(v.line, v.key): v for b in blocks for v in b.variants()}
    raw = path.read_bytes().decode("utf-8")
    lines, skipped, blessed = raw.splitlines(keepends=True), [], []
    for item in sorted(items, key=lambda i: i.line, reverse=True):
        block = variants.get((item.line, item.key))
        if block is None:
            skipped.append(f"{page}:{item.line}: the block changed since it was checked; "
                           "run the checks again before blessing")
            continue
        first, last = block.content_start - 1, block.content_end - 1
        indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
        newline = "\r\n" if lines[first].endswith("\r\n") else "\n"
        final = lines[last][len(lines[last].rstrip("\r\n")):]
        new = [(indent + out).rstrip() + newline for out in item.text.rstrip("\n").split("\n")]
        new[-1] = new[-1].rstrip("\r\n") + final
        lines[first:last + 1] = new
        revision = f" (revision {block.revision!r})" if block.revision else ""
        blessed.append(f"blessed: {page}:{item.line}{revision} with the output of {item.env}")
    updated = "".join(lines)
    if updated != raw:
        try:
            replace_keeping_mode(path, updated.encode("utf-8"))
        except OSError as exc:
            return skipped + [f"{page}: could not write it ({exc.strerror or exc}); the page "
                              "is unchanged and nothing was left beside it"]
    for message in reversed(blessed):
        print(message)
    return skipped


def replace_keeping_mode(path: Path, data: bytes) -> None:
    """Write beside the file, give it the file's mode, rename over it; on any failure the
    temporary file is removed."""
    mode = stat.S_IMODE(path.stat().st_mode)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.bless-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
