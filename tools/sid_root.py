"""A Debian sid root filesystem holding the packaged CPython 3.13, 3.14 and 3.15.

Debian sid packages ``python3.X`` (release) and ``python3.X-dbg`` (debug) for the newest
CPythons; they need sid's C library, so they run inside a sid root filesystem made with
``mmdebstrap`` and entered with bubblewrap (``tools/sandbox.py``).

Where it lives: ``<pythons root>/debian-sid`` (the root is the builder's,
``$DEBUGBOOK_PYTHONS`` or ``~/.local/share/debugbook/pythons``). It is made in
``debian-sid.partial`` and renamed only when complete, with its record
``debugbook-root.json`` inside; a ``.partial`` left by an interrupted run is removed and
made again, never used.

The archive is the one this machine's apt already uses: the ``deb`` entry for this
Debian's own suite gives the URI, and the suite is replaced by ``sid``. No host name is
written here.
"""

import datetime
import fcntl
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import debian_source

SUITE = "sid"
MINORS = ("3.13", "3.14", "3.15")
TOOLS = ("gcc", "libc6-dev", "make", "gdb", "valgrind")
RECORD = "debugbook-root.json"
# The snapshot the machine's archive serves is some weeks old; sid's Release file
# would otherwise be refused as expired.
APT_OPTIONS = ('Acquire::Check-Valid-Until "false"',)


class RootError(Exception):
    pass


def packages():
    names = []
    for minor in MINORS:
        names += ["python%s" % minor, "python%s-dbg" % minor, "python%s-dev" % minor]
    return names + list(TOOLS)


def location(pythons_root):
    return Path(pythons_root) / ("debian-" + SUITE)


def record_of(root):
    """The record of a complete root filesystem, or None."""
    try:
        record = json.loads((Path(root) / RECORD).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("suite") == SUITE else None


def is_ready(root):
    return record_of(root) is not None and (Path(root) / "usr" / "bin").is_dir()


def archive_line(paragraphs=None, codename=None):
    """A one-line apt source for sid on the archive this machine's Debian entries use."""
    try:
        uri, signed_by = debian_source.archive_entry(paragraphs, codename)
    except debian_source.DebianSourceError as error:
        raise RootError("%s. Add your Debian mirror there, or set DEBUGBOOK_PYTHONS to a "
                        "directory that already holds a debian-sid root filesystem." % error)
    signed = " [signed-by=%s]" % signed_by if signed_by.startswith("/") else ""
    return "deb%s %s %s main" % (signed, uri, SUITE)


def mmdebstrap_command(target, source_line):
    command = ["mmdebstrap", "--variant=apt", "--include=" + ",".join(packages())]
    command += ["--aptopt=%s" % option for option in APT_OPTIONS]
    command += ["--mode=%s" % ("root" if os.geteuid() == 0 else "unshare")]
    return command + [SUITE, str(target), source_line]


def _make_unprivileged(partial, log):
    """Without root, mmdebstrap's unshare mode owns the files by subordinate ids, which this
    user could neither write nor remove; a tarball extracted by the user owns them all."""
    tarball = partial.with_name(partial.name + ".tar")
    command = mmdebstrap_command(tarball, archive_line())
    if tarball.exists():
        tarball.unlink()
    try:
        log.run(command)
        partial.mkdir()
        log.run(["tar", "-C", str(partial), "-xf", str(tarball), "--no-same-owner",
                 "--exclude=./dev/*"])
    finally:
        if tarball.exists():
            tarball.unlink()
    return command


def installed_versions(root):
    """{'python3.14': '3.14.10-1', ...} read from the root's dpkg status file."""
    versions, package = {}, None
    try:
        text = (Path(root) / "var" / "lib" / "dpkg" / "status").read_text(errors="replace")
    except OSError:
        return versions
    for line in text.splitlines():
        if line.startswith("Package: "):
            package = line.split(": ", 1)[1]
        elif line.startswith("Version: ") and package in packages():
            versions[package] = line.split(": ", 1)[1]
    return versions


def provision(pythons_root, log):
    """Make the root filesystem unless a complete one exists; return its path."""
    root = location(pythons_root)
    if is_ready(root):
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.with_name(root.name + ".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            log("another run is making %s; waiting for it" % root)
            print("      another run is making %s; waiting for it" % root, flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        return root if is_ready(root) else _make(root, log)


def _make(root, log):
    if shutil.which("mmdebstrap") is None:
        raise RootError("mmdebstrap is not installed: apt-get install mmdebstrap bubblewrap")
    partial = root.with_name(root.name + ".partial")
    if partial.exists():
        log("removing %s, left by an interrupted run" % partial)
        shutil.rmtree(partial)
    if root.exists():
        log("removing %s: it has no valid %s" % (root, RECORD))
        shutil.rmtree(root)
    started, t0 = datetime.datetime.now(datetime.timezone.utc), time.monotonic()
    if os.geteuid() == 0:
        command = mmdebstrap_command(partial, archive_line())
        log.run(command)
    else:
        command = _make_unprivileged(partial, log)
    record = {"suite": SUITE, "command": command, "packages": installed_versions(partial),
              "made": started.isoformat(timespec="seconds"),
              "duration_seconds": round(time.monotonic() - t0, 1)}
    missing = [p for p in packages() if p not in record["packages"]]
    if missing:
        raise RootError("mmdebstrap finished but %s holds no %s; see %s"
                        % (partial, ", ".join(missing), log.path))
    (partial / RECORD).write_text(json.dumps(record, indent=2) + "\n")
    os.rename(partial, root)
    return root
