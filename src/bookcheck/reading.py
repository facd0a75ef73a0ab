"""The one reading of the pages: docutils (the parser Sphinx uses) finds the transcript
blocks, in the tools venv. The Sphinx extension's directives derive from
:class:`TranscriptDirective` too, so a page and its check read a block the same way:
indentation (tabs included), options over several lines, a directive shown inside a
literal block or a comment (which is no directive), pages in ``exclude_patterns``.
"""
from __future__ import annotations

import re
from pathlib import Path

from docutils import frontend, nodes, utils
from docutils.parsers.rst import Directive, Parser, directives
from docutils.parsers.rst.directives.misc import Include
from docutils.parsers.rst.languages import en as rst_english

from .config import read_settings
from .model import KINDS, OPTIONS, BlockError, make_block

# Sphinx's directives whose content is not reStructuredText; any other directive docutils
# does not know (only, versionadded, tab-item, ...) has its content read as the page's.
LITERAL_DIRECTIVES = {"code-block", "sourcecode", "literalinclude", "example-include",
                      "highlight", "productionlist", "toctree", "graphviz", "digraph", "graph",
                      "doxygenfile", "doxygenfunction", "example-api", "example-sources",
                      "verification-matrix", "index", "autosummary", "testcode", "doctest"}
DIRECTIVE_NAME = re.compile(r"^\s*\.\.\s+([\w:.+-]+)::", re.MULTILINE)


class AnyOption(dict):
    """Let every option through docutils, so make_block reports unknown ones itself."""

    def __missing__(self, key):
        return directives.unchanged


class TranscriptDirective(Directive):
    """``pycon-session`` and ``console-session``: the block of the model, from docutils."""
    has_content = True
    required_arguments = 0
    optional_arguments = 1  # refused by block(), with a message saying what to do
    final_argument_whitespace = True
    # Non-empty on purpose: docutils parses no options at all when option_spec is falsy.
    option_spec = AnyOption({name: directives.unchanged for name in OPTIONS})

    def block(self, display_path=None):
        source, line = self.state_machine.get_source_and_line(self.lineno)
        path = display_path(source) if display_path else source
        if self.arguments:
            argument = self.arguments[0]
            if argument.startswith((">>>", "$ ")) or "\n" in argument:
                raise BlockError(path, line + 1, "the transcript must be separated from the "
                                 "directive (and its options) by a blank line")
            raise BlockError(path, line, f"{self.name} takes no argument, got {argument!r}: "
                             "put conditions in options like :python:")
        # content_offset is the 0-based line of the first content line in its source.
        offset = self.content_offset - (self.lineno - line)
        _check_outdent(list(self.content), path, offset + 1)
        block = make_block(self.name, dict(self.options), list(self.content), path, line)
        block.content_start = offset + 1 + _leading_blank(self.content)
        block.content_end = block.content_start + len(block.content) - 1
        return block


def _check_outdent(content: list[str], path: str, first_line: int) -> None:
    """docutils indents a block by its least indented line: a line further left than the
    transcript's first one shifts the whole transcript. Name that line."""
    lines = [(n, text) for n, text in enumerate(content) if text.strip()]
    if not lines or not lines[0][1][:1].isspace():
        return
    first = len(lines[0][1]) - len(lines[0][1].lstrip())
    for number, text in lines:
        if len(text) - len(text.lstrip()) < first:
            raise BlockError(path, first_line + number, "this line is indented less than the "
                             "transcript's first line: indent it like the lines above")


def _leading_blank(content) -> int:
    count = 0
    for line in content:
        if line.strip():
            break
        count += 1
    return count


class Collecting(TranscriptDirective):
    def run(self):
        document = self.state.document
        try:
            document.bookcheck_blocks.append(self.block(document.bookcheck_display))
        except BlockError as exc:
            document.bookcheck_errors.append(exc)
        return []


class Nested(Directive):
    """A directive Sphinx knows and docutils does not: its content is read as the page's."""
    has_content = True
    optional_arguments = 10
    final_argument_whitespace = True
    option_spec = AnyOption()

    def run(self):
        if self.name in LITERAL_DIRECTIVES:
            return []
        holder = nodes.container()
        self.state.nested_parse(self.content, self.content_offset, holder)
        return holder.children


class SourceInclude(Include):
    """Sphinx's include: a path starting with / is relative to the source directory."""

    def run(self):
        if self.arguments[0].startswith("/"):
            srcdir = self.state.document.bookcheck_srcdir
            self.arguments[0] = str(srcdir / self.arguments[0].lstrip("/"))
        return super().run()


def read_page(page: Path, srcdir: Path, display) -> tuple[list, list[BlockError]]:
    """The blocks and the malformed ones of one page."""
    try:
        text = page.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = page.read_bytes()[:exc.start].count(b"\n") + 1
        return [], [BlockError(display(str(page)), line, "the page is not UTF-8 "
                               f"({exc.reason} at byte {exc.start}): save it as UTF-8")]
    return parse_text(text, str(page), srcdir, display)


def parse_text(text: str, source: str, srcdir: Path | None = None,
               display=None) -> tuple[list, list[BlockError]]:
    """The blocks and the malformed ones of a page's text, as docutils reads it."""
    settings = frontend.get_default_settings(Parser)
    settings.report_level = settings.halt_level = 5
    settings.warning_stream = _Silent()
    settings.file_insertion_enabled = True
    settings.tab_width = 8
    document = utils.new_document(source, settings)
    document.bookcheck_blocks, document.bookcheck_errors = [], []
    document.bookcheck_display = display
    document.bookcheck_srcdir = srcdir or Path(source).parent
    registered = dict(directives._directives)  # restored below: Sphinx shares the registry
    try:
        for name in KINDS:  # always: an included file may hold blocks too
            directives.register_directive(name, Collecting)
        directives.register_directive("include", SourceInclude)
        for name in set(DIRECTIVE_NAME.findall(text)) - set(KINDS) - {"include"}:
            if directives.directive(name, rst_english, document)[0] is None:
                directives.register_directive(name, Nested)
        Parser().parse(text, document)
        document.bookcheck_errors += _directive_errors(document, display)
    finally:
        directives._directives.clear()
        directives._directives.update(registered)
    return document.bookcheck_blocks, document.bookcheck_errors


def _directive_errors(document, display) -> list[BlockError]:
    """docutils' own errors in a transcript directive (a duplicated option, a broken
    option list), which stop it before make_block sees it."""
    errors = []
    for message in document.findall(nodes.system_message):
        text = message.children[0].astext() if message.children else ""
        if message["level"] >= 3 and any(f'"{name}" directive' in text for name in KINDS):
            source = message.get("source") or document["source"]
            path = display(source) if display else source
            errors.append(BlockError(path, message.get("line", 0),
                                     " ".join(text.split("\n")[:2])))
    return errors


class _Silent:
    def write(self, text):
        pass


def source_pages(srcdir: Path, conf: Path) -> list[Path]:
    """Every page Sphinx reads: the .rst files not matched by ``exclude_patterns``."""
    from sphinx.util.matching import Matcher

    settings = read_settings(conf, ("exclude_patterns",))
    excluded = Matcher(list(settings.get("exclude_patterns", [])))
    return sorted(p for p in srcdir.rglob("*.rst")
                  if not excluded(p.relative_to(srcdir).as_posix())
                  and not any(part.startswith(".") for part in p.relative_to(srcdir).parts))
