"""PEP 440 version specifiers, for the versions CPython releases have.

The interpreters under test have no ``packaging``; this is the part of PEP 440 the book
needs: release numbers (``3.11``, ``3.11.2``), pre-releases (``3.14.0rc1``), and the
operators ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``~=`` and the ``.*`` prefix
matches. ``tests/test_versions.py`` compares it with ``packaging`` on many pairs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = re.compile(r"^(?P<release>\d+(?:\.\d+)*)(?:(?P<pre>a|b|rc)(?P<pre_n>\d+))?$")
SPECIFIER = re.compile(r"^(?P<op>~=|==|!=|<=|>=|<|>)\s*(?P<version>[0-9][0-9a-z.]*?)"
                       r"(?P<star>\.\*)?$")
PRE_ORDER = {"a": 0, "b": 1, "rc": 2}
FINAL = (3, 0)  # sorts after every pre-release


@dataclass(frozen=True, order=True)
class Version:
    release: tuple[int, ...]
    pre: tuple[int, int] = FINAL

    @classmethod
    def parse(cls, text: str) -> "Version":
        match = VERSION.match(text.strip())
        if not match:
            raise ValueError(f"not a version: {text!r}")
        release = tuple(int(n) for n in match["release"].split("."))
        while len(release) > 1 and release[-1] == 0:  # 3.11.0 == 3.11 (PEP 440 padding)
            release = release[:-1]
        pre = (PRE_ORDER[match["pre"]], int(match["pre_n"])) if match["pre"] else FINAL
        return cls(release, pre)

    @property
    def is_pre(self) -> bool:
        return self.pre != FINAL


@dataclass(frozen=True)
class Specifier:
    op: str
    version: str
    prefix: bool = False  # a '.*' match

    @classmethod
    def parse(cls, text: str) -> "Specifier":
        match = SPECIFIER.match(text.strip())
        if not match:
            raise ValueError(text)
        op, version, star = match["op"], match["version"], bool(match["star"])
        if star and op not in ("==", "!="):
            raise ValueError(text)
        if star and not re.fullmatch(r"\d+(\.\d+)*", version):
            raise ValueError(text)
        if op == "~=" and ("." not in version or star):
            raise ValueError(text)
        Version.parse(version)
        return cls(op, version, star)

    def contains(self, version: Version) -> bool:
        if self.prefix:
            wanted = tuple(int(n) for n in self.version.split("."))
            padded = version.release + (0,) * max(0, len(wanted) - len(version.release))
            same = padded[:len(wanted)] == wanted
            return same if self.op == "==" else not same
        spec = Version.parse(self.version)
        if self.op == "~=":
            stem = ".".join(self.version.split(".")[:-1])
            return version >= spec and Specifier("==", stem, True).contains(version)
        if self.op == "==":
            return version == spec
        if self.op == "!=":
            return version != spec
        if self.op == "<":  # not a pre-release of the version itself
            return version < spec and not (version.is_pre and not spec.is_pre
                                           and version.release == spec.release)
        if self.op == ">":
            return version > spec
        return {"<=": version <= spec, ">=": version >= spec}[self.op]


def parse_specifiers(text: str) -> tuple[Specifier, ...]:
    specs = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            specs.append(Specifier.parse(part))
        except ValueError:
            raise ValueError(f"bad :python: specifier {part!r}: use PEP 440 specifiers, e.g. "
                             "'>=3.12', '<3.14', '==3.13.*' or '~=3.11.2'") from None
    return tuple(specs)


def version_matches(specs: tuple[Specifier, ...], version: str | tuple) -> bool:
    """Whether a version satisfies every specifier (a pre-release interpreter is judged
    like any other, as ``packaging``'s ``contains`` does for one version)."""
    if isinstance(version, (tuple, list)):
        version = ".".join(str(n) for n in version)
    parsed = Version.parse(version)
    return all(spec.contains(parsed) for spec in specs)
