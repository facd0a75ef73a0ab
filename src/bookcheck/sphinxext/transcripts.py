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


class RenderedTranscript(TranscriptDirective, SphinxDirective):
    def run(self):
        try:
            block = self.block()
        except BlockError as exc:
            raise self.error(exc.message) from None
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
