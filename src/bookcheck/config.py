"""Reads the checker's settings from the book's ``conf.py`` without running it.

``conf.py`` is Sphinx's; the checker runs inside interpreters that have no Sphinx, so it
takes the literal values of the ``bookcheck_*`` assignments with :mod:`ast`.
"""
from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    replacement: str


def read_settings(conf_py: Path, also: tuple = ()) -> dict:
    """The literal ``bookcheck_*`` assignments of conf.py, and those named in ``also``."""
    try:
        tree = ast.parse(conf_py.read_text(encoding="utf-8"), str(conf_py))
    except (OSError, SyntaxError) as exc:
        raise ConfigError(f"{conf_py}: cannot read the book's configuration: {exc}") from exc
    settings = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) \
                and (node.targets[0].id.startswith("bookcheck_")
                     or node.targets[0].id in also):
            try:
                settings[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError as exc:
                raise ConfigError(f"{conf_py}:{node.lineno}: {node.targets[0].id} must be a "
                                  f"literal (strings, numbers, lists, tuples): {exc}") from exc
    return settings


BUILDS_ROOT_TOKEN = "<builds-root>"


def builds_root() -> Path:
    """Where tools/build_python.py installs interpreters (its documented convention; the
    builder runs outside the checker's environments, so the rule is stated here too)."""
    return Path(os.environ.get("DEBUGBOOK_PYTHONS")
                or Path.home() / ".local" / "share" / "debugbook" / "pythons")


def normalisation_rules(conf_py: Path) -> list[Rule]:
    """The ordered rules of ``bookcheck_normalise``: (name, regular expression, replacement).

    In a pattern, ``<builds-root>`` stands for this machine's builder root
    (``$DEBUGBOOK_PYTHONS``), which differs from machine to machine.
    """
    raw = read_settings(conf_py).get("bookcheck_normalise", [])
    rules = []
    for index, entry in enumerate(raw):
        if not (isinstance(entry, (list, tuple)) and len(entry) == 3
                and all(isinstance(part, str) for part in entry)):
            raise ConfigError(f"{conf_py}: bookcheck_normalise[{index}] must be a "
                              "(name, pattern, replacement) tuple of strings")
        name, pattern, replacement = entry
        pattern = pattern.replace(BUILDS_ROOT_TOKEN, re.escape(str(builds_root())))
        try:
            rules.append(Rule(name, re.compile(pattern, re.MULTILINE), replacement))
        except re.error as exc:
            raise ConfigError(f"{conf_py}: bookcheck_normalise rule {name!r}: bad "
                              f"pattern {pattern!r}: {exc}") from exc
    return rules
