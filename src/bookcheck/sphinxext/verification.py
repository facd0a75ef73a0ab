"""Verification marks under each transcript, and the block-by-interpreter report page.

The results of ``bookcheck run`` (``<bookcheck_results_dir>/<env>.json``, one per
interpreter) are loaded once
at ``builder-inited``, and for every interpreter they do not cover, the verification
ledger committed with the book (:mod:`bookcheck.ledger`). At ``doctree-read`` each transcript's ``literal_block`` (found by
the ``bookcheck_key`` the directive puts on it) gets an anchor and is recorded; when the
page is written, a line is added below it:

- ``✓ checked on CPython 3.11.2 debug, … (date)``: every interpreter that ran it passed;
- ``✗ failed on …``: at least one did not (the passes are listed too);
- ``not checked here: <reason>``: no interpreter of the run applies (the block's
  ``:unchecked:`` reason, or why none applied);
- ``edited since last checked``: the results are for an older text of the block;
- ``not checked in this build (no results: run the checks)``: no results for this page.

The report page (``.. verification-matrix::``) is in :mod:`.verification_report`.
"""
from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.util import logging

from .. import ledger
from .. import matrix
from .. import results as rstore
from . import domain

logger = logging.getLogger(__name__)

CELL = {rstore.Status.PASS: "✓", rstore.Status.FAIL: "✗", rstore.Status.ERROR: "✗",
        rstore.Status.NOT_APPLICABLE: "–", matrix.EDITED: "edited", None: ""}


# -- Results ---------------------------------------------------------------------------

def load_all(directory: Path) -> list[rstore.EnvResults]:
    """Every readable results file; one that is not is a warning naming it."""
    found = []
    for path in sorted(directory.glob("*.json")):
        try:
            found.append(rstore.load(path))
        except rstore.ResultsError as exc:
            logger.warning("verification: %s", exc, type="bookcheck", subtype="results")
    return found


def where(runs: dict[str, rstore.EnvResults], cells: dict, envs: list[str]) -> str:
    """'label, label (day)' when every check was on one day, else each with its day."""
    days = {env: cells[env].record.checked[:10] for env in envs}
    labels = [runs[env].interpreter["label"] for env in envs]
    if len(set(days.values())) == 1:
        day = next(iter(days.values()))
        return ", ".join(labels) + (f" ({day})" if day else "")
    return ", ".join(f"{label} ({days[env]})" for label, env in zip(labels, envs))


def verdict(all_results: list[rstore.EnvResults], block: dict) -> tuple[str, str, dict]:
    """(state, text, cells) of the line shown under a block, by :mod:`bookcheck.matrix`."""
    cells = matrix.cells(all_results, block["page"], block["key"])
    judged = matrix.judge(cells, block.get("unchecked", ""))
    runs = {r.env: r for r in all_results}
    if judged.state == matrix.State.FAIL:
        text = "✗ failed on " + where(runs, cells, judged.failed)
        if judged.passed:
            text += "; ✓ passed on " + where(runs, cells, judged.passed)
    elif judged.state == matrix.State.PASS:
        text = "✓ checked on " + where(runs, cells, judged.passed)
    elif judged.state == matrix.State.UNCHECKED:
        text = f"not checked here: {judged.reason}"
    elif judged.state == matrix.State.EDITED:
        text = "edited since last checked"
    else:
        text = "not checked in this build (no results: run the checks)"
    return judged.state.value, text, cells


# -- Collecting the blocks ---------------------------------------------------------------

def load_results(app) -> None:
    """This machine's results, and, for every interpreter they do not cover, the
    committed ledger's: a build with no checks run (Read the Docs) shows the ledger."""
    directory = results_dir(app)
    local = load_all(directory) if directory.is_dir() else []
    try:
        recorded = ledger.as_results(ledger.load(ledger_path(app)))
    except rstore.ResultsError as exc:
        logger.warning("verification: %s", exc, type="bookcheck", subtype="results")
        recorded = []
    have = {r.env for r in local}
    app.bookcheck_results = local + [r for r in recorded if r.env not in have]


def ledger_path(app) -> Path:
    return domain.layout(app).ledger


def results_dir(app) -> Path:
    return domain.layout(app).results


def fingerprint(app) -> list:
    directory = results_dir(app)
    files = sorted(directory.glob("*.json")) if directory.is_dir() else []
    files += [p for p in [ledger_path(app)] if p.exists()]
    return [(str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files]


def page_path(app, source: str) -> str:
    """The page as the checker names it: relative to the repository, with / separators."""
    path = Path(source).resolve()
    root = domain.layout(app).root
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
                       "unchecked": literal.get("bookcheck_unchecked", ""),
                       "revision": literal.get("bookcheck_revision", "")})
    store(env)[env.docname] = blocks


def store(env) -> dict:
    return domain.data(env)["transcripts"]


def matrix_docs(env) -> set:
    return domain.data(env)["matrix_docs"]


def outdated(app, env, added, changed, removed) -> list[str]:
    """Pages with transcripts are read again when the results changed."""
    now = fingerprint(app)
    if domain.data(env)["results_fingerprint"] == now:
        return []
    domain.data(env)["results_fingerprint"] = now
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
        state, text, _ = verdict(results, block)
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
    return nodes.make_id(f"row {block['display']} {block['line']} {block.get('revision', '')}")


def resolve(app, doctree, docname) -> None:
    add_marks(app, doctree, docname)


def setup(app):
    app.connect("builder-inited", load_results)
    app.connect("doctree-read", collect_blocks)
    app.connect("env-get-outdated", outdated)
    app.connect("env-get-updated", updated)
    app.connect("doctree-resolved", resolve)
