"""The correct C examples are clean under Valgrind's memcheck; a broken one is reported.

One memcheck run calls every correct function of ``examples/c``: each ``name_fixed``
twin, and every function that has no ``_fixed`` twin and is not listed in
``DELIBERATELY_BROKEN``. A second run calls three broken functions. Both use
``PYTHONMALLOC=malloc``, so every block comes from ``malloc`` and memcheck sees it, on a
debug build without pymalloc (``py311-nopymalloc``, or any ``py3X-nopymalloc`` that
``tools/interpreters.py`` finds), else on Debian's ``python3.11d``. Without either, or
without Valgrind, the tests are skipped with the command that provides them.

An error report counts against the examples when one of its stack frames is code of
``examples/c``: a function of ``<module>.c`` (``write_past_end (memory_bugs.c:75)``), or
of its compiled module when there is no line information. Reports whose every
frame is CPython's are not the examples' bugs: CPython 3.11 itself reports some with
plain ``malloc`` (gh-119022), which the chapter ``valgrind.rst`` shows. For the same
reason the exit status (``--error-exitcode``) of the clean run is not asserted.

A new correct function is checked without any change here; if it needs arguments, add
them to ``ARGUMENTS``. A new deliberately broken function needs a ``_fixed`` twin or an
entry in ``DELIBERATELY_BROKEN``, or this test reports it.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "c"
SUPPRESSIONS = Path("/usr/lib/valgrind/python3.supp")
DEBIAN_DEBUG = Path("/usr/bin/python3.11d")
TIMEOUT = 600

# Broken on purpose, with no ``_fixed`` twin: (module, function).
DELIBERATELY_BROKEN = {
    # Reads the debug hooks' header and trailer around a block: outside the block.
    ("debug_hooks", "show_block_layout"),
    # A bytes object, which has no free list, read and released after its last reference
    # is gone: the 3.14+ stand-ins for the int and tuple demonstrations.
    ("refcount_bugs", "access_after_free_bytes"),
    ("refcount_bugs", "double_decref_bytes"),
}
# Positional arguments of correct functions that need some.
ARGUMENTS = {
    ("refcount_bugs", "leak_new_reference_fixed"): (1024 * 1024, 100),
    ("leak_finder", "record_list_fixed"): (100,),
    ("abi_probe", "make_and_release"): (1000,),
    ("gdb_target", "value_type_name_fixed"): ({"depth": 3}, "depth"),
    ("gdb_target", "squares_without_gil_fixed"): (3,),
    ("race", "count_up_fixed"): (1000,),
    ("quickstart", "shout_fixed"): ("hello " * 100,),
    ("quickstart", "fill_buffer_fixed"): (10,),
    ("leaky", "tag_fixed"): (12345,),
    ("leaky", "scratch_fixed"): (64,),
    ("leaky", "get_fixed"): ({"n": 12345}, "n"),
}
# The broken calls of the second run and what memcheck must say about each.
EXPECTED_REPORTS = {
    "write_past_end": ("memory_bugs.write_past_end(10)",
                       ["Invalid write of size 1", "0 bytes after a block of size 10 alloc'd"]),
    "read_freed_memory": ("memory_bugs.read_freed_memory()",
                          ["Invalid read of size 1", "16 bytes inside a block of size 32 free'd"]),
    "leak_raw_memory": ("memory_bugs.leak_raw_memory(100)",
                        ["100 bytes in 1 blocks are definitely lost"]),
}
MODULES = sorted(p.stem for p in EXAMPLES.glob("*.c"))
FRAME = re.compile(r"^\s+(?:at|by) 0x[0-9A-Fa-f]+: (?P<function>\S+) \((?P<where>[^)]*)\)")
PREFIX = re.compile(r"^==\d+== ?")


def find_interpreter():
    """(path, description) of a debug interpreter for memcheck, or skip saying how to get one."""
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import interpreters
    finally:
        sys.path.pop(0)
    build_command = None
    for minor in reversed(interpreters.MINORS):
        name = "py%s-nopymalloc" % minor.replace(".", "")
        if name not in interpreters.all_names():
            continue
        found = interpreters.find(name)
        if found.path:
            return found.path, "%s (%s)" % (name, found.path)
        if minor == "3.11":
            build_command = found.build_command
    if os.access(DEBIAN_DEBUG, os.X_OK):
        return str(DEBIAN_DEBUG), "Debian's python3.11d"
    pytest.skip("no interpreter for the Valgrind tests: build a debug interpreter without "
                "pymalloc with '%s', or install Debian's python3.11-dbg "
                "(apt-get install python3.11-dbg)" % build_command)


@pytest.fixture(scope="module")
def memcheck(tmp_path_factory):
    """A function running Python code under memcheck with the compiled examples importable."""
    valgrind = shutil.which("valgrind")
    if not valgrind:
        pytest.skip("valgrind is not installed: apt-get install valgrind (or make system-test)")
    python, description = find_interpreter()
    cache = tmp_path_factory.mktemp("valgrind-examples")
    code = ("import sys; from pathlib import Path; from bookcheck.build import build_examples; "
            "print(build_examples(Path(sys.argv[1]), Path(sys.argv[2]), quiet=True)[0])")
    built = subprocess.run([python, "-c", code, str(EXAMPLES), str(cache)],
                           env=dict(clean_environment(), PYTHONPATH=str(REPO / "src")),
                           capture_output=True, text=True, timeout=TIMEOUT)
    assert built.returncode == 0, f"compiling the examples for {description} failed:\n" \
                                  f"{built.stdout}{built.stderr}"
    build_dir = built.stdout.strip().splitlines()[-1]
    env = dict(clean_environment(), PYTHONPATH=build_dir, PYTHONMALLOC="malloc")
    options = ["--error-exitcode=99", "--leak-check=full", "--errors-for-leak-kinds=definite",
               "--show-leak-kinds=definite", "--num-callers=30"]
    if SUPPRESSIONS.exists():  # Debian's package python3; it matches nothing on 3.10+
        options.append(f"--suppressions={SUPPRESSIONS}")
    logs = tmp_path_factory.mktemp("valgrind-logs")

    def run(name: str, script: str):
        log = logs / f"{name}.log"
        command = [valgrind, *options, f"--log-file={log}", python, "-c", script]
        result = subprocess.run(command, env=env, capture_output=True, text=True,
                                timeout=TIMEOUT)
        text = log.read_text() if log.exists() else ""
        return Run(description, command, result, text)

    run.python, run.env = python, env
    return run


def clean_environment() -> dict:
    return {k: v for k, v in os.environ.items()
            if not k.startswith("PYTHON") and k != "VIRTUAL_ENV"}


class Run:
    """One memcheck run: its command, the process's output, and Valgrind's error reports."""

    def __init__(self, description, command, result, log):
        self.description, self.command, self.result, self.log = \
            description, command, result, log
        self.reports = error_reports(log)

    def explain(self) -> str:
        return (f"interpreter: {self.description}\n$ {' '.join(self.command)}\n"
                f"exit status {self.result.returncode}\n--- stdout\n{self.result.stdout}"
                f"--- stderr\n{self.result.stderr}--- valgrind log\n{self.log}")


def error_reports(log: str) -> list:
    """Valgrind's log cut into paragraphs; the ones with stack frames are error reports."""
    paragraphs, current = [], []
    for line in log.splitlines():
        line = PREFIX.sub("", line)
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return ["\n".join(p) for p in paragraphs if any(FRAME.match(line) for line in p)]


def example_frames(report: str, modules) -> list:
    """(function, frame) for each frame of a report that is code of these example modules.

    By where the frame is, not by its function's name, which CPython may share (it has a
    ``set_new`` of its own): ``(memory_bugs.c:75)``, or ``(in .../memory_bugs.cpython-...so)``
    for code without line information. An inlined header function (``Py_DECREF
    (object.h:527)``) is followed by the example's frame at the same address.
    """
    hits = []
    for line in report.splitlines():
        frame = FRAME.match(line)
        if not frame:
            continue
        where = frame["where"]
        if any(where.startswith(f"{m}.c:") or (where.startswith("in ") and f"/{m}." in where)
               for m in modules):
            hits.append((frame["function"], line.strip()))
    return hits


def clean_calls(memcheck) -> list:
    """(module, function) of every correct function, found by importing each example."""
    script = ("import importlib, json, sys, types\n"
              "out = {}\n"
              "for name in sys.argv[1:]:\n"
              "    module = importlib.import_module(name)\n"
              "    out[name] = sorted(n for n in dir(module)\n"
              "                       if isinstance(getattr(module, n), types.BuiltinFunctionType))\n"
              "print(json.dumps(out))\n")
    listed = subprocess.run([memcheck.python, "-c", script, *MODULES], env=memcheck.env,
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert listed.returncode == 0, listed.stderr
    calls = []
    for module, names in json.loads(listed.stdout).items():
        for name in names:
            if name + "_fixed" in names or (module, name) in DELIBERATELY_BROKEN:
                continue
            calls.append((module, name))
    return calls


@pytest.fixture(scope="module")
def clean_run(memcheck):
    calls = clean_calls(memcheck)
    assert ("memory_bugs", "write_past_end_fixed") in calls, calls
    lines = ["import " + ", ".join(MODULES)]
    for module, name in calls:
        arguments = ARGUMENTS.get((module, name), ())
        lines.append(f"{module}.{name}(*{arguments!r})")
        lines.append(f"print('called {module}.{name}', flush=True)")
    lines.append("print('all calls returned', flush=True)")
    return calls, memcheck("clean", "\n".join(lines))


def test_every_correct_function_ran_under_memcheck(clean_run):
    calls, run = clean_run
    assert "all calls returned" in run.result.stdout, (
        "a correct function raised or crashed under memcheck (if it needs arguments, add "
        "them to ARGUMENTS in tests/test_valgrind.py):\n" + run.explain())
    for module, name in calls:
        assert f"called {module}.{name}" in run.result.stdout, run.explain()
    assert "ERROR SUMMARY" in run.log, "Valgrind wrote no summary:\n" + run.explain()


@pytest.mark.parametrize("module", MODULES)
def test_no_error_report_names_the_examples(clean_run, module):
    calls, run = clean_run
    guilty = [(report, example_frames(report, [module])) for report in run.reports]
    guilty = [(report, frames) for report, frames in guilty if frames]
    assert not guilty, (
        f"memcheck reported errors in the correct functions of {module} "
        f"({', '.join(n for m, n in calls if m == module)}):\n\n"
        + "\n\n".join(report for report, _ in guilty) + "\n\n" + run.explain())


@pytest.fixture(scope="module")
def broken_run(memcheck):
    script = "import memory_bugs\n" + "\n".join(call for call, _ in EXPECTED_REPORTS.values())
    return memcheck("broken", script)


@pytest.mark.parametrize("function", sorted(EXPECTED_REPORTS))
def test_broken_function_is_reported(broken_run, function):
    _, wanted = EXPECTED_REPORTS[function]
    found = [report for report in broken_run.reports
             if all(text in report for text in wanted)
             and function in (name for name, _ in example_frames(report, ["memory_bugs"]))]
    assert found, (f"memcheck did not report {function} with {wanted}:\n"
                   + broken_run.explain())
    assert broken_run.result.returncode == 99, broken_run.explain()


def test_report_parsing_attributes_frames():
    """The parser itself, on a report of the shape Valgrind 3.19 prints."""
    log = ("==7== Invalid write of size 1\n"
           "==7==    at 0x595A348: write_past_end (memory_bugs.c:75)\n"
           "==7==    by 0x499C5B1: cfunction_call (methodobject.c:551)\n"
           "==7==  Address 0x574069a is 0 bytes after a block of size 10 alloc'd\n"
           "==7==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck.so)\n"
           "==7== \n"
           "==7== Conditional jump or move depends on uninitialised value(s)\n"
           "==7==    at 0x2ABFE2: maybe_small_long (longobject.c:71)\n"
           "==7== \n"
           "==7== ERROR SUMMARY: 2 errors from 2 contexts (suppressed: 0 from 0)\n")
    reports = error_reports(log)
    assert len(reports) == 2
    assert example_frames(reports[0], MODULES) == [
        ("write_past_end", "at 0x595A348: write_past_end (memory_bugs.c:75)")]
    assert example_frames(reports[1], MODULES) == []
    assert example_frames(reports[0], ["refcount_bugs"]) == []
    unnamed = "Invalid read of size 8\n   at 0x1: ??? (in /tmp/x/refcount_bugs.cpython-311d.so)"
    assert example_frames(unnamed, ["refcount_bugs"]) == [
        ("???", "at 0x1: ??? (in /tmp/x/refcount_bugs.cpython-311d.so)")]
    cpython = "Invalid read of size 8\n   at 0x1: set_new (setobject.c:1)"
    assert example_frames(cpython, MODULES) == []
