"""Reads the checker's settings from the book's ``conf.py`` without running it.

``conf.py`` is Sphinx's; the checker runs inside interpreters that have no Sphinx, so it
takes the literal values of the ``bookcheck_*`` assignments with :mod:`ast`. This module
owns the settings' names and defaults: the Sphinx extension registers the same ones
(:data:`DEFAULTS`) and resolves paths with the same :func:`resolve_layout`.
"""
from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path


class ConfigError(Exception):
    pass


# Where the checker looks for conf.py under --root when --conf is not given.
DEFAULT_CONF = "doc/sphinx/source/conf.py"
DEFAULT_WARNING_FLAGS = ["-Wall", "-Wextra", "-Werror"]
# Every setting of conf.py the checker or the extension reads, with its default. Paths are
# relative to conf.py's directory.
DEFAULTS = {
    "bookcheck_examples_dir": "../../../examples/c",
    "bookcheck_results_dir": "../../../.results",
    "bookcheck_repo_root": "../../..",
    "bookcheck_ledger": "verification-ledger.json",
    "bookcheck_warning_flags": DEFAULT_WARNING_FLAGS,
    "bookcheck_normalise": [],
    # The command a failure report gives for accepting the new output ({python}, {env} and
    # {page} are filled in); a book with a wrapper of its own (a make target) names it here.
    "bookcheck_bless_command": "{python} -m bookcheck run --env {env} --force --run bless "
                               "{page} && bookcheck bless --run bless --envs {env} {page}",
}


@dataclass(frozen=True)
class Layout:
    """Where a book's parts are, resolved from its conf.py."""
    conf: Path
    root: Path  # page paths in results and the ledger are relative to it
    examples: Path
    results: Path
    ledger: Path
    warning_flags: tuple[str, ...]
    bless_command: str = DEFAULTS["bookcheck_bless_command"]

    @property
    def source(self) -> Path:
        return self.conf.parent


def resolve_layout(conf_py: Path, settings: dict) -> Layout:
    """The book's paths from its settings (defaults for those not set). A path that
    cannot be right is an error naming the setting, the path and conf.py."""
    conf_py = conf_py.resolve()
    values = {**DEFAULTS, **{k: v for k, v in settings.items() if k in DEFAULTS}}
    for name in ("bookcheck_examples_dir", "bookcheck_results_dir", "bookcheck_repo_root",
                 "bookcheck_ledger"):
        if not isinstance(values[name], str):
            raise ConfigError(f"{conf_py}: {name} must be a string (a path relative to "
                              f"conf.py), not {values[name]!r}")
    paths = {name: (conf_py.parent / values[name]).resolve() for name in
             ("bookcheck_examples_dir", "bookcheck_results_dir", "bookcheck_repo_root",
              "bookcheck_ledger")}

    def wrong(name: str, what: str) -> ConfigError:
        return ConfigError(f"{conf_py}: {name} = {values[name]!r} is {paths[name]}, {what}: "
                           f"set {name} in conf.py to the right path, relative to conf.py's "
                           f"directory (default {DEFAULTS[name]!r})")

    root = paths["bookcheck_repo_root"]
    if not root.is_dir():
        raise wrong("bookcheck_repo_root", "which is not a directory")
    if not conf_py.parent.is_relative_to(root):
        raise wrong("bookcheck_repo_root", "which does not contain the pages (the results "
                    "name each page relative to it)")
    if not paths["bookcheck_examples_dir"].is_dir():
        raise wrong("bookcheck_examples_dir", "which is not a directory of C examples")
    results = paths["bookcheck_results_dir"]
    if results.exists() and not results.is_dir() or not results.parent.is_dir():
        raise wrong("bookcheck_results_dir", "where no results directory can be")
    if not paths["bookcheck_ledger"].parent.is_dir():
        raise wrong("bookcheck_ledger", "in a directory that does not exist")
    flags = values["bookcheck_warning_flags"]
    if not (isinstance(flags, (list, tuple)) and all(isinstance(f, str) for f in flags)):
        raise ConfigError(f"{conf_py}: bookcheck_warning_flags must be a list of compiler "
                          f"flags (strings), not {flags!r}")
    try:
        values["bookcheck_bless_command"].format(python="python", env="env", page="page")
    except (AttributeError, KeyError, IndexError, ValueError) as exc:
        raise ConfigError(f"{conf_py}: bookcheck_bless_command must be a string whose only "
                          f"fields are {{python}}, {{env}} and {{page}} ({exc!r})") from None
    return Layout(conf_py, root, paths["bookcheck_examples_dir"], results,
                  paths["bookcheck_ledger"], tuple(flags), values["bookcheck_bless_command"])


def read_layout(conf_py: Path) -> Layout:
    """The book's layout from the literal settings of its conf.py."""
    if not conf_py.is_file():
        raise ConfigError(f"{conf_py}: no such file: give the book's Sphinx configuration "
                          f"with --conf PATH (default: ROOT/{DEFAULT_CONF}, ROOT from --root)")
    return resolve_layout(conf_py, read_settings(conf_py))


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
