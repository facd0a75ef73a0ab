"""Finds transcript blocks in reStructuredText pages, with the lines each one occupies.

This reads the same directive syntax docutils does (name, option lines, blank line,
indented content) and hands the raw text to :func:`bookcheck.model.make_block`.
"""
from __future__ import annotations

import re
from pathlib import Path

from .model import KINDS, Block, BlockError, make_block

DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\.[ \t]+(?P<name>[\w-]+)::(?P<arg>.*)$")
OPTION = re.compile(r"^:(?P<name>[^:\s][^:]*):(?:[ \t]+(?P<value>.*))?$")


def find_pages(source_dir: Path) -> list[Path]:
    return sorted(p for p in source_dir.rglob("*.rst")
                  if not any(part.startswith(("_build", ".")) for part in p.parts))


def read_blocks(page: Path, display_path: str | None = None) -> list[Block]:
    """All transcript blocks of one page; raises BlockError for the first malformed one."""
    text = page.read_text(encoding="utf-8")
    return parse_blocks(text, display_path or str(page))


def parse_blocks(text: str, path: str) -> list[Block]:
    lines = text.splitlines()
    blocks = []
    for index, line in enumerate(lines):
        match = DIRECTIVE.match(line)
        if not match or match["name"] not in KINDS:
            continue
        blocks.append(_parse_one(lines, index, match, path))
    return blocks


def _parse_one(lines: list[str], index: int, match: re.Match, path: str) -> Block:
    lineno = index + 1
    if match["arg"].strip():
        raise BlockError(path, lineno, f"{match['name']} takes no argument, got "
                         f"{match['arg'].strip()!r}: put conditions in options like :python:")
    base = len(match["indent"].expandtabs())
    body = []  # (line number, text) of the directive's indented body
    for number in range(index + 1, len(lines)):
        text = lines[number]
        if text.strip() and len(text) - len(text.lstrip()) <= base:
            break
        body.append((number + 1, text))
    while body and not body[-1][1].strip():
        body.pop()

    options, position = {}, 0
    while position < len(body) and body[position][1].strip():
        number, text = body[position]
        option = OPTION.match(text.strip())
        if not option:
            if not options and position == 0:
                raise BlockError(path, number, "the transcript must be separated from the "
                                 "directive (and its options) by a blank line")
            raise BlockError(path, number, f"expected an option line ':name: value' or a "
                             f"blank line before the transcript, got {text.strip()!r}")
        name = option["name"].strip()
        if name in options:
            raise BlockError(path, number, f"option ':{name}:' given twice")
        options[name] = option["value"] or ""
        position += 1
    content = body[position:]
    while content and not content[0][1].strip():
        content.pop(0)
    indent = min((len(t) - len(t.lstrip()) for _, t in content if t.strip()), default=0)
    block = make_block(match["name"], options, [t[indent:] for _, t in content], path, lineno)
    if content:
        block.content_start, block.content_end = content[0][0], content[-1][0]
    return block


def content_indent(lines: list[str], block: Block) -> str:
    """The indentation of a block's content, to re-indent rewritten output with."""
    first = lines[block.content_start - 1]
    return first[: len(first) - len(first.lstrip())]
