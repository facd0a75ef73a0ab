#!/usr/bin/env python3
"""Find the interpreter for a tox environment name such as ``py311-debug``.

Names are ``py3X-<kind>``, X from 10 to 14, kind one of ``release``, ``debug``,
``tracerefs``, ``nopymalloc``, ``asan``. ``find(name)`` looks, in this order:

1. ``$DEBUGBOOK_PYTHON_<NAME>``, the name upper-cased with ``-`` as ``_``
   (``DEBUGBOOK_PYTHON_PY311_DEBUG=/path/python``). If set, it is the only candidate:
   not executable, or not the right kind of build, is an error.
2. Builds made by ``tools/build_python.py``: ``<root>/cpython-3.X.N-<variant>/bin/python3``,
   highest N first. root is ``$DEBUGBOOK_PYTHONS``, else ``~/.local/share/debugbook/pythons``;
   variant is ``release``, ``debug``, ``trace-refs``, ``no-pymalloc`` or ``asan``.
3. debug only: Debian's ``/usr/bin/python3.Xd`` (package ``python3.X-dbg``).
4. release only: pyenv's ``$PYENV_ROOT/versions/3.X.N/bin/python3`` (``~/.pyenv`` when
   ``PYENV_ROOT`` is unset), plain versions only (no ``-dev``, ``t``, ``-debug``), highest N
   first; then ``/usr/bin/python3.X``.

Every candidate is run once to check that it is what the name says (version; debug or
not; trace refs; pymalloc; AddressSanitizer). Nothing is cached between processes.

CLI: ``interpreters.py NAME`` prints the path (exit 0) or says what was looked for and
the command that builds one (exit 3); ``--list`` prints a table of every name;
``--available`` and ``--all-names`` print names comma-separated.
"""

import argparse
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_python  # noqa: E402
import cpython_tarballs  # noqa: E402
import debian_source  # noqa: E402

MINORS = ["3.%d" % x for x in range(10, 15)]
KIND_TO_VARIANT = {"release": "release", "debug": "debug", "tracerefs": "trace-refs",
                   "nopymalloc": "no-pymalloc", "asan": "asan"}
SYSTEM_BIN = Path("/usr/bin")
# The probe of the brief, plus whether it was compiled with -fsanitize=address.
PROBE = ("import sys,sysconfig; print(sys.version_info[:2], bool(sysconfig.get_config_var("
         "'Py_DEBUG')), bool(sysconfig.get_config_var('Py_TRACE_REFS')), sysconfig.get_config_var("
         "'WITH_PYMALLOC'), '-fsanitize=address' in (sysconfig.get_config_var('CFLAGS') or ''))")
_PROBE_OUTPUT = re.compile(r"^\((\d+), (\d+)\) (True|False) (True|False) (\S+) (True|False)$")


@dataclass
class Found:
    name: str
    path: Optional[str] = None
    how: str = ""
    build_command: str = ""
    looked: List[str] = field(default_factory=list)
    error: str = ""

    def message(self):
        if self.path:
            return self.path
        if self.error:
            return "%s: %s" % (self.name, self.error)
        return "no interpreter for %s: looked for %s; make one with: %s" % (
            self.name, "; ".join(self.looked), self.build_command)


def all_names():
    return ["py%s-%s" % (m.replace(".", ""), kind) for m in MINORS for kind in KIND_TO_VARIANT]


def parse_name(name):
    match = re.match(r"^py3(1[0-4])-(%s)$" % "|".join(KIND_TO_VARIANT), name)
    if not match:
        raise ValueError("unknown environment name %r; known: %s" % (name, ", ".join(all_names())))
    return "3." + match.group(1), match.group(2)


def env_var(name):
    return "DEBUGBOOK_PYTHON_" + name.upper().replace("-", "_")


# The CPython version in Debian's python3.X source package, per Debian release, where
# it is in the checksum table: the builder then takes the source from Debian (FACTS.md).
# Asking apt-cache instead costs seconds per call.
DEBIAN_SOURCE_VERSIONS = {"bookworm": {"3.11": "3.11.2"}}


def suggested_version(minor):
    """The version to build: Debian's own if this is a Debian that has one, else the newest."""
    release = debian_source.os_release()
    if debian_source.is_debian(release):
        debian = DEBIAN_SOURCE_VERSIONS.get(release.get("VERSION_CODENAME"), {}).get(minor)
        if debian in cpython_tarballs.known_versions():
            return debian
    return cpython_tarballs.newest_for_minor(minor) or minor + ".0"


def build_command(minor, kind):
    return "make python VERSION=%s VARIANT=%s" % (suggested_version(minor), KIND_TO_VARIANT[kind])


def probe(python):
    """(version 'X.Y', debug, trace_refs, pymalloc, asan), or a string saying what went wrong."""
    try:
        result = subprocess.run([str(python), "-c", PROBE], capture_output=True, text=True,
                                timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        return "does not run (%s)" % error
    match = _PROBE_OUTPUT.match(result.stdout.strip())
    if result.returncode or not match:
        return "does not run (status %d: %s)" % (result.returncode,
                                                 (result.stderr or result.stdout).strip()[-200:])
    major, minor, debug, trace_refs, pymalloc, asan = match.groups()
    return ("%s.%s" % (major, minor), debug == "True", trace_refs == "True",
            pymalloc not in ("0", "None"), asan == "True")


def mismatch(traits, minor, kind):
    """Why an interpreter with ``traits`` is not one for (minor, kind); '' if it is."""
    if isinstance(traits, str):
        return traits
    version, debug, trace_refs, pymalloc, asan = traits
    if version != minor:
        return "is Python %s, not %s" % (version, minor)
    wanted = {"release": dict(debug=False, trace_refs=False),
              "debug": dict(debug=True, trace_refs=False, pymalloc=True),
              "tracerefs": dict(debug=True, trace_refs=True),
              "nopymalloc": dict(debug=True, trace_refs=False, pymalloc=False),
              "asan": dict(debug=True, asan=True)}[kind]
    have = dict(debug=debug, trace_refs=trace_refs, pymalloc=pymalloc, asan=asan)
    wrong = ["%s%s" % ("" if have[k] else "no ", k.replace("_", " "))
             for k, v in wanted.items() if have[k] != v]
    return "has %s, so it is not a %s build" % (", ".join(wrong), kind) if wrong else ""


def _by_patch(directories, pattern):
    """(patch, dir) for dirs whose name matches ``pattern`` (group 1 = patch), highest first."""
    hits = []
    for d in directories:
        match = re.match(pattern, d.name)
        if match:
            hits.append((int(match.group(1)), d))
    return [d for _, d in sorted(hits, key=lambda hit: hit[0], reverse=True)]


def pyenv_versions():
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"


def candidates(minor, kind):
    """[(path, how)] in search order, after the environment variable."""
    root = build_python.pythons_root()
    variant = KIND_TO_VARIANT[kind]
    built = _by_patch(root.glob("cpython-%s.*-%s" % (minor, variant)),
                      r"^cpython-%s\.(\d+)-%s$" % (re.escape(minor), re.escape(variant)))
    found = [(d / "bin" / "python3", "built by tools/build_python.py (%s)" % d.name)
             for d in built]
    if kind == "debug":
        found.append((SYSTEM_BIN / ("python%sd" % minor), "Debian python%s-dbg" % minor))
    if kind == "release":
        pyenv = pyenv_versions()
        for d in _by_patch(pyenv.glob(minor + ".*"), r"^%s\.(\d+)$" % re.escape(minor)):
            found.append((d / "bin" / "python3", "pyenv %s" % d.name))
        found.append((SYSTEM_BIN / ("python" + minor), "system python" + minor))
    return found


def find(name):
    minor, kind = parse_name(name)
    result = Found(name, build_command=build_command(minor, kind))
    override = os.environ.get(env_var(name))
    if override:
        result.how = "$" + env_var(name)
        if not (os.path.isfile(override) and os.access(override, os.X_OK)):
            result.error = "$%s=%s is not an executable file; fix or unset it" % (
                env_var(name), override)
        else:
            problem = mismatch(probe(override), minor, kind)
            if problem:
                result.error = "$%s=%s %s; fix or unset it" % (env_var(name), override, problem)
            else:
                result.path = override
        return result
    result.looked.append("$%s (unset)" % env_var(name))
    root = build_python.pythons_root()
    result.looked.append("%s/cpython-%s.*-%s/bin/python3" % (root, minor, KIND_TO_VARIANT[kind]))
    if kind == "release":
        result.looked.append("%s/%s.*/bin/python3" % (pyenv_versions(), minor))
    for path, how in candidates(minor, kind):
        if not os.access(str(path), os.X_OK):
            if Path(path).parent == SYSTEM_BIN:
                result.looked.append("%s (absent)" % path)
            continue
        problem = mismatch(probe(path), minor, kind)
        if problem:
            result.looked.append("%s (%s)" % (path, problem))
            continue
        result.path, result.how = str(path), how
        return result
    return result


def find_all(names):
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(find, names))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("name", nargs="?", help="e.g. py311-debug")
    group.add_argument("--list", action="store_true", help="table of every name")
    group.add_argument("--available", action="store_true", help="names that exist, a,b,c")
    group.add_argument("--all-names", action="store_true", help="every name, a,b,c")
    args = parser.parse_args(argv)
    if args.all_names:
        print(",".join(all_names()))
        return 0
    if args.list or args.available:
        results = find_all(all_names())
        if args.available:
            print(",".join(r.name for r in results if r.path))
            return 0
        for r in results:
            where = r.path or ("error: " + r.error if r.error else "missing: " + r.build_command)
            print("%-16s %s%s" % (r.name, where, "  [%s]" % r.how if r.path else ""))
        return 0
    try:
        result = find(args.name)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if result.path:
        print(result.path)
        return 0
    print(result.message(), file=sys.stderr)
    return 3


if __name__ == "__main__":
    sys.exit(main())
