"""Revisions: one block, several expected outputs, each for a group of interpreters
(rustc's compiletest calls them revisions). Inside a transcript block::

    .. pycon-session::

       .. revision:: 3.11 to 3.13
          :python: <3.14

       >>> statement
       output of 3.11 to 3.13

       .. revision:: 3.14 and later
          :python: >=3.14

       >>> statement
       output of 3.14 and later

Each revision is a complete transcript with its own ``:python:`` and ``:build:`` on top of
the block's. An interpreter runs the one revision that applies to it; the book shows the
revisions as tabs that stay in step across the book; bless writes into the revision that
ran; the matrix counts each revision as a block.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MARKER = re.compile(r"^\.\. revision::(?P<label>.*)$")
OPTION = re.compile(r"^\s+:(?P<name>[a-z]+):(?P<value>.*)$")
REVISION_OPTIONS = ("python", "build")


@dataclass(frozen=True)
class Revision:
    label: str
    options: tuple  # ((name, value), ...) of :python: and :build:
    start: int  # index in the block's content of the revision's first transcript line
    end: int  # index of its last line


def split(content: list[str]) -> list[Revision]:
    """The revisions of a block's content, [] for a block without; ValueError if malformed."""
    markers = [n for n, line in enumerate(content) if MARKER.match(line)]
    if not markers:
        return []
    if markers[0] != 0:
        raise ValueError("a block with revisions starts with '.. revision:: <label>'; "
                         f"move {content[0]!r} into a revision")
    revisions = []
    for index, start in enumerate(markers):
        stop = markers[index + 1] if index + 1 < len(markers) else len(content)
        revisions.append(_one(content, start, stop))
    labels = [r.label for r in revisions]
    for label in labels:
        if labels.count(label) > 1:
            raise ValueError(f"two revisions are labelled {label!r}: give each its own label")
    return revisions


def _one(content: list[str], start: int, stop: int) -> Revision:
    label = MARKER.match(content[start])["label"].strip()
    if not label:
        raise ValueError(".. revision:: needs a label, the tab the book shows "
                         "(e.g. '.. revision:: 3.14 and later')")
    options, position = [], start + 1
    while position < stop and OPTION.match(content[position]):
        option = OPTION.match(content[position])
        if option["name"] not in REVISION_OPTIONS:
            raise ValueError(f"revision {label!r}: unknown option ':{option['name']}:'; "
                             "a revision takes :python: and :build:")
        options.append((option["name"], option["value"].strip()))
        position += 1
    while position < stop and not content[position].strip():
        position += 1
    end = stop - 1
    while end >= position and not content[end].strip():
        end -= 1
    if end < position:
        raise ValueError(f"revision {label!r} has no transcript: add it after a blank line")
    return Revision(label, tuple(options), position, end)
