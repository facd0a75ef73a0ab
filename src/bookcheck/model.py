"""The model of a transcript block, shared by the Sphinx directives and the checker.

Both sides hand the raw option strings and content lines to :func:`make_block`, so a
page and its check can never read a block differently, and a malformed block gets the
same message (with file and line) in the Sphinx build and in the checker.
"""
from __future__ import annotations

import hashlib
import re
import shlex
import signal
from dataclasses import dataclass, field, replace

from .options import DEFAULT_TIMEOUT, parse_env, parse_expect, parse_timeout, parse_traits
from .revisions import split as split_revisions
from .versions import parse_specifiers, version_matches

KINDS = {"pycon-session": "pycon", "console-session": "console"}


OPTIONS = {
    "python": "version specifier, e.g. '>=3.10' or '==3.11.*'",
    "build": "build traits, e.g. 'debug', 'release', 'debug, no-pymalloc'",
    "env": "environment variables, e.g. 'PYTHONMALLOC=debug'",
    "options": "interpreter options (pycon only), e.g. '-X showrefcount'",
    "expect": "'ok', 'exit N', 'fatal' or 'signal NAME'",
    "timeout": "seconds, e.g. '30'",
    "unchecked": "why no interpreter here can check this block",
    "needs": "builds the commands call by path, e.g. '3.11.2-refdebug-cflags'",
    "caption": "text shown before the generated conditions",
}

WILDCARD = "[...]"


class BlockError(Exception):
    """A malformed block: carries where it is so every caller can report file:line."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass(frozen=True)
class Outcome:
    """How a session ended: what a block expects (``:expect:``) and what a run did."""
    kind: str = "ok"  # ok | exit | fatal | signal | timeout
    value: int = 0

    def describe(self, expected: bool = False) -> str:
        """'exits with status 3' (expected) or 'exited with status 3' (seen)."""
        text = {"ok": ("runs normally", "ran normally"),
                "exit": (f"exits with status {self.value}", f"exited with status {self.value}"),
                "fatal": ("aborts with a Fatal Python error", "aborted with a Fatal Python error"),
                "timeout": ("times out", "timed out")}.get(self.kind)
        if text is None:
            name = signal.Signals(self.value).name
            text = (f"is killed by {name}", f"was killed by {name}")
        return text[0] if expected else text[1]

    def satisfies(self, expected: "Outcome") -> bool:
        return self.kind == expected.kind and (self.kind == "ok" or self.value == expected.value)


@dataclass(frozen=True)
class Conditions:
    specifiers: tuple = ()  # bookcheck.versions.Specifier, ...
    python_text: str = ""
    traits: tuple = ()  # ((trait, wanted), ...)

    def applies_to(self, version, traits: dict) -> tuple[bool, str]:
        """Whether an interpreter with this version and these traits runs the block."""
        if not version_matches(self.specifiers, version):
            return False, f"needs Python {self.python_text}"
        for trait, wanted in self.traits:
            if bool(traits.get(trait)) != wanted:
                return False, f"needs a build {'with' if wanted else 'without'} {trait}"
        return True, ""


@dataclass
class Block:
    kind: str  # pycon | console
    path: str
    line: int  # line of the directive, 1-based
    options: dict
    content: list
    conditions: Conditions = field(default_factory=Conditions)
    env: dict = field(default_factory=dict)
    interpreter_options: list = field(default_factory=list)
    expect: Outcome = field(default_factory=Outcome)
    timeout: float = DEFAULT_TIMEOUT
    unchecked: str = ""
    needs: tuple = ()  # builder prefixes (<version>-<variant>) the session calls by path
    caption: str = ""
    content_start: int = 0  # first and last line of the content, 1-based, for blessing
    content_end: int = 0
    revisions: tuple = ()  # bookcheck.revisions.Revision, ... (none: one expected output)
    revision: str = ""  # in a variant: the label of its revision
    revision_conditions: Conditions = field(default_factory=Conditions)

    @property
    def key(self) -> str:
        """Identifies the block's text, so results can be matched to an unedited block."""
        text = "\0".join([self.kind, *(f"{k}={v}" for k, v in sorted(self.options.items())),
                          *self.content, self.revision])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def variants(self) -> list["Block"]:
        """What runs and is shown: the block itself, or one block per revision."""
        if not self.revisions:
            return [self]
        found = []
        for revision in self.revisions:
            options = dict(revision.options)
            found.append(replace(
                self, content=self.content[revision.start:revision.end + 1], revisions=(),
                revision=revision.label, content_start=self.content_start + revision.start,
                content_end=self.content_start + revision.end,
                revision_conditions=Conditions(
                    parse_specifiers(options.get("python", "")), options.get("python", ""),
                    parse_traits(options.get("build", "")))))
        return found

    def applies_to(self, version, traits: dict) -> tuple[bool, str]:
        applies, why = self.conditions.applies_to(version, traits)
        if applies:
            applies, why = self.revision_conditions.applies_to(version, traits)
        return applies, why

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def describe_conditions(self) -> str:
        parts = []
        for conditions in (self.conditions, self.revision_conditions):
            if conditions.python_text:
                parts.append(f"Python {conditions.python_text}")
            for trait, wanted in conditions.traits:
                if trait == "debug":
                    parts.append("debug build" if wanted else "release build")
                else:
                    parts.append(trait if wanted else f"no {trait}")
        parts += [f"{k}={v}" for k, v in self.env.items()]
        if self.interpreter_options:
            parts.append(shlex.join(self.interpreter_options))
        if self.expect.kind != "ok":
            parts.append(self.expect.describe(expected=True))
        return ", ".join(parts)


def make_block(directive: str, options: dict, content: list, path: str, line: int) -> Block:
    """Validate a directive's raw options and content; raise BlockError on anything wrong."""
    kind = KINDS[directive]
    content = [c.rstrip() for c in content]
    while content and not content[-1]:
        content.pop()
    while content and not content[0]:
        content.pop(0)
    options = {k: (v or "").strip() for k, v in options.items()}

    def fail(message: str):
        raise BlockError(path, line, message)

    for name in options:
        if name not in OPTIONS:
            fail(f"unknown option ':{name}:' in {directive}; known options: "
                 + ", ".join(f":{o}:" for o in OPTIONS))
    if not content:
        fail(f"{directive} has no transcript: add the session after a blank line")
    block = Block(kind=kind, path=path, line=line, options=options, content=content)
    try:
        python = options.get("python", "")
        block.conditions = Conditions(parse_specifiers(python), python,
                                      parse_traits(options.get("build", "")))
        block.env = parse_env(options.get("env", ""))
        block.interpreter_options = shlex.split(options.get("options", ""))
        block.expect = parse_expect(options.get("expect", "ok"))
        block.timeout = parse_timeout(options.get("timeout", ""))
    except ValueError as exc:
        fail(str(exc))
    if kind == "console" and block.interpreter_options:
        fail(":options: applies to pycon-session only; write the options in the $ command")
    block.unchecked = options.get("unchecked", "")
    if "unchecked" in options and not block.unchecked:
        fail(":unchecked: needs a reason, e.g. ':unchecked: needs a 3.13 debug build'")
    block.caption = options.get("caption", "")
    block.needs = tuple(re.split(r"[,\s]+", options.get("needs", "").strip())) \
        if options.get("needs", "").strip() else ()
    for build in block.needs:
        if not re.fullmatch(r"\d+\.\d+\.\d+-[a-z][a-z-]*", build):
            fail(f"bad :needs: entry {build!r}: name a build as <version>-<variant>, "
                 "e.g. 3.11.2-trace-refs")
    try:
        block.revisions = tuple(split_revisions(content))
        for variant in block.variants():
            variant.revision_conditions  # parsed here, so a bad one is reported now
    except ValueError as exc:
        fail(str(exc))
    for variant in block.variants():
        _check_prompts(variant, fail)
    return block


def _check_prompts(block: Block, fail) -> None:
    first = block.content[0]
    where = f"revision {block.revision!r}: " if block.revision else ""
    if block.kind == "pycon" and not first.startswith(">>>"):
        fail(f"{where}a pycon-session starts with a '>>> ' line, not {first!r}")
    if block.kind == "console" and not first.startswith("$ "):
        fail(f"{where}a console-session starts with a '$ ' command line, not {first!r}")
