"""``example-include``: shows the lines of a C example (a file of ``bookcheck_examples_dir``)
between named anchors.

It is ``literalinclude`` with the line range taken from ``// ANCHOR:`` markers, so a page
never holds C the compiler does not see. A missing, duplicated or unclosed anchor in any
example fails the build, whether or not a page includes it.
"""
from __future__ import annotations

import os
from pathlib import Path

from docutils.parsers.rst import directives
from sphinx.directives.code import LiteralInclude
from sphinx.errors import ExtensionError

from ..anchors import AnchorError, anchor_lines, check_all
from .domain import layout


def examples_dir(app) -> Path:
    return layout(app).examples


class ExampleInclude(LiteralInclude):
    option_spec = {**LiteralInclude.option_spec, "anchor": directives.unchanged_required}

    def run(self):
        name = self.arguments[0]
        path = examples_dir(self.env.app) / name
        if not path.is_file():
            raise self.error(f"example-include: no file {name!r} in "
                             f"{self.config.bookcheck_examples_dir}")
        if "anchor" not in self.options:
            raise self.error("example-include needs ':anchor: <function name>'")
        try:
            first, last = anchor_lines(path, self.options["anchor"])
        except AnchorError as exc:
            raise self.error(str(exc)) from None
        here = Path(self.env.doc2path(self.env.docname)).parent
        self.arguments[0] = os.path.relpath(path, here)
        self.options.setdefault("language", "c")
        self.options["lines"] = f"{first}-{last}"
        self.options.setdefault("lineno-match", True)
        self.options.setdefault("caption", os.path.relpath(path, layout(self.env.app).root))
        return super().run()


class GuardedLiteralInclude(LiteralInclude):
    """``literalinclude`` of anything but the examples: C from ``examples/c`` comes in
    only by anchors, never by ``:lines:`` that stop matching when the file changes."""

    def run(self):
        _, path = self.env.relfn2path(self.arguments[0])
        if Path(path).resolve().is_relative_to(examples_dir(self.env.app)):
            raise self.error(f"literalinclude of {self.arguments[0]}: the C examples are "
                             "shown with '.. example-include:: <file>' and ':anchor: "
                             "<function>', so the lines shown are what the anchors enclose")
        return super().run()


def check_anchors(app) -> None:
    problems = check_all(examples_dir(app))
    if problems:
        raise ExtensionError("broken anchors in the C examples:\n" + "\n".join(problems))


def setup(app):
    app.add_directive("example-include", ExampleInclude)
    app.add_directive("literalinclude", GuardedLiteralInclude, override=True)
    app.connect("builder-inited", check_anchors)
