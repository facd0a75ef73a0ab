"""The "Verification report" page: ``.. verification-matrix::`` renders every transcript
of the book against every interpreter of the results, and the interpreters with their
labels and paths. The results and the per-block verdicts come from :mod:`.verification`.
"""
from __future__ import annotations

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from .verification import CELL, matrix_docs, page_row_id, store, verdict

class verification_matrix(nodes.General, nodes.Element):
    """Replaced by the report once every page has been read."""


class VerificationMatrix(SphinxDirective):
    has_content = False

    def run(self):
        matrix_docs(self.env).add(self.env.docname)
        return [verification_matrix("")]


def book_order(env) -> list[str]:
    """Docnames in reading order (the toctree from the root), then any others."""
    order, seen = [], set()

    def walk(doc):
        if doc in seen:
            return
        seen.add(doc)
        order.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(env.config.root_doc)
    return order + sorted(d for d in store(env) if d not in seen)


def build_matrix(app, docname) -> list[nodes.Node]:
    results, env = app.bookcheck_results, app.env
    rows = [(doc, block) for doc in book_order(env) for block in store(env).get(doc, [])]
    output: list[nodes.Node] = []
    if not results:
        output.append(nodes.paragraph("", f"No results in this build: {len(rows)} transcript "
                                      "blocks are listed unchecked. Check the book (bookcheck run), then build "
                                      "the book."))
    table, counts = matrix_table(app, docname, rows)
    if results:
        output.append(nodes.paragraph("", (
            f"{len(rows)} transcript blocks on {len(results)} interpreters: "
            f"{counts['pass']} checked and passing, {counts['fail']} failing, "
            f"{counts['unchecked']} not checked here (with the reason), "
            f"{counts['edited']} edited since the last check, "
            f"{counts['none']} not checked in this build.")))
    output.append(table if rows else
                  nodes.paragraph("", "The book has no transcript blocks yet."))
    output.append(nodes.rubric("", "Interpreters"))
    output.append(interpreter_list(results) if results else
                  nodes.paragraph("", "None: no results were found in this build."))
    return output


def matrix_table(app, docname, rows) -> tuple[nodes.table, dict]:
    results = app.bookcheck_results
    envs = [r.env for r in results]
    table = nodes.table(classes=["bookcheck-matrix"])
    group = nodes.tgroup(cols=len(envs) + 2)
    table += group
    group += nodes.colspec(colwidth=30)
    for _ in envs:
        group += nodes.colspec(colwidth=8)
    group += nodes.colspec(colwidth=40)
    head = nodes.thead()
    group += head
    head += row_of(["Transcript block", *envs, "Where it stands"])
    body = nodes.tbody()
    group += body
    counts = {"pass": 0, "fail": 0, "unchecked": 0, "edited": 0, "none": 0}
    for doc, block in rows:
        state, text, cells = verdict(results, block)
        counts[state] += 1
        link = nodes.reference("", "", internal=True,
                               refuri=app.builder.get_relative_uri(docname, doc) + "#"
                               + block["id"])
        revision = f" ({block['revision']})" if block.get("revision") else ""
        link += nodes.literal("", f"{block['display']}:{block['line']}{revision}")
        row = row_of([nodes.paragraph("", "", link), *(CELL[cells[e].status] for e in envs),
                      text], classes=[f"bookcheck-{state}"])
        row["ids"].append(page_row_id(block))
        for entry, env_name in zip(row.children[1:-1], envs):
            status = cells[env_name].status
            entry["classes"].append("bookcheck-cell-" + (status or "none").replace("/", ""))
        body += row
    return table, counts


def interpreter_list(results) -> nodes.bullet_list:
    interpreters = nodes.bullet_list()
    for run in results:
        info = run.interpreter
        traits = ", ".join(name for name, on in sorted(info.get("traits", {}).items()) if on)
        days = sorted(r.checked[:10] for r in run.records if r.checked)
        checked = f"checked {days[0]} to {days[-1]}" if days and days[0] != days[-1] \
            else f"checked {days[0]}" if days else "no check recorded"
        item = nodes.paragraph("", "", nodes.strong("", run.env),
                               nodes.Text(f": {info['label']}"
                                          f"{' — ' if info.get('path') else ''}"),
                               nodes.literal("", info.get("path", "")),
                               nodes.Text(f"; from: {info.get('origin') or 'not recorded'}"
                                          f"; traits: {traits or 'none'}; {checked}"))
        interpreters += nodes.list_item("", item)
    return interpreters


def row_of(cells, classes=()) -> nodes.row:
    row = nodes.row(classes=list(classes))
    for cell in cells:
        entry = nodes.entry()
        entry += cell if isinstance(cell, nodes.Node) else nodes.paragraph("", str(cell))
        row += entry
    return row


def resolve(app, doctree, docname) -> None:
    for node in list(doctree.findall(verification_matrix)):
        node.replace_self(build_matrix(app, docname))


def setup(app):
    app.add_node(verification_matrix)
    app.add_directive("verification-matrix", VerificationMatrix)
    app.connect("doctree-resolved", resolve)
