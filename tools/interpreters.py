#!/usr/bin/env python3
"""Find the interpreter for a tox environment name such as ``py314-debug``.

Names are ``py3X-<kind>``, X from 11 to 15, kind one of ``release``, ``debug``,
``tracerefs``, ``nopymalloc``, ``asan``, ``freethreading`` (free-threaded debug),
``tsan`` (free-threaded, ThreadSanitizer).
``find(name)`` looks, in this order:

1. ``$DEBUGBOOK_PYTHON_<NAME>``, the name upper-cased with ``-`` as ``_``
   (``DEBUGBOOK_PYTHON_PY311_DEBUG=/path/python``). If set, it is the only candidate:
   not executable, or not the right kind of build, is an error.
2. Builds made by ``tools/build_python.py``: ``<root>/cpython-3.X.N-<variant>/bin/python3``,
   highest N first. root is ``$DEBUGBOOK_PYTHONS``, else ``~/.local/share/debugbook/pythons``.
3. release and debug of 3.13 to 3.15: Debian sid's ``/usr/bin/python3.X`` and
   ``/usr/bin/python3.Xd`` inside the root filesystem ``<root>/debian-sid``
   (``tools/sid_root.py``), run through bubblewrap (``tools/sandbox.py``).
4. debug: this machine's Debian ``/usr/bin/python3.Xd`` (package ``python3.X-dbg``).
5. release: pyenv's ``$PYENV_ROOT/versions/3.X.N/bin/python3`` (``~/.pyenv`` when
   ``PYENV_ROOT`` is unset), plain versions only, highest N first; then
   ``/usr/bin/python3.X``.

Every candidate is run once to check that it is what the name says (version; debug or
not; trace refs; pymalloc; Address- or ThreadSanitizer; free threading).

CLI: ``interpreters.py NAME`` prints the path (exit 0) or says what was looked for and
the command that provisions one (exit 3); ``--exec NAME -- ARGS`` runs the interpreter
(inside its root filesystem if it has one); ``--list`` prints a table of every name;
``--available`` and ``--all-names`` print names comma-separated.
"""

import argparse
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_python  # noqa: E402
import sandbox  # noqa: E402
import sid_root  # noqa: E402
from interpreter_probe import TRAITS, mismatch, probe  # noqa: E402,F401

REPO = Path(__file__).resolve().parents[1]
MINORS = ["3.%d" % x for x in range(11, 16)]
KIND_TO_VARIANT = {"release": "release", "debug": "debug", "tracerefs": "trace-refs",
                   "nopymalloc": "no-pymalloc", "asan": "asan",
                   "freethreading": "freethreading", "tsan": "freethreading-tsan"}
SYSTEM_BIN = Path("/usr/bin")
ROOT_FS_BIN = Path("/usr/bin")  # where Debian's interpreters are inside a root filesystem
# What the book's source builds are made from, per minor: the CPython that Debian's
# source packages hold here (tools/cpython-sha256.txt says where each checksum is from).
SOURCE_VERSIONS = {"3.11": "3.11.2", "3.13": "3.13.15"}


@dataclass
class Found:
    name: str
    path: Optional[str] = None
    how: str = ""
    root: Optional[str] = None  # the root filesystem the interpreter runs in, if any
    build_command: str = ""
    looked: List[str] = field(default_factory=list)
    error: str = ""
    version: str = ""  # e.g. 3.14.10, when found

    def message(self):
        if self.path:
            return self.path
        if self.error:
            return "%s: %s" % (self.name, self.error)
        return "no interpreter for %s: looked for %s; make one with: %s" % (
            self.name, "; ".join(self.looked), self.build_command)

    def argv(self):
        """How to run the interpreter from this machine."""
        return command(self.path, self.root)


def command(path, root=None):
    if root is None:
        return [str(path)]
    return sandbox.prefix(root, share=(REPO, build_python.pythons_root())) + [str(path)]


def kinds_of(minor):
    """The kinds this book provides for ``minor``: release and debug for every one, the
    source-built variants where the book has a source, free threading from 3.13."""
    kinds = ["release", "debug"]
    if minor in SOURCE_VERSIONS:
        kinds += [k for k in KIND_TO_VARIANT if k not in kinds
                  and (k not in ("freethreading", "tsan") or minor >= "3.13")]
    return kinds


def all_names():
    return ["py%s-%s" % (m.replace(".", ""), kind) for m in MINORS for kind in kinds_of(m)]


def parse_name(name):
    match = re.match(r"^py3(1[1-5])-(%s)$" % "|".join(KIND_TO_VARIANT), name)
    if not match or name not in all_names():
        raise ValueError("unknown environment name %r; known: %s" % (name, ", ".join(all_names())))
    return "3." + match.group(1), match.group(2)


def env_var(name):
    return "DEBUGBOOK_PYTHON_" + name.upper().replace("-", "_")


def packaged_in_sid(minor, kind):
    return minor in sid_root.MINORS and kind in ("release", "debug")


def build_command(minor, kind):
    if packaged_in_sid(minor, kind):
        return "make pythons   (Debian sid's python%s%s, in a root filesystem)" % (
            minor, "-dbg" if kind == "debug" else "")
    version = SOURCE_VERSIONS.get(minor)
    if version is None:
        return ("none can be had here (no CPython %s source or package); set %s to one you "
                "have" % (minor, env_var("py%s-%s" % (minor.replace(".", ""), kind))))
    return "make python VERSION=%s VARIANT=%s" % (version, KIND_TO_VARIANT[kind])


def _by_patch(directories, pattern):
    """dirs whose name matches ``pattern`` (group 1 = patch), highest patch first."""
    hits = []
    for d in directories:
        match = re.match(pattern, d.name)
        if match:
            hits.append((int(match.group(1)), d))
    return [d for _, d in sorted(hits, key=lambda hit: hit[0], reverse=True)]


def pyenv_versions():
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"


def candidates(minor, kind):
    """[(path, how, root)] in search order, after the environment variable."""
    root = build_python.pythons_root()
    variant = KIND_TO_VARIANT[kind]
    built = _by_patch(root.glob("cpython-%s.*-%s" % (minor, variant)),
                      r"^cpython-%s\.(\d+)-%s$" % (re.escape(minor), re.escape(variant)))
    found = [(d / "bin" / "python3", "built from source (%s)" % d.name, None) for d in built]
    sid = sid_root.location(root)
    if packaged_in_sid(minor, kind) and sid_root.is_ready(sid):
        binary = "python%s%s" % (minor, "d" if kind == "debug" else "")
        found.append((ROOT_FS_BIN / binary, "Debian sid python%s%s (in %s/)"
                      % (minor, "-dbg" if kind == "debug" else "", sid.name), str(sid)))
    if kind == "debug":
        found.append((SYSTEM_BIN / ("python%sd" % minor), "Debian python%s-dbg" % minor, None))
    if kind == "release":
        for d in _by_patch(pyenv_versions().glob(minor + ".*"), r"^%s\.(\d+)$" % re.escape(minor)):
            found.append((d / "bin" / "python3", "pyenv %s" % d.name, None))
        found.append((SYSTEM_BIN / ("python" + minor), "system python" + minor, None))
    return found


def _exists(path, root):
    where = Path(root) / Path(path).relative_to("/") if root else Path(path)
    return os.access(str(where), os.X_OK) or where.is_symlink()


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
            traits = probe([override])
            problem = mismatch(traits, minor, kind)
            if problem:
                result.error = "$%s=%s %s; fix or unset it" % (env_var(name), override, problem)
            else:
                result.path, result.version = override, traits["full_version"]
        return result
    result.looked.append("$%s (unset)" % env_var(name))
    root = build_python.pythons_root()
    result.looked.append("%s/cpython-%s.*-%s/bin/python3" % (root, minor, KIND_TO_VARIANT[kind]))
    if packaged_in_sid(minor, kind):
        result.looked.append("%s (%s)" % (sid_root.location(root), "ready" if sid_root.is_ready(
            sid_root.location(root)) else "not provisioned"))
    if kind == "release":
        result.looked.append("%s/%s.*/bin/python3" % (pyenv_versions(), minor))
    for path, how, fs in candidates(minor, kind):
        if not _exists(path, fs):
            if Path(path).parent == SYSTEM_BIN and fs is None:
                result.looked.append("%s (absent)" % path)
            continue
        traits = probe(command(path, fs))
        problem = mismatch(traits, minor, kind)
        if problem:
            result.looked.append("%s (%s)" % (path, problem))
            continue
        result.path, result.how, result.root = str(path), how, fs
        result.version = traits["full_version"]
        return result
    return result


def find_all(names):
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(find, names))


def exec_interpreter(name, arguments):
    try:
        found = find(name)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if not found.path:
        print(found.message(), file=sys.stderr)
        return 3
    argv = found.argv() + list(arguments)
    os.execv(argv[0], argv)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     epilog="--exec NAME -- ARGS runs NAME's interpreter "
                                     "with ARGS, inside its root filesystem if it has one")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("name", nargs="?", help="e.g. py311-debug")
    group.add_argument("--list", action="store_true", help="table of every name")
    group.add_argument("--available", action="store_true", help="names that exist, a,b,c")
    group.add_argument("--all-names", action="store_true", help="every name, a,b,c")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--exec"] and len(argv) > 1:
        rest = argv[3:] if argv[2:3] == ["--"] else argv[2:]
        return exec_interpreter(argv[1], rest)
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
