"""Compares a block's expected transcript with what the interpreter printed.

Both sides go through the same named normalisation rules before comparing and before a
diff is shown. A line that is exactly ``[...]`` matches any number of lines, and ``[...]``
inside a line matches any text on that line.
"""
from __future__ import annotations

import difflib
import re

from .config import Rule
from .model import WILDCARD


def normalise(text: str, rules: list[Rule]) -> str:
    for rule in rules:
        text = rule.pattern.sub(rule.replacement, text)
    return text


def _pattern(expected: str) -> re.Pattern:
    parts = []
    for line in expected.splitlines():
        if line.strip() == WILDCARD:
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(_line_pattern(line).pattern + r"\n")
    return re.compile("".join(parts))


def matches(expected: str, actual: str, rules: list[Rule]) -> bool:
    want = normalise(_tidy(expected), rules)
    have = normalise(_tidy(actual), rules)
    if WILDCARD not in want:
        return want == have
    return _pattern(want).fullmatch(have) is not None


def unified_diff(expected: str, actual: str, rules: list[Rule], page: str, first_line: int) -> str:
    """A diff whose expected-side line numbers are the page's own lines."""
    want = normalise(_tidy(expected), rules).splitlines(keepends=True)
    have = normalise(_tidy(actual), rules).splitlines(keepends=True)
    diff = "".join(difflib.unified_diff(want, have, f"{page} (expected)", "actual", n=3))
    return re.sub(r"^@@ -(\d+)", lambda m: f"@@ -{int(m[1]) + first_line - 1}", diff,
                  flags=re.MULTILINE)


def first_difference(expected: str, actual: str, rules: list[Rule]) -> int:
    """Index of the first expected line that the actual output does not reproduce."""
    want = normalise(_tidy(expected), rules).splitlines()
    have = normalise(_tidy(actual), rules).splitlines()
    for index, line in enumerate(want):
        if index >= len(have) or not _line_pattern(line).fullmatch(have[index]):
            return index
    return len(want)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def _line_pattern(line: str) -> re.Pattern:
    return re.compile("[^\n]*?".join(re.escape(piece) for piece in line.split(WILDCARD)))


def _find(have: list[str], start: int, line: str, rules: list[Rule]) -> int | None:
    pattern = _line_pattern(normalise(line, rules))
    for index in range(start, len(have)):
        if pattern.fullmatch(normalise(have[index], rules)):
            return index
    return None


def keep_what_still_matches(expected: str, actual: str, rules: list[Rule]) -> str:
    """The actual output, keeping every expected line that still matches it.

    Blessing uses this so that a rewrite touches only the output that changed: a line
    equal to the actual one after normalisation keeps its text (its address, its count), a
    line with an inline ``[...]`` is kept when it matches, and a ``[...]`` line keeps
    standing for the lines between its neighbours when both neighbours are still there.
    """
    want = _tidy(expected).rstrip("\n").split("\n")
    have = _tidy(actual).rstrip("\n").split("\n")
    out, position = [], 0
    for index, line in enumerate(want):
        if line.strip() == WILDCARD:
            following = next((w for w in want[index + 1:] if w.strip() != WILDCARD), None)
            stop = len(have) if following is None else _find(have, position, following, rules)
            if stop is not None:
                out.append(line)
                position = stop
            continue
        found = _find(have, position, line, rules)
        if found is None:
            continue
        out.extend(have[position:found])
        out.append(line)
        position = found + 1
    out.extend(have[position:])
    merged = "\n".join(out) + "\n"
    return merged if matches(merged, actual, rules) else actual
