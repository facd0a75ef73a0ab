"""Builds each examples/c/<topic>.c as the extension module <topic>, with the same warning
and debug flags the checker compiles them with (bookcheck.build).

The tools venv installs only the checker (``make .venv/.installed`` sets
DEBUGBOOK_CHECKER_ONLY): the checker compiles the examples for each interpreter itself,
and modules built for the venv's Python must not land in src/ beside it."""
import os
import sys
from pathlib import Path

from setuptools import Extension, setup

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
from bookcheck.build import extra_compile_args, interpreter_identity, is_debug_interpreter  # noqa: E402

setup(
    ext_modules=[] if os.environ.get("DEBUGBOOK_CHECKER_ONLY") else [
        Extension(source.stem, [str(source)],
                  extra_compile_args=extra_compile_args(is_debug_interpreter()))
        for source in sorted(Path("examples/c").glob("*.c"))
    ],
    # A debug and a trace-refs build share an extension suffix but not an ABI: give each
    # interpreter its own build directory so one never reuses the other's objects.
    options={"build": {"build_base": f"build/{interpreter_identity()}"}},
)
