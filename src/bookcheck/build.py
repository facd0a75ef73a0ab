"""Compiles the C examples into extension modules for one interpreter, cached.

Each ``<examples>/<module>.c`` becomes ``<module><EXT_SUFFIX>`` in a directory of its own
per interpreter, beside the checker's own probe (``buildprobe``, from
``bookcheck/probe/buildprobe.c``). A module is recompiled only when its source, the
headers' identity, the compiler or the flags change, so a second run compiles nothing.

An example whose first line is a condition, ``/* bookcheck: python >= 3.13 */`` (PEP 440
specifiers, comma-separated), is compiled only on the interpreters it names.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from .config import DEFAULT_WARNING_FLAGS
from .interpreter import base_executable
from .versions import parse_specifiers, version_matches

WARNINGS = DEFAULT_WARNING_FLAGS
DEBUG_FLAGS = ["-Og", "-g"]
PROBE = Path(__file__).resolve().parent / "probe" / "buildprobe.c"
CONDITION = re.compile(r"^/\*\s*bookcheck:\s*(?P<key>\w+)\s*(?P<specs>[^*]*?)\s*\*/\s*$")


class BuildError(Exception):
    pass


def is_debug_interpreter() -> bool:
    return bool(sysconfig.get_config_var("Py_DEBUG"))


def extra_compile_args(debug: bool, warnings=None) -> list[str]:
    """The flags every example is compiled with, on top of the interpreter's own
    (``warnings``: the book's ``bookcheck_warning_flags``)."""
    return list(WARNINGS if warnings is None else warnings) + (DEBUG_FLAGS if debug else [])


def compiler() -> list[str]:
    return shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")


def compile_command(source: Path, target: Path, warnings=None) -> list[str]:
    """What setuptools would run for this interpreter, plus the book's flags."""
    config = sysconfig.get_config_var
    flags = shlex.split(config("CFLAGS") or "") + shlex.split(config("CCSHARED") or "")
    include = sysconfig.get_paths()["include"]
    return [*compiler(), *flags, *extra_compile_args(is_debug_interpreter(), warnings),
            f"-I{include}", "-shared", source.name, "-o", str(target)]


def interpreter_identity() -> str:
    """A short hash naming this interpreter's ABI: where it lives and how it was built."""
    parts = [sys.version, os.path.realpath(base_executable()),
             sysconfig.get_config_var("EXT_SUFFIX") or "", sysconfig.get_config_var("CFLAGS") or "",
             sysconfig.get_paths()["include"]]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:12]


def condition(source: Path) -> str:
    """The specifiers of the file's ``/* bookcheck: python ... */`` first line, or ''."""
    with source.open(encoding="utf-8", errors="replace") as stream:
        first = stream.readline().strip()
    if not first.startswith("/*") or "bookcheck:" not in first:
        return ""
    match = CONDITION.match(first)
    if not match or match["key"] != "python":
        raise BuildError(f"{source}:1: a condition reads '/* bookcheck: python >= 3.13 */' "
                         f"(PEP 440 specifiers, comma-separated), not {first!r}")
    try:
        parse_specifiers(match["specs"])
    except ValueError as exc:
        raise BuildError(f"{source}:1: {exc}") from None
    return match["specs"]


def example_sources(examples_dir: Path) -> list[Path]:
    """The book's examples, and the probe (a link to it in the examples is not compiled twice)."""
    sources = sorted(examples_dir.glob("*.c"))
    if not sources:
        raise BuildError(f"{examples_dir}: no C examples found (expected *.c files there; "
                         "bookcheck_examples_dir of conf.py says where they are)")
    examples = [s for s in sources if s.resolve() != PROBE]
    for source in examples:
        if source.stem == PROBE.stem:
            raise BuildError(f"{source}: the module name {PROBE.stem!r} is the checker's own "
                             "probe (always compiled, importable in every session): rename "
                             "the example, or remove it and import the checker's")
    return [PROBE, *examples]


def build_examples(examples_dir: Path, cache_root: Path, quiet: bool = False,
                   warnings=None) -> tuple[Path, str]:
    """Compile every example for the running interpreter; returns (directory, a digest of
    what was compiled and how, for knowing when a check must run again)."""
    sources = example_sources(examples_dir)
    out = (cache_root / f"{sys.implementation.cache_tag}-{interpreter_identity()}").resolve()
    out.mkdir(parents=True, exist_ok=True)
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    digests = []
    for source in sources:
        target = out / f"{source.stem}{suffix}"
        specs = condition(source)
        if specs and not version_matches(parse_specifiers(specs), sys.version_info[:3]):
            digests.append(f"{source.name} skipped")
            target.unlink(missing_ok=True)
            if not quiet:
                print(f"not compiled: {source.name} needs python {specs}; this is "
                      f"{sys.version.split()[0]}", file=sys.stderr)
            continue
        stamp = out / f"{source.stem}.stamp"
        command = compile_command(source, target, warnings)
        digest = hashlib.sha256(source.read_bytes() + json.dumps(command).encode()).hexdigest()
        digests.append(digest)
        if target.exists() and stamp.exists() and stamp.read_text() == digest:
            continue
        _compile(source, target, stamp, digest, command)
        if not quiet:
            print(f"compiled {source.name} -> {target}", file=sys.stderr)
    return out, hashlib.sha256("".join(digests).encode()).hexdigest()[:16]


def _compile(source: Path, target: Path, stamp: Path, digest: str, final: list) -> None:
    """Compile to a name of this process's own, then rename: two runs at once on a cold
    cache each write whole files."""
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{source.stem}.",
                                       suffix=".so.partial")
    os.close(handle)
    command = [partial if part == str(target) else part for part in final]
    try:
        # Run beside the source so __FILE__ (seen in CPython's assertion messages) is the
        # bare file name on every machine.
        result = subprocess.run(command, capture_output=True, text=True, cwd=source.parent)
        if result.returncode != 0:
            raise BuildError(f"compiling {source} for {sys.executable} failed "
                             f"(exit {result.returncode}):\n$ {shlex.join(command)}\n"
                             f"{result.stdout}{result.stderr}")
        os.replace(partial, target)
        handle, stamp_partial = tempfile.mkstemp(dir=target.parent, prefix=f".{stamp.name}.")
        with os.fdopen(handle, "w") as stream:
            stream.write(digest)
        os.replace(stamp_partial, stamp)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
