"""The terminal's view of the results: the merged matrix and JUnit XML, both from
:mod:`bookcheck.matrix`'s policy."""
from __future__ import annotations

from html import escape

from .matrix import EDITED, State, rows
from .results import EnvResults, Status

SYMBOL = {Status.PASS: "ok", Status.FAIL: "FAIL", Status.NOT_APPLICABLE: "-",
          Status.ERROR: "ERROR", EDITED: "edited", None: "?"}


def format_matrix(all_results: list[EnvResults], skipped_envs: list[str],
                  partial: bool = False) -> tuple[str, int]:
    """The printed matrix and the number of problems (failures, errors, unchecked blocks)."""
    envs = [r.env for r in all_results]
    found = rows(all_results)
    width = max([len(f"{row.page}:{row.line}") for row in found] + [5])
    header = f"{'block':<{width}}  " + "  ".join(f"{e:^{max(len(e), 5)}}" for e in envs)
    lines = [header, "-" * len(header)]
    problems, unchecked = 0, []
    for row in found:
        where = f"{row.page}:{row.line}"
        problems += len(row.verdict.failed)
        if row.verdict.state not in (State.PASS, State.FAIL):
            unchecked.append((where, row.unchecked))
            problems += not row.unchecked and not partial
        lines.append(f"{where:<{width}}  " + "  ".join(
            f"{SYMBOL[row.cells[e].status]:^{max(len(e), 5)}}" for e in envs))
    lines.append("")
    for results in all_results:
        lines.append(f"{results.env:<16} {results.interpreter['label']}  "
                     f"({results.interpreter['path']})")
    if skipped_envs:
        lines.append(f"skipped, no interpreter on this machine: {', '.join(skipped_envs)}")
    for where, reason in unchecked:
        if partial and not reason:
            lines.append(f"not checked by the interpreters of this run: {where}")
            continue
        lines.append(f"not checked by any interpreter: {where}: "
                     + (f"stated reason: {reason}" if reason else
                        "FAILS: add ':unchecked: <why>' or make an interpreter that applies"))
    statuses = [cell.status for row in found for cell in row.cells.values()]
    failed = sum(isinstance(s, Status) and s.failed for s in statuses)
    without_reason = len([u for u in unchecked if not u[1]])
    lines.append(f"{len(found)} blocks, {len(envs)} interpreter{'s' * (len(envs) != 1)}: "
                 f"{statuses.count(Status.PASS)} passed, {failed} failed, "
                 f"{statuses.count(Status.NOT_APPLICABLE)} not applicable, " + (
                     f"{without_reason} left to the interpreters not in this run" if partial
                     else f"{without_reason} unchecked without a reason"))
    return "\n".join(lines), problems


def _attribute(text: str) -> str:
    return '"' + escape(text, quote=True) + '"'


def junit_xml(results: EnvResults) -> str:
    cases = []
    for record in results.records:
        body = ""
        if record.status == Status.NOT_APPLICABLE:
            body = f"<skipped message={_attribute(record.why)}/>"
        elif record.status.failed:
            detail = (record.why + "\n" + record.diff).strip()
            body = (f"<failure message={_attribute(record.why or 'output differs')}>"
                    f"{escape(detail, quote=False)}</failure>")
        cases.append(f'  <testcase classname={_attribute(results.env)} '
                     f'name={_attribute(record.where)} time="{record.seconds}">{body}</testcase>')
    failures = sum(r.status.failed for r in results.records)
    skipped = sum(r.status == Status.NOT_APPLICABLE for r in results.records)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<testsuite name={_attribute(results.env)}'
            f' tests="{len(results.records)}" failures="{failures}" skipped="{skipped}">\n'
            + "\n".join(cases) + "\n</testsuite>\n")
