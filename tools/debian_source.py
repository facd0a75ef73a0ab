"""Debian's archive as this machine's apt is configured: which one, and where in it a
source package keeps its pristine CPython tarball.

Debian's ``python3.X_<version>.orig.tar.*`` is the upstream tarball, byte for byte (the
caller checks it against the sha256 table). Its address is derived at run time from the
``deb`` entry for this Debian's own suite, so no archive host name lives in the project,
and no ``deb-src`` entry or root is needed.
"""

import re
from pathlib import Path

SOURCES_DIR = Path("/etc/apt/sources.list.d")
ONE_LINE_LIST = Path("/etc/apt/sources.list")
DEB_SRC_FILE = SOURCES_DIR / "debugbook-deb-src.sources"


def os_release(path="/etc/os-release"):
    fields = {}
    try:
        text = Path(path).read_text()
    except OSError:
        return fields
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            fields[key.strip()] = value.strip().strip('"')
    return fields


def is_debian(release=None):
    release = os_release() if release is None else release
    return release.get("ID") == "debian" or "debian" in release.get("ID_LIKE", "").split()


def parse_deb822(text):
    """Paragraphs of a deb822 ``.sources`` file as dicts; continuation lines kept."""
    paragraphs, current, key = [], {}, None
    for line in text.splitlines() + [""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if current:
                paragraphs.append(current)
            current, key = {}, None
        elif line[0] in " \t" and key:
            current[key] += "\n" + line
        else:
            key, _, value = line.partition(":")
            key = key.strip()
            current[key] = value.strip()
    return paragraphs


_ONE_LINE = re.compile(r"^(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$")


def parse_one_line(text):
    """``deb [opts] uri suite comp...`` lines as deb822-style dicts."""
    paragraphs = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        match = _ONE_LINE.match(line)
        if not match:
            continue
        kind, options, uri, suite, components = match.groups()
        paragraph = {"Types": kind, "URIs": uri, "Suites": suite, "Components": components}
        for option in (options or "").split():
            name, _, value = option.partition("=")
            if name == "signed-by":
                paragraph["Signed-By"] = value
        paragraphs.append(paragraph)
    return paragraphs


def configured_paragraphs(sources_dir=SOURCES_DIR, one_line_list=ONE_LINE_LIST):
    paragraphs = []
    files = sorted(Path(sources_dir).glob("*.sources")) if Path(sources_dir).is_dir() else []
    for f in files:
        if f.name != DEB_SRC_FILE.name:
            paragraphs += parse_deb822(f.read_text())
    lists = [Path(one_line_list)] + sorted(Path(sources_dir).glob("*.list"))
    for f in lists:
        if f.is_file():
            paragraphs += parse_one_line(f.read_text())
    return paragraphs


def upstream_version(debian_version):
    """'3.11.2-6+deb12u9' -> '3.11.2' (no epoch, no Debian revision)."""
    version = debian_version.split(":", 1)[-1]
    return version.rsplit("-", 1)[0] if "-" in version else version


class DebianSourceError(Exception):
    pass


def archive_entry(paragraphs=None, codename=None):
    """(URI, Signed-By or '') of the deb entry for this Debian's own suite."""
    codename = codename or os_release().get("VERSION_CODENAME", "")
    paragraphs = configured_paragraphs() if paragraphs is None else paragraphs
    for p in paragraphs:
        if "deb" not in p.get("Types", "").split() or p.get("Enabled", "yes") == "no":
            continue
        if codename and codename in p.get("Suites", "").split() and p.get("URIs"):
            return p["URIs"].split()[0].rstrip("/"), p.get("Signed-By", "")
    raise DebianSourceError(
        "no apt 'deb' entry for this Debian's own suite (%s) in %s or %s, so Debian's archive "
        "is unknown here" % (codename or "unknown", SOURCES_DIR, ONE_LINE_LIST))


ORIG_TARBALL = re.compile(r"^(python3\.\d+)_[\d.]+\.orig\.tar\.(?:gz|xz)$")


def is_orig_tarball(file_name):
    return bool(ORIG_TARBALL.match(file_name))


def pool_url(file_name, uri):
    """Where Debian's archive keeps a source package's file: pool/main/p/<package>/."""
    package = ORIG_TARBALL.match(file_name).group(1)
    return "%s/pool/main/%s/%s/%s" % (uri, package[0], package, file_name)
