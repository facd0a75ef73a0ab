"""The one policy that turns records into a block-by-interpreter matrix.

Both the terminal (``bookcheck matrix``) and the book (the marks under each transcript and
the "Verification report" page) ask :func:`cells` for a block's cells and :func:`judge`
for where the block stands, so they cannot disagree.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from .results import EnvResults, Record, Status

EDITED = "edited"  # the environment checked the page, but an older text of this block


class State(str, enum.Enum):
    PASS = "pass"  # every interpreter that ran it passed
    FAIL = "fail"  # at least one failed (or the block is malformed)
    UNCHECKED = "unchecked"  # no interpreter applies; the reason is given
    EDITED = "edited"  # the results are for an older text of the block
    NONE = "none"  # no results at all


@dataclass
class Cell:
    status: Status | str | None  # a Status, EDITED, or None (no results for the page)
    record: Record | None = None


@dataclass
class Verdict:
    state: State
    passed: list[str]
    failed: list[str]
    reason: str = ""  # why nothing checked it: the block's :unchecked:, or why none applied
    unchecked: str = ""  # the author's reason, if any


def cells(all_results: list[EnvResults], page: str, key: str) -> dict[str, Cell]:
    found = {}
    for results in all_results:
        record = results.find(page, key)
        if record is not None:
            found[results.env] = Cell(record.status, record)
        elif page in results.pages():
            found[results.env] = Cell(EDITED)
        else:
            found[results.env] = Cell(None)
    return found


def judge(row: dict[str, Cell], unchecked: str) -> Verdict:
    passed = [env for env, cell in row.items() if cell.status == Status.PASS]
    failed = [env for env, cell in row.items()
              if isinstance(cell.status, Status) and cell.status.failed]
    if failed:
        return Verdict(State.FAIL, passed, failed, unchecked=unchecked)
    if passed:
        return Verdict(State.PASS, passed, failed, unchecked=unchecked)
    if unchecked:
        return Verdict(State.UNCHECKED, [], [], unchecked, unchecked=unchecked)
    if any(cell.status == EDITED for cell in row.values()):
        return Verdict(State.EDITED, [], [])
    whys = [cell.record.why for cell in row.values()
            if cell.status == Status.NOT_APPLICABLE and cell.record and cell.record.why]
    if whys:
        reason = "no interpreter of the last run applies (" + "; ".join(dict.fromkeys(whys)) + ")"
        return Verdict(State.UNCHECKED, [], [], reason)
    return Verdict(State.NONE, [], [])


@dataclass
class Row:
    page: str
    line: int
    key: str
    unchecked: str
    cells: dict[str, Cell]
    verdict: Verdict


def rows(all_results: list[EnvResults]) -> list[Row]:
    """One row per block any environment has a record of, by page and line."""
    blocks: dict[tuple[str, str], Record] = {}
    for results in all_results:
        for record in results.records:
            blocks.setdefault((record.page, record.key), record)
    found = []
    for (page, key), record in sorted(blocks.items(), key=lambda i: (i[0][0], i[1].line)):
        row = cells(all_results, page, key)
        found.append(Row(page, record.line, key, record.unchecked, row,
                         judge(row, record.unchecked)))
    return found
