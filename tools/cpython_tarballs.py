"""The sha256 table of CPython source tarballs, and getting a verified tarball.

The table is ``tools/cpython-sha256.txt``: one line per tarball, ``version file-name
sha256 origin...``. A tarball is used only if its sha256 is in the table for the
requested version. Sources, in order: a file the user gives (never deleted); then the
table's lines for the version in order: a Debian source package's file from the Debian
archive this machine uses, or a file from the official download site.
"""

import hashlib
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

import debian_source

TABLE = Path(__file__).with_name("cpython-sha256.txt")
DOWNLOAD_URL = "https://www.python.org/ftp/python/{version}/{file}"


class TarballError(Exception):
    pass


def read_table(path=None):
    """[{'version', 'file', 'sha256', 'origin'}] in file order."""
    path = path or TABLE
    entries = []
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(None, 3)
        if len(parts) < 4 or len(parts[2]) != 64:
            raise TarballError("%s:%d: expected 'version file sha256 origin', got %r"
                               % (path, number, line))
        entries.append(dict(zip(("version", "file", "sha256", "origin"), parts)))
    return entries


def version_key(version):
    return tuple(int(part) for part in version.split("."))


def known_versions(path=None):
    return sorted({e["version"] for e in read_table(path)}, key=version_key)


def entries_for(version, path=None):
    path = path or TABLE
    entries = [e for e in read_table(path) if e["version"] == version]
    if not entries:
        raise TarballError("unknown CPython version %s: %s has no checksum for it. Known "
                           "versions: %s. To add one, put a line with a checksum from a source "
                           "you can cite into that file."
                           % (version, path, ", ".join(known_versions(path))))
    return entries


def newest_for_minor(minor, path=None):
    """Newest version in the table for '3.X', or None."""
    versions = [v for v in known_versions(path) if v.rsplit(".", 1)[0] == minor]
    return versions[-1] if versions else None


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(tarball, version, origin, downloaded, path=None):
    """Return the matching table entry, or raise; delete ``tarball`` if we downloaded it."""
    path = path or TABLE
    entries = entries_for(version, path)
    actual = sha256_of(tarball)
    for entry in entries:
        if entry["sha256"] == actual:
            return entry
    expected = "\n".join("  %s  %s  (%s)" % (e["sha256"], e["file"], e["origin"]) for e in entries)
    if downloaded:
        Path(tarball).unlink()
        fate = "The builder downloaded it, so it has been deleted; run again to re-download."
    else:
        fate = "It was given by you, so it is left in place; check where it came from."
    raise TarballError(
        "sha256 mismatch for %s\n  file:     %s\n  origin:   %s\n  actual:   %s\n"
        "  expected (from %s):\n%s\n%s"
        % (version, tarball, origin, actual, path, expected, fate))


def download(version, downloads, log, path=None):
    """Fetch a tarball listed for ``version``: from Debian's archive for a Debian source
    package's file (on a Debian machine), else from python.org. Return (file, origin,
    fetched): a file already in ``downloads`` was not fetched now and is never deleted."""
    errors = []
    for entry in entries_for(version, path):
        target = Path(downloads) / entry["file"]
        if debian_source.is_orig_tarball(entry["file"]):
            try:
                uri, _ = debian_source.archive_entry()
            except debian_source.DebianSourceError as error:
                errors.append(str(error))
                continue
            url = debian_source.pool_url(entry["file"], uri)
            origin = "Debian source package %s" % entry["file"].split("_")[0]
        else:
            url = DOWNLOAD_URL.format(version=version, file=entry["file"])
            origin = url
        if target.exists():
            return target, origin + " (already in %s)" % downloads, False
        try:
            _fetch(url, target, log)
            return target, origin, True
        except OSError as error:
            errors.append("%s: %s" % (url, error))
    raise TarballError("could not download CPython %s:\n  %s\nDownload a tarball listed in %s "
                       "yourself and pass --source PATH." % (version, "\n  ".join(errors),
                                                             path or TABLE))


def _fetch(url, target, log):
    """Download into a unique partial name, renamed into place only when complete."""
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkstemp(prefix=target.name + ".", suffix=".part",
                                    dir=target.parent)[1])
    log("downloading %s to %s" % (url, target))
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out)
        os.replace(partial, target)
    finally:
        if partial.exists():
            partial.unlink()
