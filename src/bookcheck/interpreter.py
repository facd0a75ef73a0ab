"""What the running interpreter is, decided by a compiled probe and by the interpreter itself.

Build traits come from ``buildprobe.compiled_with()``: the ``#ifdef`` s of the headers an
extension is compiled against, so conditions are decided by the real interpreter and never
by an environment's name.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import platform
import sys
import sysconfig
from pathlib import Path


def base_executable() -> str:
    """The interpreter itself, not a virtual environment's launcher or the tox runner's
    link to it."""
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def allocator_in_use(flags: dict) -> str:
    # pymem_getallocatorsname() is in _testcapi on 3.10-3.12, _testinternalcapi from 3.13.
    for module in ("_testinternalcapi", "_testcapi"):
        try:
            return importlib.import_module(module).pymem_getallocatorsname()
        except (ImportError, AttributeError, RuntimeError):
            continue
    chosen = os.environ.get("PYTHONMALLOC")
    if chosen:
        return chosen + " (from PYTHONMALLOC)"
    default = "pymalloc" if flags.get("WITH_PYMALLOC") else "malloc"
    return default + "_debug" if flags.get("Py_DEBUG") else default


def _load_probe(probe_dir: Path):
    """The compiled probe, from its file (nothing is added to sys.path)."""
    path = probe_dir / ("buildprobe" + sysconfig.get_config_var("EXT_SUFFIX"))
    loader = importlib.machinery.ExtensionFileLoader("buildprobe", str(path))
    spec = importlib.util.spec_from_file_location("buildprobe", path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def describe(probe_dir: Path) -> dict:
    """Everything the checker and a reader want to know about this interpreter."""
    flags = dict(_load_probe(probe_dir).compiled_with())
    traits = {
        "debug": bool(flags.get("Py_DEBUG")),
        "trace-refs": bool(flags.get("Py_TRACE_REFS")),
        "pymalloc": bool(flags.get("WITH_PYMALLOC")),
        "asan": bool(flags.get("address_sanitizer")),
        "tsan": bool(flags.get("thread_sanitizer")),
        "free-threading": bool(flags.get("Py_GIL_DISABLED")),
        # --with-valgrind changes only the interpreter (pymalloc steps aside under
        # Valgrind), not the headers, so it is read from the interpreter's own config.
        "valgrind": bool(sysconfig.get_config_var("WITH_VALGRIND")),
    }
    version = platform.python_version()
    return {
        "path": base_executable(),
        "version": version,
        "version_info": list(sys.version_info[:3]),
        "label": label(version, traits),
        "traits": traits,
        "compiled_with": flags,
        "ref_debug": bool(flags.get("Py_REF_DEBUG")),
        "allocator": allocator_in_use(flags),
        "abiflags": getattr(sys, "abiflags", ""),
        "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX"),
        "loads_suffixes": list(importlib.machinery.EXTENSION_SUFFIXES),
        "config_args": sysconfig.get_config_var("CONFIG_ARGS") or "",
        # Set by the tox runner (toxfile.py): where tools/interpreters.py found it.
        "origin": os.environ.get("DEBUGBOOK_INTERPRETER_ORIGIN", ""),
    }


def label(version: str, traits: dict) -> str:
    words = ["debug" if traits["debug"] else "release"]
    words += [t for t in ("trace-refs", "asan", "tsan", "free-threading") if traits.get(t)]
    if not traits["pymalloc"]:
        words.append("no-pymalloc")
    return f"CPython {version} " + " ".join(words)


def format_report(info: dict) -> str:
    flags = info["compiled_with"]
    rows = [
        ("interpreter", info["path"]),
        ("version", info["version"]),
        ("build", info["label"]),
        ("Py_DEBUG", flags.get("Py_DEBUG")),
        ("Py_REF_DEBUG", flags.get("Py_REF_DEBUG")),
        ("Py_TRACE_REFS", flags.get("Py_TRACE_REFS")),
        ("WITH_PYMALLOC", flags.get("WITH_PYMALLOC")),
        ("allocator in use", info["allocator"]),
        ("AddressSanitizer", flags.get("address_sanitizer")),
        ("ThreadSanitizer", flags.get("thread_sanitizer")),
        ("free-threading", flags.get("Py_GIL_DISABLED")),
        ("ABIFLAGS", repr(info["abiflags"])),
        ("EXT_SUFFIX", info["ext_suffix"]),
        ("loads suffixes", " ".join(info["loads_suffixes"])),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)
