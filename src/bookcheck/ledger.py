"""The verification ledger: what was checked where, committed with the book.

``.results/`` stays on the machine that ran the checks; the ledger is the small,
reviewable part of it that every build of the book can read (Read the Docs included), so
the marks under the transcripts do not depend on the machine that builds the book.

One JSON file (``bookcheck_ledger`` in ``conf.py``, default ``verification-ledger.json``
beside it)::

    {"format": 1,
     "environments": {"py314-debug": {"version": "3.14.10", "label": "CPython 3.14.10 debug",
                                      "traits": ["debug", ...], "origin": "Debian sid ..."}},
     "blocks": [
      {"page": "doc/.../refcount_bugs.rst", "line": 78, "digest": "…", "unchecked": "",
       "results": {"py314-debug": ["pass", "2026-11-30T07:19:44+0000", "1a2b3c4"]}},
      ...]}

A block is known by its page and the digest of its text, so an edited block no longer
matches its entry and the book says it was edited since its last check. Each result is
(status, when it was checked, commit); a block that was not run again keeps its entry. Blocks are one per line, sorted by page and line, so that a diff
of the ledger reads as "this block now passes on that interpreter".
"""
from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from .results import EnvResults, Record, ResultsError, Status, write_atomically

FORMAT = 1
KEPT = (Status.PASS, Status.FAIL, Status.ERROR)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def commit_of(root: Path) -> str:
    """The commit the checks ran on (short), with '+' when the tree had changes."""
    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                              text=True).stdout.strip()
    head = git("rev-parse", "--short", "HEAD")
    if not head:
        return ""
    return head + ("+" if git("status", "--porcelain", "--untracked-files=no") else "")


def load(path: Path) -> dict:
    if not path.exists():
        return {"format": FORMAT, "environments": {}, "blocks": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or not isinstance(data.get("blocks"), list):
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        return data
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as exc:
        raise ResultsError(f"{path}: not a verification ledger ({exc}); restore it from "
                           "git (git checkout -- FILE) or delete it and run the checks "
                           "again") from None


def environment(results: EnvResults) -> dict:
    interpreter = results.interpreter
    return {"version": interpreter.get("version", ""), "label": interpreter.get("label", ""),
            "traits": sorted(t for t, on in interpreter.get("traits", {}).items() if on),
            "origin": interpreter.get("origin", "")}


def update(ledger: dict, runs: list[EnvResults], commit: str) -> dict:
    """The ledger with the results of ``runs`` in place of what it held for their
    environments (for the pages each run checked; an interpreter of another version
    replaces every result of its environment)."""
    blocks = {(b["page"], b["digest"]): b for b in ledger["blocks"]}
    environments = dict(ledger["environments"])
    for run in runs:
        new = environment(run)
        if environments.get(run.env, {}).get("version") != new["version"]:
            pages = None  # results of another CPython version say nothing about this one
        else:
            pages = run.pages()
        environments[run.env] = new
        before = {} if pages is None else \
            {(b["page"], b["digest"]): b["results"].get(run.env) for b in blocks.values()}
        for block in blocks.values():
            if pages is None or block["page"] in pages:
                block["results"].pop(run.env, None)
        for record in run.records:
            entry = blocks.setdefault((record.page, digest(record.key)), {
                "page": record.page, "line": record.line, "digest": digest(record.key),
                "unchecked": record.unchecked, "results": {}})
            entry["line"], entry["unchecked"] = record.line, record.unchecked
            if record.status in KEPT:
                result = [record.status.value, record.checked, commit]
                earlier = before.get((record.page, digest(record.key)))
                # A block not run again (unchanged since its check) keeps that check's commit.
                if earlier and earlier[:2] == result[:2]:
                    result = earlier
                entry["results"][run.env] = result
    kept = [b for b in blocks.values() if b["results"] or b["unchecked"]]
    return {"format": FORMAT, "environments": dict(sorted(environments.items())),
            "blocks": sorted(kept, key=lambda b: (b["page"], b["line"], b["digest"]))}


def dumps(ledger: dict) -> str:
    lines = ['{"format": %d,' % ledger["format"], ' "environments": {']
    envs = list(ledger["environments"].items())
    lines += ["  %s: %s%s" % (json.dumps(env), json.dumps(info, sort_keys=True),
                              "," if i < len(envs) - 1 else "")
              for i, (env, info) in enumerate(envs)]
    lines.append(' },\n "blocks": [')
    blocks = ledger["blocks"]
    lines += ["  %s%s" % (json.dumps(b, sort_keys=True), "," if i < len(blocks) - 1 else "")
              for i, b in enumerate(blocks)]
    return "\n".join(lines) + "\n ]}\n"


def write(path: Path, ledger: dict) -> None:
    write_atomically(path, dumps(ledger))


class LedgerResults(EnvResults):
    """One environment's results as the ledger holds them, for :mod:`bookcheck.matrix`:
    blocks are found by the digest of their text."""

    def find(self, page: str, key: str) -> Record | None:
        return next((r for r in self.records if r.page == page and r.key == digest(key)),
                    None)


def as_results(ledger: dict) -> list[LedgerResults]:
    found = []
    for env, info in ledger["environments"].items():
        records = [Record(page=b["page"], line=b["line"], key=b["digest"], kind="",
                          status=Status(b["results"][env][0]), checked=b["results"][env][1],
                          unchecked=b["unchecked"])
                   for b in ledger["blocks"] if env in b["results"]]
        interpreter = {"label": info["label"], "version": info["version"],
                       "origin": info["origin"], "traits": {t: True for t in info["traits"]}}
        found.append(LedgerResults(env, interpreter, "", records))
    return found
