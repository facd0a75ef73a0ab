"""The ``pycon-session`` and ``console-session`` directives in the book.

They render as ordinary highlighted ``pycon``/``console`` blocks with a caption naming
their conditions. Reading and validation are :class:`bookcheck.reading.TranscriptDirective`,
the same class ``bookcheck read`` uses for the checker, so a malformed block fails the
Sphinx build with the checker's message, file and line.
"""
from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.directives.code import container_wrapper
from sphinx.util.docutils import SphinxDirective

from ..model import KINDS, BlockError
from ..reading import TranscriptDirective


STATIC = Path(__file__).resolve().parent / "static"
# The checker feeds a session to the interpreter on standard input, so it runs the basic
# REPL; a reader at a terminal on 3.13+ gets the new one, with a coloured prompt and
# "<python-input-0>" in tracebacks (seen by hand on a pty: 3.13.18, 3.14.10, 3.15.2).
REPL_NOTE = ("The >>> sessions on this page show Python's basic REPL: the one 3.12 and "
             "older always run, and the one 3.13 and later run when their input is not a "
             "terminal (or with PYTHON_BASIC_REPL=1). At a terminal, 3.13 and later start "
             "a new REPL that colours its output and names the input in tracebacks "
             "<python-input-0> instead of <stdin>; the sessions were not checked in it.")


class RenderedTranscript(TranscriptDirective, SphinxDirective):
    def run(self):
        try:
            block = self.block()
        except BlockError as exc:
            raise self.error(exc.message) from None
        return self.repl_note(block) + self.render_all(block)

    def repl_note(self, block) -> list[nodes.Node]:
        """Before a page's first ``>>>`` session: which REPL its sessions show."""
        if block.kind != "pycon" or self.env.temp_data.get("bookcheck_repl_noted"):
            return []
        self.env.temp_data["bookcheck_repl_noted"] = True
        return [nodes.paragraph("", REPL_NOTE, classes=["bookcheck-repl-note"])]

    def render_all(self, block) -> list[nodes.Node]:
        if not block.revisions:
            return self.render(block)
        # One panel per revision; in HTML a script turns the labels into tabs.
        group = nodes.container(classes=["bookcheck-revisions"])
        for variant in block.variants():
            panel = nodes.container(classes=["bookcheck-revision"])
            panel += nodes.paragraph("", variant.revision, classes=["bookcheck-revision-label"])
            panel.extend(self.render(variant))
            group += panel
        return [group]

    def render(self, block) -> list[nodes.Node]:
        text = "\n".join(block.content)
        literal = nodes.literal_block(text, text, language=KINDS[self.name])
        literal["bookcheck_key"] = block.key
        literal["bookcheck_unchecked"] = block.unchecked
        literal["bookcheck_revision"] = block.revision
        literal["classes"].append(f"bookcheck-{block.kind}")
        self.set_source_info(literal)
        caption = " · ".join(filter(None, [block.caption, block.revision,
                                           block.describe_conditions()]))
        if not caption:
            return [literal]
        return [container_wrapper(self, literal, caption)]


def add_static(app) -> None:
    app.config.html_static_path.append(str(STATIC))


def setup(app):
    for name in KINDS:
        app.add_directive(name, RenderedTranscript)
    app.connect("builder-inited", add_static)
    app.add_js_file("bookcheck-revisions.js")
    app.add_css_file("bookcheck-revisions.css")
