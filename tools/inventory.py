"""The table ``make pythons`` prints: each environment's interpreter, where it came from,
its size on disk and how to remove it."""

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_python  # noqa: E402
import interpreters  # noqa: E402
import sid_root  # noqa: E402


def disk_usage(*paths):
    """Bytes used under ``paths`` (hard links counted once), 0 for missing ones."""
    existing = [str(p) for p in paths if Path(p).exists()]
    if not existing:
        return 0
    result = subprocess.run(["du", "-scb"] + existing, capture_output=True, text=True)
    lines = result.stdout.strip().splitlines()
    return int(lines[-1].split()[0]) if lines else 0


def human(size):
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return "%.1f %s" % (size, unit) if unit != "B" else "%d B" % size
        size /= 1000.0


def debian_package_size(binary):
    """(package, bytes) of the Debian package that owns ``binary`` on this machine."""
    owner = subprocess.run(["dpkg-query", "-S", str(Path(binary).resolve())],
                           capture_output=True, text=True)
    if owner.returncode:
        return None, 0
    package = owner.stdout.split(":")[0]
    size = subprocess.run(["dpkg-query", "-W", "-f=${Installed-Size}", package],
                          capture_output=True, text=True).stdout.strip()
    return package, int(size or 0) * 1024


def origin_of(found, root, seen):
    """(size text, removal command) of one found interpreter; shared ones are sized once."""
    if found.root:
        if found.root in seen:
            return "(shared, above)", "rm -rf %s" % found.root
        seen.add(found.root)
        return human(disk_usage(found.root)), "rm -rf %s" % found.root
    path = Path(found.path)
    if root in path.parents:
        prefix = path.parents[1]
        work = root / "work" / prefix.name
        return human(disk_usage(prefix, work)), "rm -rf %s %s" % (prefix, work)
    pyenv = interpreters.pyenv_versions()
    if pyenv in path.parents:
        version_dir = path.parents[1]
        return human(disk_usage(version_dir)), "pyenv uninstall %s" % version_dir.name
    package, size = debian_package_size(path)
    if package:
        return human(size), "apt-get remove %s" % package
    return "?", "(installed outside this book's tools: %s)" % path


def table():
    root = build_python.pythons_root()
    found = interpreters.find_all(interpreters.all_names())
    rows, seen = [], set()
    for f in found:
        if not f.path:
            rows.append((f.name, "missing", "", "", "make one with: " + f.build_command))
            continue
        size, remove = origin_of(f, root, seen)
        rows.append((f.name, f.version, f.how, size, remove))
    header = ("environment", "CPython", "where it came from", "on disk", "to remove it")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + "  " + r[4]
             for r in [header] + rows]
    extra = disk_usage(root / "downloads", root / "logs")
    lines.append("\nInterpreters' root: %s (tarballs and logs: %s; all of it: %s)"
                 % (root, human(extra), human(disk_usage(root))))
    return "\n".join(lines)
