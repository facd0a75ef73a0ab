"""Named anchors in the C examples: ``// ANCHOR: name`` ... ``// ANCHOR_END: name``.

A page shows the lines between the two markers. A missing, duplicated, unclosed or
stray anchor is an error naming the file and line.
"""
from __future__ import annotations

import re
from pathlib import Path

MARKER = re.compile(r"^\s*//\s*ANCHOR(?P<end>_END)?:\s*(?P<name>\S*)\s*$")


class AnchorError(Exception):
    pass


def find_anchors(path: Path) -> dict[str, tuple[int, int]]:
    """Map each anchor name to the (first, last) 1-based lines strictly inside it."""
    anchors: dict[str, tuple[int, int]] = {}
    open_name, open_line = None, 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = MARKER.match(line)
        if not match:
            continue
        name = match["name"]
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise AnchorError(f"{path}:{number}: anchor name {name!r} must be a C identifier")
        if match["end"]:
            if name != open_name:
                expected = f"ANCHOR_END: {open_name}" if open_name else "no ANCHOR_END here"
                raise AnchorError(f"{path}:{number}: ANCHOR_END: {name} does not close an open "
                                  f"anchor ({expected})")
            anchors[name] = (open_line + 1, number - 1)
            open_name = None
            continue
        if open_name:
            raise AnchorError(f"{path}:{number}: ANCHOR: {name} opens inside anchor "
                              f"{open_name!r} (line {open_line}); close that one first")
        if name in anchors:
            raise AnchorError(f"{path}:{number}: anchor {name!r} is defined twice (first ends "
                              f"at line {anchors[name][1] + 1}); anchor names are unique per file")
        open_name, open_line = name, number
    if open_name:
        raise AnchorError(f"{path}:{open_line}: anchor {open_name!r} is never closed: add "
                          f"'// ANCHOR_END: {open_name}'")
    return anchors


def anchor_lines(path: Path, name: str) -> tuple[int, int]:
    anchors = find_anchors(path)
    if name not in anchors:
        known = ", ".join(sorted(anchors)) or "none"
        raise AnchorError(f"{path}: no anchor {name!r}; anchors in this file: {known}")
    first, last = anchors[name]
    if last < first:
        raise AnchorError(f"{path}:{first - 1}: anchor {name!r} is empty")
    return anchors[name]


def check_all(examples_dir: Path) -> list[str]:
    """Every anchor problem in every example, as messages."""
    problems = []
    for path in sorted(examples_dir.glob("*.c")):
        try:
            find_anchors(path)
        except AnchorError as exc:
            problems.append(str(exc))
    return problems
