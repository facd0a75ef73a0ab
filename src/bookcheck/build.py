"""Compiles the C examples into extension modules for one interpreter, cached.

Each ``examples/c/<module>.c`` becomes ``<module><EXT_SUFFIX>`` in a directory of its own
per interpreter. A module is recompiled only when its source, the headers' identity, the
compiler or the flags change, so a second run compiles nothing.
"""
from __future__ import annotations

import hashlib
import json
import os
import shlex
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from .interpreter import base_executable

WARNINGS = ["-Wall", "-Wextra", "-Werror"]
DEBUG_FLAGS = ["-Og", "-g"]


class BuildError(Exception):
    pass


def is_debug_interpreter() -> bool:
    return bool(sysconfig.get_config_var("Py_DEBUG"))


def extra_compile_args(debug: bool) -> list[str]:
    """The flags every example is compiled with, on top of the interpreter's own."""
    return WARNINGS + (DEBUG_FLAGS if debug else [])


def compiler() -> list[str]:
    return shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")


def compile_command(source: Path, target: Path) -> list[str]:
    """What setuptools would run for this interpreter, plus the project's flags."""
    config = sysconfig.get_config_var
    flags = shlex.split(config("CFLAGS") or "") + shlex.split(config("CCSHARED") or "")
    include = sysconfig.get_paths()["include"]
    return [*compiler(), *flags, *extra_compile_args(is_debug_interpreter()),
            f"-I{include}", "-shared", source.name, "-o", str(target)]


def interpreter_identity() -> str:
    """A short hash naming this interpreter's ABI: where it lives and how it was built."""
    parts = [sys.version, os.path.realpath(base_executable()),
             sysconfig.get_config_var("EXT_SUFFIX") or "", sysconfig.get_config_var("CFLAGS") or "",
             sysconfig.get_paths()["include"]]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:12]


def build_examples(examples_dir: Path, cache_root: Path, quiet: bool = False) -> tuple[Path, str]:
    """Compile every example for the running interpreter; returns (directory, a digest of
    what was compiled and how, for knowing when a check must run again)."""
    sources = sorted(examples_dir.glob("*.c"))
    if not sources:
        raise BuildError(f"{examples_dir}: no C examples found (expected examples/c/*.c)")
    out = (cache_root / f"{sys.implementation.cache_tag}-{interpreter_identity()}").resolve()
    out.mkdir(parents=True, exist_ok=True)
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    digests = []
    for source in sources:
        target = out / f"{source.stem}{suffix}"
        stamp = out / f"{source.stem}.stamp"
        command = compile_command(source, target)
        digest = hashlib.sha256(source.read_bytes() + json.dumps(command).encode()).hexdigest()
        digests.append(digest)
        if target.exists() and stamp.exists() and stamp.read_text() == digest:
            continue
        _compile(source, target, stamp, digest)
        if not quiet:
            print(f"compiled {source.name} -> {target}", file=sys.stderr)
    return out, hashlib.sha256("".join(digests).encode()).hexdigest()[:16]


def _compile(source: Path, target: Path, stamp: Path, digest: str) -> None:
    """Compile to a name of this process's own, then rename: two runs at once on a cold
    cache each write whole files."""
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{source.stem}.",
                                       suffix=".so.partial")
    os.close(handle)
    command = compile_command(source, Path(partial))
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
