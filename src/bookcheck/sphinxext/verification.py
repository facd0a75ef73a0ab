"""Verification marks under each transcript, and the block-by-interpreter report page.

The results of ``make test`` (``.results/<env>.json``, one per interpreter) are loaded once
at ``builder-inited``. At ``doctree-read`` each transcript's ``literal_block`` (found by
the ``bookcheck_key`` the directive puts on it) gets an anchor and is recorded; when the
page is written, a line is added below it:

- ``✓ checked on CPython 3.11.2 debug, … (date)``: every interpreter that ran it passed;
- ``✗ failed on …``: at least one did not (the passes are listed too);
- ``not checked here: <reason>``: no interpreter of the run applies (the block's
  ``:unchecked:`` reason, or why none applied);
- ``edited since last checked``: the results are for an older text of the block;
- ``not checked in this build (run make test)``: no results for this page at all.

The report page (``.. verification-matrix::``) is in :mod:`.verification_report`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

CELL = {"pass": "✓", "fail": "✗", "error": "✗", "n/a": "–", "edited": "edited", "": ""}


# -- Results ---------------------------------------------------------------------------

@dataclass
class Results:
    """The results of every interpreter, indexed for finding a block's records."""
    runs: list = field(default_factory=list)  # the JSON documents, ordered by env
    by_key: dict = field(default_factory=dict)  # (env, page, key) -> record
    by_line: dict = field(default_factory=dict)  # (env, page, line) -> record
    pages: set = field(default_factory=set)  # (env, page) that have records

    @classmethod
    def load(cls, directory: Path) -> "Results":
        results = cls()
        for path in sorted(directory.glob("*.json")):
            try:
                run = json.loads(path.read_text(encoding="utf-8"))
                env, blocks = run["env"], run["blocks"]
                run["interpreter"]["label"]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                logger.warning("verification: ignoring %s: not a results file of "
                               "bookcheck (%s)", path, exc, type="bookcheck",
                               subtype="results")
                continue
            results.runs.append(run)
            for record in blocks:
                page = record.get("page", "")
                results.by_key.setdefault((env, page, record.get("key", "")), record)
                results.by_line[(env, page, record.get("line"))] = record
                results.pages.add((env, page))
        return results

    @property
    def envs(self) -> list[str]:
        return [run["env"] for run in self.runs]

    def cells(self, page: str, line: int, key: str) -> dict[str, tuple[str, dict | None]]:
        """{env: (status, record)}: status is pass, fail, error, n/a, edited or ''."""
        cells = {}
        for env in self.envs:
            record = self.by_key.get((env, page, key))
            if record is not None:
                cells[env] = (record["status"], record)
            elif (env, page) in self.pages:
                # The page was checked, but not this text of the block: it changed since.
                cells[env] = ("edited", self.by_line.get((env, page, line)))
            else:
                cells[env] = ("", None)
        return cells

    def run_of(self, env: str) -> dict:
        return next(run for run in self.runs if run["env"] == env)


def day(run: dict) -> str:
    return str(run.get("finished", ""))[:10]


def verdict(results: Results, block: dict) -> tuple[str, str]:
    """(state, text) of the line shown under a block: state is pass, fail, unchecked,
    edited or none."""
    cells = results.cells(block["page"], block["line"], block["key"])
    passed = [env for env, (status, _) in cells.items() if status == "pass"]
    failed = [env for env, (status, _) in cells.items() if status in ("fail", "error")]
    if failed or passed:
        def where(envs):
            runs = [results.run_of(env) for env in envs]
            days = {day(run) for run in runs}
            if len(days) == 1:
                return (", ".join(run["interpreter"]["label"] for run in runs)
                        + (f" ({days.pop()})" if runs and day(runs[0]) else ""))
            return ", ".join(f"{run['interpreter']['label']} ({day(run)})" for run in runs)
        if failed:
            text = "✗ failed on " + where(failed)
            return "fail", text + ("; ✓ passed on " + where(passed) if passed else "")
        return "pass", "✓ checked on " + where(passed)
    reasons = [record.get("unchecked") for status, record in cells.values()
               if status == "n/a" and record]
    reason = block.get("unchecked") or next(filter(None, reasons), "")
    if reason:
        return "unchecked", f"not checked here: {reason}"
    if any(status == "edited" for status, _ in cells.values()):
        return "edited", "edited since last checked"
    whys = [record.get("why") for status, record in cells.values()
            if status == "n/a" and record]
    if whys:
        return "unchecked", ("not checked here: no interpreter of the last run applies ("
                             + "; ".join(dict.fromkeys(filter(None, whys))) + ")")
    return "none", "not checked in this build (run make test)"


# -- Collecting the blocks ---------------------------------------------------------------

def load_results(app) -> None:
    directory = results_dir(app)
    app.bookcheck_results = Results.load(directory) if directory.is_dir() else Results()


def results_dir(app) -> Path:
    return (Path(app.confdir) / app.config.bookcheck_results_dir).resolve()


def fingerprint(app) -> list:
    directory = results_dir(app)
    if not directory.is_dir():
        return []
    return [(p.name, p.stat().st_mtime_ns, p.stat().st_size)
            for p in sorted(directory.glob("*.json"))]


def page_path(app, source: str) -> str:
    """The page as the checker names it: relative to the repository, with / separators."""
    path = Path(source).resolve()
    root = (Path(app.confdir) / app.config.bookcheck_repo_root).resolve()
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def block_id(line: int) -> str:
    return f"transcript-{line}"


def collect_blocks(app, doctree) -> None:
    env = app.env
    blocks = []
    for literal in doctree.findall(nodes.literal_block):
        key = literal.get("bookcheck_key")
        if not key:
            continue
        line = literal.line or 0
        anchor = block_id(line)
        while anchor in doctree.ids:  # a block of an included file on the same line number
            anchor += "-"
        literal["ids"].append(anchor)
        doctree.ids[anchor] = literal
        # The file the directive is in (a page, or a fragment it includes), as the checker
        # reads it.
        source = literal.source or str(env.doc2path(env.docname))
        try:
            display = Path(source).resolve().relative_to(Path(app.srcdir).resolve()).as_posix()
        except ValueError:
            display = Path(source).name
        blocks.append({"line": line, "key": key, "page": page_path(app, source),
                       "display": display, "id": literal["ids"][-1],
                       "unchecked": literal.get("bookcheck_unchecked", "")})
    store(env)[env.docname] = blocks


def store(env) -> dict:
    if not hasattr(env, "bookcheck_transcripts"):
        env.bookcheck_transcripts = {}
    return env.bookcheck_transcripts


def matrix_docs(env) -> set:
    if not hasattr(env, "bookcheck_matrix_docs"):
        env.bookcheck_matrix_docs = set()
    return env.bookcheck_matrix_docs


def purge_doc(app, env, docname) -> None:
    store(env).pop(docname, None)
    matrix_docs(env).discard(docname)


def merge_info(app, env, docnames, other) -> None:
    for docname in docnames:
        if docname in store(other):
            store(env)[docname] = store(other)[docname]
        if docname in matrix_docs(other):
            matrix_docs(env).add(docname)


def outdated(app, env, added, changed, removed) -> list[str]:
    """Pages with transcripts are read again when the results changed."""
    now = fingerprint(app)
    if getattr(env, "bookcheck_results_fingerprint", None) == now:
        return []
    env.bookcheck_results_fingerprint = now
    return [doc for doc, blocks in store(env).items() if blocks and doc not in removed]


def updated(app, env) -> list[str]:
    """The report page lists every page's blocks: it is written whenever anything is."""
    return sorted(matrix_docs(env))


# -- Marks -------------------------------------------------------------------------------

def add_marks(app, doctree, docname) -> None:
    results = app.bookcheck_results
    blocks = {block["id"]: block for block in store(app.env).get(docname, [])}
    for literal in list(doctree.findall(nodes.literal_block)):
        if not literal.get("bookcheck_key"):
            continue
        block = next((blocks[i] for i in literal["ids"] if i in blocks), None)
        if block is None:
            continue
        state, text = verdict(results, block)
        mark = nodes.paragraph("", "", nodes.Text(text),
                               classes=["bookcheck-mark", f"bookcheck-{state}"])
        report = report_uri(app, docname, page_row_id(block))
        if report:
            mark += nodes.Text(" · ")
            mark += nodes.reference("", "report", internal=True, refuri=report,
                                    classes=["bookcheck-report-link"])
        holder = literal.parent if isinstance(literal.parent, nodes.container) \
            and literal.parent.get("literal_block") else literal
        holder.parent.insert(holder.parent.index(holder) + 1, mark)


def report_uri(app, fromdoc: str, anchor: str) -> str:
    docs = sorted(matrix_docs(app.env))
    if not docs or app.builder.format != "html":
        return ""
    return app.builder.get_relative_uri(fromdoc, docs[0]) + "#" + anchor


def page_row_id(block: dict) -> str:
    return nodes.make_id(f"row {block['display']} {block['line']}")


def resolve(app, doctree, docname) -> None:
    add_marks(app, doctree, docname)


def setup(app):
    app.add_config_value("bookcheck_results_dir", "../../../.results", "env", [str])
    app.add_config_value("bookcheck_repo_root", "../../..", "env", [str])
    app.connect("builder-inited", load_results)
    app.connect("doctree-read", collect_blocks)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("env-get-outdated", outdated)
    app.connect("env-get-updated", updated)
    app.connect("doctree-resolved", resolve)
