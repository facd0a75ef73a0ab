"""The ``pycon-session`` and ``console-session`` directives.

They render as ordinary highlighted ``pycon``/``console`` blocks with a caption naming
their conditions. Validation is :func:`bookcheck.model.make_block`, the same function the
checker uses, so a malformed block fails the Sphinx build with its file and line.
"""
from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.directives.code import container_wrapper
from sphinx.util.docutils import SphinxDirective

from ..model import KINDS, OPTIONS, BlockError, make_block


class AnyOption(dict):
    """Let every option through docutils, so make_block reports unknown ones itself."""

    def __missing__(self, key):
        return directives.unchanged


class TranscriptDirective(SphinxDirective):
    has_content = True
    required_arguments = 0
    optional_arguments = 0
    final_argument_whitespace = True
    # Non-empty on purpose: docutils parses no options at all when option_spec is falsy.
    option_spec = AnyOption({name: directives.unchanged for name in OPTIONS})

    def run(self):
        source, line = self.get_source_info()
        try:
            block = make_block(self.name, dict(self.options), list(self.content), source, line)
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
        app.add_directive(name, TranscriptDirective)
