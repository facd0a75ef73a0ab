"""Compares a block's expected transcript with what the interpreter printed: one algorithm
for the verdict, the diff, the first differing line and what bless writes.

Both sides go through the named normalisation rules, line by line. A line that is
exactly ``[...]`` matches any number of lines; ``[...]`` inside a line matches any text
on that line. The two sides are aligned by the fewest lines added and removed (wildcard
lines absorb actual lines for free), so a diff never shows a line a wildcard matched as
removed, and the first difference is the first expected line the alignment could not
place.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from .config import Rule

WILDCARD = "[...]"
# Beyond this many actual lines the alignment treats the rest as added (a huge output
# fails anyway, and the report shows its start).
ALIGN_LIMIT = 4000


def normalise(line: str, rules: list[Rule]) -> str:
    for rule in rules:
        line = rule.pattern.sub(rule.replacement, line)
    return line


def tidy(text: str) -> list[str]:
    """Lines without trailing spaces or trailing blank lines."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


@lru_cache(maxsize=4096)
def _line_pattern(line: str) -> re.Pattern:
    return re.compile(".*?".join(re.escape(piece) for piece in line.split(WILDCARD)),
                      re.DOTALL)


def is_wildcard_line(line: str) -> bool:
    return line.strip() == WILDCARD


@dataclass
class Comparison:
    matched: bool
    expected: list[str]  # normalised
    actual: list[str]  # normalised
    ops: list[tuple[str, int | None, int | None]]  # (op, expected index, actual index)
    raw_expected: list[str]
    raw_actual: list[str]

    @property
    def first_difference(self) -> int:
        """Index of the first expected line the actual output does not reproduce."""
        for op, i, _ in self.ops:
            if op in ("removed", "added"):
                return i if i is not None else len(self.expected)
        return len(self.expected)

    def diff(self, page: str, first_line: int) -> str:
        """A unified diff whose expected-side line numbers are the page's own lines; lines
        that a wildcard matched are context, not changes."""
        toward, wildcard = [], None
        for op, i, j in self.ops:
            if op == "same":
                toward.append(self.expected[i])
            elif op in ("absorbed", "empty") and wildcard != i:
                toward.append(self.expected[i])
                wildcard = i
            elif op == "added" and j < ALIGN_LIMIT:
                toward.append(self.actual[j])
        hidden = sum(1 for op, _, j in self.ops if op == "added" and j >= ALIGN_LIMIT)
        if hidden:
            toward.append(f"[{hidden} more lines of output not shown]")
        text = "".join(difflib.unified_diff([line + "\n" for line in self.expected],
                                            [line + "\n" for line in toward],
                                            f"{page} (expected)", "actual", n=3))
        return re.sub(r"^@@ -(\d+)", lambda m: f"@@ -{int(m[1]) + first_line - 1}", text,
                      flags=re.MULTILINE)

    def blessed(self) -> str:
        """What bless writes: the actual lines of this one run, with the author's wildcard
        lines kept where they matched."""
        out, wildcard = [], None
        for op, i, j in self.ops:
            if op == "same":
                keep = WILDCARD in self.raw_expected[i]
                out.append(self.raw_expected[i] if keep else self.raw_actual[j])
            elif op in ("absorbed", "empty") and wildcard != i:
                out.append(self.raw_expected[i])
                wildcard = i
            elif op == "added":
                out.append(self.raw_actual[j])
        return "\n".join(out) + "\n"


def compare(expected: str, actual: str, rules: list[Rule]) -> Comparison:
    raw_expected, raw_actual = tidy(expected), tidy(actual)
    want = [normalise(line, rules) for line in raw_expected]
    have = [normalise(line, rules) for line in raw_actual]
    ops = _align(want, have)
    matched = all(op not in ("removed", "added") for op, _, _ in ops)
    return Comparison(matched, want, have, ops, raw_expected, raw_actual)


def matches(expected: str, actual: str, rules: list[Rule]) -> bool:
    return compare(expected, actual, rules).matched


def _fits(pattern_line: str, line: str) -> bool:
    if WILDCARD not in pattern_line:
        return pattern_line == line
    return _line_pattern(pattern_line).fullmatch(line) is not None


def _align(want: list[str], have: list[str]) -> list[tuple[str, int | None, int | None]]:
    """The cheapest alignment: cost 1 for each expected line removed or actual line added."""
    if want == have:
        return [("same", i, i) for i in range(len(want))]
    rest = have[ALIGN_LIMIT:]
    have = have[:ALIGN_LIMIT]
    rows, cols = len(want), len(have)
    # cost[i][j]: aligning want[i:] with have[j:]
    cost = [[0] * (cols + 1) for _ in range(rows + 1)]
    for j in range(cols + 1):
        cost[rows][j] = cols - j
    for i in range(rows - 1, -1, -1):
        line, wild = want[i], is_wildcard_line(want[i])
        below, here = cost[i + 1], cost[i]
        here[cols] = below[cols] + (0 if wild else 1)
        for j in range(cols - 1, -1, -1):
            if wild:
                here[j] = min(below[j], here[j + 1])
            else:
                best = min(below[j], here[j + 1]) + 1
                if best > below[j + 1] and _fits(line, have[j]):
                    best = below[j + 1]
                here[j] = best
    return _trace(want, have, cost) + [("added", None, cols + k) for k in range(len(rest))]


def _trace(want, have, cost):
    ops, i, j, rows, cols = [], 0, 0, len(want), len(have)
    while i < rows or j < cols:
        if i == rows:
            ops.append(("added", None, j))
            j += 1
        elif is_wildcard_line(want[i]):
            if j == cols or cost[i][j] == cost[i + 1][j]:  # lazy, as doctest's ELLIPSIS
                if not ops or ops[-1][1] != i:
                    ops.append(("empty", i, None))
                i += 1
            else:
                ops.append(("absorbed", i, j))
                j += 1
        elif j < cols and cost[i][j] == cost[i + 1][j + 1] and _fits(want[i], have[j]):
            ops.append(("same", i, j))
            i, j = i + 1, j + 1
        elif cost[i][j] == cost[i + 1][j] + 1:
            ops.append(("removed", i, None))
            i += 1
        else:
            ops.append(("added", i, j))
            j += 1
    return ops
