"""The ``pycon-session`` and ``console-session`` directives in the book.

They render as ordinary highlighted ``pycon``/``console`` blocks with a caption naming
their conditions. Reading and validation are :class:`bookcheck.reading.TranscriptDirective`,
the same class ``bookcheck read`` uses for the checker, so a malformed block fails the
Sphinx build with the checker's message, file and line.
"""
from __future__ import annotations

from docutils import nodes
from sphinx.directives.code import container_wrapper
from sphinx.util.docutils import SphinxDirective

from ..model import KINDS, BlockError
from ..reading import TranscriptDirective


class RenderedTranscript(TranscriptDirective, SphinxDirective):
    def run(self):
        try:
            block = self.block()
        except BlockError as exc:
            raise self.error(exc.message) from None
        text = "\n".join(block.content)
        literal = nodes.literal_block(text, text, language=KINDS[self.name])
        literal["bookcheck_key"] = block.key
        literal["bookcheck_unchecked"] = block.unchecked
        literal["classes"].append(f"bookcheck-{block.kind}")
        self.set_source_info(literal)
        caption = " · ".join(filter(None, [block.caption, block.describe_conditions()]))
        if not caption:
            return [literal]
        return [container_wrapper(self, literal, caption)]


def setup(app):
    for name in KINDS:
        app.add_directive(name, RenderedTranscript)
