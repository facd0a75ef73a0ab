"""The list of blocks a run checks: written by ``bookcheck read`` in the tools venv (which
has docutils) and read by ``bookcheck run`` inside the interpreter under test (which has
not). The JSON holds each directive's raw options and content; the checker validates
them with the same :func:`bookcheck.model.make_block` the Sphinx build uses.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .config import ConfigError
from .model import Block, BlockError, make_block

FORMAT = 2
DIRECTIVES = {"pycon": "pycon-session", "console": "console-session"}


def _display(root: Path):
    def display(source: str) -> str:
        try:
            return Path(source).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return source
    return display


def _page(root: Path, name: str) -> Path:
    for candidate in (Path(name), root / name):
        if candidate.is_file():
            return candidate
    raise ConfigError(f"{name}: no such page (give a path to an .rst file, relative to the "
                      "current directory or to --root)")


def read_book(root: Path, srcdir: Path, pages: list[str]) -> dict:
    """Read pages (default: every page Sphinx reads) into the JSON listing."""
    from .reading import read_page, source_pages

    display = _display(root)
    files = [_page(root, p) for p in pages] if pages else source_pages(srcdir, srcdir / "conf.py")
    blocks, errors = [], []
    for page in files:
        found, malformed = read_page(page, srcdir, display)
        read_from = display(str(page))  # the page, where a block may be in a file it includes
        blocks += [{"directive": DIRECTIVES[b.kind], "options": b.options, "content": b.content,
                    "path": b.path, "line": b.line, "content_start": b.content_start,
                    "content_end": b.content_end, "page": read_from} for b in found]
        errors += [{"path": e.path, "line": e.line, "message": e.message, "page": read_from}
                   for e in malformed]
    return {"format": FORMAT, "pages": [display(str(p)) for p in files] if pages else None,
            "blocks": blocks, "errors": errors}


@dataclass
class Listing:
    blocks: list[Block]
    errors: list[BlockError]
    pages: set[str] | None  # the pages read; None for the whole book
    read_from: dict  # id(block or error) -> the page it was read from

    def blocks_and_errors(self):
        return self.blocks, self.errors


def from_json(data: dict) -> Listing:
    blocks, errors, read_from = [], [], {}
    for raw in data["errors"]:
        errors.append(BlockError(raw["path"], raw["line"], raw["message"]))
        read_from[id(errors[-1])] = raw["page"]
    for raw in data["blocks"]:
        try:
            block = make_block(raw["directive"], raw["options"], raw["content"], raw["path"],
                               raw["line"])
        except BlockError as exc:
            errors.append(exc)
            read_from[id(exc)] = raw["page"]
            continue
        block.content_start, block.content_end = raw["content_start"], raw["content_end"]
        blocks.append(block)
        read_from[id(block)] = raw["page"]
    pages = set(data["pages"]) if data["pages"] is not None else None
    return Listing(blocks, errors, pages, read_from)


def load_blocks(path: str | None, paths: dict, pages: list[str]) -> Listing:
    """The blocks from a JSON listing, or read here when docutils is importable."""
    if path is None:
        try:
            import docutils  # noqa: F401
        except ImportError:
            raise ConfigError(
                "this interpreter has no docutils to read the pages: read them in the tools "
                "venv first, then pass the list:\n  .venv/bin/python -m bookcheck read --out "
                ".cache/blocks.json [pages]\n  python -m bookcheck run --blocks "
                ".cache/blocks.json --env NAME [pages]") from None
        return from_json(read_book(paths["root"], paths["source"], pages))
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        listing = from_json(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path}: not a block list of 'bookcheck read' ({exc}): run "
                          ".venv/bin/python -m bookcheck read --out " + path) from None
    wanted = {_display(paths["root"])(str(_page(paths["root"], p))) for p in pages}
    if listing.pages is not None and not wanted <= listing.pages:
        raise ConfigError(f"{path} lists the blocks of {', '.join(sorted(listing.pages))}, "
                          f"not of {', '.join(sorted(wanted)) or 'the whole book'} (was another "
                          "check started at the same time?): read the pages again")
    if pages:
        listing.blocks = [b for b in listing.blocks if listing.read_from[id(b)] in wanted]
        listing.errors = [e for e in listing.errors if listing.read_from[id(e)] in wanted]
        listing.pages = wanted
    return listing
