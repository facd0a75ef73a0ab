"""Writes one environment's results (JSON, JUnit XML) and merges all of them into a matrix."""
from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr, escape

SYMBOL = {"pass": "ok", "fail": "FAIL", "n/a": "-", "error": "ERROR"}


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)


def write_results(results: dict, env: str, directory: Path) -> Path:
    results = {"env": env, "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **results}
    target = directory / f"{env}.json"
    write_atomically(target, json.dumps(results, indent=1) + "\n")
    write_atomically(directory / f"{env}.junit.xml", junit_xml(results))
    return target


def junit_xml(results: dict) -> str:
    cases = []
    for record in results["blocks"]:
        name = quoteattr(f"{record['page']}:{record['line']}")
        body = ""
        if record["status"] == "n/a":
            body = f"<skipped message={quoteattr(record.get('why', ''))}/>"
        elif record["status"] in ("fail", "error"):
            detail = (record.get("why", "") + "\n" + record.get("diff", "")).strip()
            body = f"<failure message={quoteattr(record.get('why') or 'output differs')}>" \
                   f"{escape(detail)}</failure>"
        cases.append(f'  <testcase classname={quoteattr(results["env"])} name={name} '
                     f'time="{record.get("seconds", 0)}">{body}</testcase>')
    failures = sum(r["status"] in ("fail", "error") for r in results["blocks"])
    skipped = sum(r["status"] == "n/a" for r in results["blocks"])
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<testsuite name={quoteattr(results["env"])}'
            f' tests="{len(results["blocks"])}" failures="{failures}" skipped="{skipped}">\n'
            + "\n".join(cases) + "\n</testsuite>\n")


def load_results(paths: list[Path]) -> list[dict]:
    return [json.loads(Path(p).read_text(encoding="utf-8")) for p in sorted(paths)]


def merge(all_results: list[dict]) -> dict:
    """Block-by-interpreter matrix: {(page, line): {"record": ..., "cells": {env: status}}}."""
    rows: dict = {}
    for results in all_results:
        for record in results["blocks"]:
            row = rows.setdefault((record["page"], record["line"]), {"record": record, "cells": {}})
            row["cells"][results["env"]] = record["status"]
    return dict(sorted(rows.items()))


def format_matrix(all_results: list[dict], skipped_envs: list[str],
                  partial: bool = False) -> tuple[str, int]:
    """The printed matrix and the number of problems (failures, errors, unchecked blocks)."""
    envs = [r["env"] for r in all_results]
    rows = merge(all_results)
    width = max([len(f"{p}:{l}") for p, l in rows] + [5])
    header = f"{'block':<{width}}  " + "  ".join(f"{e:^{max(len(e), 5)}}" for e in envs)
    lines = [header, "-" * len(header)]
    problems, unchecked = 0, []
    for (page, line), row in rows.items():
        cells = row["cells"]
        checked = any(cells.get(e) in ("pass", "fail") for e in envs)
        problems += sum(cells.get(e) in ("fail", "error") for e in envs)
        if not checked and "error" not in cells.values():
            reason = row["record"].get("unchecked")
            unchecked.append((f"{page}:{line}", reason))
            problems += not reason and not partial
        lines.append(f"{page + ':' + str(line):<{width}}  " + "  ".join(
            f"{SYMBOL.get(cells.get(e, ''), '?'):^{max(len(e), 5)}}" for e in envs))
    lines.append("")
    for results in all_results:
        lines.append(f"{results['env']:<16} {results['interpreter']['label']}  "
                     f"({results['interpreter']['path']})")
    if skipped_envs:
        lines.append(f"skipped, no interpreter on this machine ('make pythons' says how to "
                     f"build each): {', '.join(skipped_envs)}")
    for where, reason in unchecked:
        if partial and not reason:
            lines.append(f"not checked by the interpreters of this run: {where}")
            continue
        lines.append(f"not checked by any interpreter: {where}: "
                     + (f"stated reason: {reason}" if reason else
                        "FAILS: add ':unchecked: <why>' or make an interpreter that applies"))
    totals = {s: sum(v == s for row in rows.values() for v in row["cells"].values())
              for s in ("pass", "fail", "error", "n/a")}
    without_reason = len([u for u in unchecked if not u[1]])
    lines.append(f"{len(rows)} blocks, {len(envs)} interpreter{'s' * (len(envs) != 1)}: "
                 f"{totals['pass']} passed, {totals['fail'] + totals['error']} failed, "
                 f"{totals['n/a']} not applicable, " + (
                     f"{without_reason} left to the interpreters not in this run" if partial
                     else f"{without_reason} unchecked without a reason"))
    return "\n".join(lines), problems
