"""Get a pristine CPython tarball from Debian's source package ``python3.X``.

Debian's ``python3.X_<version>.orig.tar.gz`` is the upstream tarball, byte for byte
(checked against the sha256 table by the caller). Fetching it needs a ``deb-src``
entry; this module derives one from the ``deb`` entries already configured, keeping
only Debian's own (Suites equal to the system codename, ``<codename>-updates`` or
``<codename>-security``), with the same URIs, Suites, Components and Signed-By. The
entry is computed at run time, so no archive host name lives in the project.
"""

import os
import re
import shutil
import subprocess
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


def debian_suites(codename):
    return [codename, codename + "-updates", codename + "-security"]


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


def derive_deb_src(paragraphs, codename):
    """deb822 text of ``deb-src`` twins of Debian's own ``deb`` entries ('' if none)."""
    wanted = debian_suites(codename)
    out = []
    for p in paragraphs:
        if "deb" not in p.get("Types", "").split() or p.get("Enabled", "yes") == "no":
            continue
        suites = [s for s in p.get("Suites", "").split() if s in wanted]
        if not suites or not p.get("URIs") or not p.get("Components"):
            continue
        lines = ["Types: deb-src", "URIs: " + p["URIs"], "Suites: " + " ".join(suites),
                 "Components: " + p["Components"]]
        if p.get("Signed-By"):
            lines.append("Signed-By: " + p["Signed-By"])
        out.append("\n".join(lines) + "\n")
    if not out:
        return ""
    header = ("# Written by debugbook tools/build_python.py: deb-src twins of Debian's own\n"
              "# deb entries, to fetch the pristine CPython tarball with apt-get source.\n")
    return header + "\n" + "\n".join(out)


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


def _apt_cache(*args):
    result = subprocess.run(["apt-cache", *args], capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else ""


def candidate_version(package):
    """Upstream version of the candidate of binary package ``package``, or None."""
    if not shutil.which("apt-cache"):
        return None
    match = re.search(r"^Version: (\S+)", _apt_cache("show", "--no-all-versions", package), re.M)
    return upstream_version(match.group(1)) if match else None


def has_deb_src(source_package):
    return bool(re.search(r"^Package: ", _apt_cache("showsrc", source_package), re.M))


def manual_commands(content):
    return ("sudo tee %s >/dev/null <<'EOF'\n%sEOF\nsudo apt-get update" % (DEB_SRC_FILE, content))


class DebianSourceError(Exception):
    pass


def ensure_deb_src(source_package, log, codename):
    """Make ``apt-get source source_package`` possible; raise with the commands if we can't."""
    if has_deb_src(source_package):
        return
    content = derive_deb_src(configured_paragraphs(), codename)
    if not content:
        raise DebianSourceError(
            "no Debian deb entry for %s found in %s or %s, so no deb-src entry can be derived; "
            "pass --source PATH or --from python.org" % (codename, SOURCES_DIR, ONE_LINE_LIST))
    if os.geteuid() != 0:
        raise DebianSourceError(
            "the Debian source package %s needs a deb-src entry, and writing one needs root. "
            "Run these commands, then run this again (or pass --from python.org):\n%s"
            % (source_package, manual_commands(content)))
    DEB_SRC_FILE.write_text(content)
    log("wrote %s:\n%s" % (DEB_SRC_FILE, content))
    run_logged(["apt-get", "update"], log)
    if not has_deb_src(source_package):
        raise DebianSourceError("after writing %s and apt-get update, apt-cache showsrc %s "
                                "still finds nothing; see the log" % (DEB_SRC_FILE, source_package))


def run_logged(cmd, log, cwd=None):
    log("$ " + " ".join(cmd))
    result = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log(result.stdout)
    if result.returncode:
        raise DebianSourceError("%s failed with status %d (in %s)"
                                % (" ".join(cmd), result.returncode, cwd or os.getcwd()))


def fetch_orig_tarball(version, downloads, log):
    """Path of ``python3.X_<version>.orig.tar.gz`` in ``downloads`` (fetched if absent).

    Returns None when this system's Debian does not have exactly ``version``.
    """
    release = os_release()
    if not is_debian(release) or not release.get("VERSION_CODENAME"):
        return None
    package = "python" + ".".join(version.split(".")[:2])
    if candidate_version(package) != version:
        return None
    tarball = Path(downloads) / ("%s_%s.orig.tar.gz" % (package, version))
    if tarball.exists():
        return tarball
    ensure_deb_src(package, log, release["VERSION_CODENAME"])
    Path(downloads).mkdir(parents=True, exist_ok=True)
    try:
        run_logged(["apt-get", "source", "--download-only", package], log, cwd=str(downloads))
    except DebianSourceError as error:
        # Only the orig tarball is needed; the .dsc and .debian.tar.xz may be
        # unreachable (seen behind a proxy). apt checked the tarball's hash, and so
        # does the caller.
        if not tarball.exists():
            raise
        log("%s; continuing: %s was fetched" % (error, tarball.name))
    if not tarball.exists():
        raise DebianSourceError("apt-get source --download-only %s did not produce %s"
                                % (package, tarball))
    return tarball
