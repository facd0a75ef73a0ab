"""Tests of tools/build_python.py and its helpers; no real CPython build unless asked.

The real build (minutes) runs only with DEBUGBOOK_SLOW_TESTS=1.
"""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "tools"
sys.path.insert(0, str(TOOLS))

import build_python  # noqa: E402
import cpython_tarballs  # noqa: E402
import debian_source  # noqa: E402

SHA_3_11_2 = "2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849"


def run_main(*argv):
    return build_python.main([str(a) for a in argv])


# --- variants -------------------------------------------------------------------------

@pytest.mark.parametrize("variant, expected", [
    ("release", []),
    ("debug", ["--with-pydebug"]),
    ("trace-refs", ["--with-pydebug", "--with-trace-refs"]),
    ("no-pymalloc", ["--with-pydebug", "--without-pymalloc"]),
    ("asan", ["--with-pydebug", "--with-address-sanitizer", "--without-pymalloc"]),
    ("refdebug-cflags", ["CFLAGS=-DPy_REF_DEBUG"]),
    ("refdebug-extra-cflags", []),
])
def test_configure_line_of_each_variant(variant, expected):
    prefix = Path("/r/cpython-3.11.2-%s" % variant)
    assert build_python.configure_command("/src/Python-3.11.2", prefix, variant) == [
        "/src/Python-3.11.2/configure", "--prefix=%s" % prefix] + expected


@pytest.mark.parametrize("variant, expected", [
    ("debug", []),
    ("refdebug-cflags", []),
    ("refdebug-extra-cflags", ["EXTRA_CFLAGS=-DPy_REF_DEBUG"]),
])
def test_make_variables_of_each_variant(variant, expected):
    assert build_python.make_vars(variant) == expected


def test_prefix_convention(monkeypatch, tmp_path):
    monkeypatch.setenv("DEBUGBOOK_PYTHONS", str(tmp_path))
    assert build_python.prefix_for("3.11.2", "asan") == tmp_path / "cpython-3.11.2-asan"
    monkeypatch.delenv("DEBUGBOOK_PYTHONS")
    assert build_python.pythons_root() == Path.home() / ".local/share/debugbook/pythons"


# --- the checksum table ---------------------------------------------------------------

def test_table_lines_are_well_formed_and_cite_a_source():
    entries = cpython_tarballs.read_table()
    assert {"version": "3.11.2", "file": "Python-3.11.2.tgz", "sha256": SHA_3_11_2} .items() \
        <= entries[[e["file"] for e in entries].index("Python-3.11.2.tgz")].items()
    for e in entries:
        debian = "python%s_%s.orig.tar." % (e["version"].rsplit(".", 1)[0], e["version"])
        assert e["file"].startswith(("Python-%s.t" % e["version"], debian))
        assert int(e["sha256"], 16) >= 0 and len(e["sha256"]) == 64
        assert "pyenv" in e["origin"] or "Debian" in e["origin"] and "source package" in e["origin"]
    assert [e["file"] for e in entries if e["version"] == "3.13.15"] == [
        "python3.13_3.13.15.orig.tar.xz"]
    for minor in ("3.11", "3.12", "3.13", "3.14"):
        assert cpython_tarballs.newest_for_minor(minor)


def test_unknown_version_is_rejected_listing_known_ones(tmp_path, capsys):
    assert run_main("--version", "3.9.1", "--variant", "debug", "--root", tmp_path) == 2
    err = capsys.readouterr().err
    assert "unknown CPython version 3.9.1" in err
    for version in cpython_tarballs.known_versions():
        assert version in err
    assert not (tmp_path / "cpython-3.9.1-debug").exists()


def test_malformed_table_line_names_file_and_line(tmp_path):
    table = tmp_path / "t.txt"
    table.write_text("# comment\n3.11.2 Python-3.11.2.tgz deadbeef origin\n")
    with pytest.raises(cpython_tarballs.TarballError, match=r"t\.txt:2:"):
        cpython_tarballs.read_table(table)


# --- checksum mismatch ----------------------------------------------------------------

def test_mismatch_on_user_file_refuses_and_keeps_it(tmp_path, capsys):
    given = tmp_path / "Python-3.11.2.tgz"
    given.write_bytes(b"not the real tarball")
    assert run_main("--version", "3.11.2", "--variant", "debug", "--source", given,
                    "--root", tmp_path / "root") == 2
    err = capsys.readouterr().err
    assert given.read_bytes() == b"not the real tarball"
    assert SHA_3_11_2 in err and cpython_tarballs.sha256_of(given) in err
    assert str(given) in err and "given with --source" in err and "left in place" in err
    assert not (tmp_path / "root" / "cpython-3.11.2-debug").exists()


@pytest.fixture
def downloaded_urls(monkeypatch):
    """Every URL the builder downloads, each answered with bytes that are not CPython."""
    urls = []

    def fake_urlopen(url, timeout):
        urls.append(url)
        return io.BytesIO(b"tampered")
    monkeypatch.setattr(cpython_tarballs.urllib.request, "urlopen", fake_urlopen)
    return urls


def test_mismatch_on_downloaded_file_deletes_it(tmp_path, monkeypatch, capsys, downloaded_urls):
    urls = downloaded_urls
    monkeypatch.setattr(debian_source, "configured_paragraphs",
                        lambda: debian_source.parse_deb822(DEB822))
    monkeypatch.setattr(debian_source, "os_release", lambda: {"VERSION_CODENAME": "bookworm"})
    root = tmp_path / "root"
    assert run_main("--version", "3.11.2", "--variant", "debug", "--root", root) == 2
    err = capsys.readouterr().err
    assert urls == ["http://mirror.example/debian/pool/main/p/python3.11/"
                    "python3.11_3.11.2.orig.tar.gz"]
    assert list((root / "downloads").iterdir()) == []
    assert "has been deleted" in err and SHA_3_11_2 in err
    assert "Debian source package python3.11" in err


def test_off_debian_the_tarball_comes_from_python_org(tmp_path, monkeypatch, downloaded_urls):
    urls = downloaded_urls
    monkeypatch.setattr(debian_source, "configured_paragraphs", lambda: [])
    assert run_main("--version", "3.11.2", "--variant", "debug", "--root", tmp_path) == 2
    assert urls == ["https://www.python.org/ftp/python/3.11.2/Python-3.11.2.tgz"]


def test_a_file_the_user_put_in_downloads_is_never_deleted(tmp_path, capsys):
    downloads = tmp_path / "root" / "downloads"
    downloads.mkdir(parents=True)
    theirs = downloads / "python3.11_3.11.2.orig.tar.gz"
    theirs.write_bytes(b"someone else's file")
    assert run_main("--version", "3.11.2", "--variant", "debug", "--root",
                    tmp_path / "root") == 2
    assert theirs.read_bytes() == b"someone else's file"
    assert "left in place" in capsys.readouterr().err


# --- Debian's archive, as this machine's apt knows it ----------------------------------

DEB822 = """\
Types: deb
# http://snapshot.example/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: https://thirdparty.example/node_20.x
Suites: nodistro
Components: main
Architectures: amd64
Signed-By: /usr/share/keyrings/nodesource.gpg

Types: deb
URIs: http://mirror.example/debian
Suites: bookworm-backports
Components: main

Types: deb
Enabled: no
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
"""

ONE_LINE = """\
# deb http://commented.example/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bookworm main non-free-firmware
deb http://security.example/debian-security bookworm-security main
deb https://packages.example/apt cloud-sdk-bookworm main
deb-src http://mirror.example/debian bookworm main
"""


def test_archive_is_the_deb_entry_of_this_debians_own_suite():
    paragraphs = debian_source.parse_deb822(DEB822)
    assert debian_source.archive_entry(paragraphs, "bookworm") == (
        "http://mirror.example/debian", "/usr/share/keyrings/debian-archive-keyring.gpg")
    one_line = debian_source.parse_one_line(ONE_LINE)
    assert debian_source.archive_entry(one_line, "bookworm")[0] == "http://mirror.example/debian"
    with pytest.raises(debian_source.DebianSourceError, match="own suite \\(trixie\\)"):
        debian_source.archive_entry(paragraphs, "trixie")


def test_pool_path_of_a_source_packages_file():
    assert debian_source.pool_url("python3.13_3.13.15.orig.tar.xz", "http://m.example/debian") \
        == "http://m.example/debian/pool/main/p/python3.13/python3.13_3.13.15.orig.tar.xz"
    assert not debian_source.is_orig_tarball("Python-3.13.15.tgz")


def test_upstream_version():
    assert debian_source.upstream_version("3.11.2-6+deb12u9") == "3.11.2"
    assert debian_source.upstream_version("1:3.12.3-1") == "3.12.3"


# --- the build pipeline, on a fake CPython source tree -------------------------------

# Like a real CPython installed under DESTDIR, it finds its stdlib only when PYTHONHOME
# points at the staged prefix (the one it was configured for does not exist yet).
FAKE_PYTHON = """#!/bin/sh
here=$(cd "$(dirname "$0")/.." && pwd)
case "$here" in */staging/*) staged=yes;; *) staged=no;; esac
if [ "$PYTHONHOME" != "$here" ] && { [ $staged = yes ] || [ -n "$PYTHONHOME" ]; }; then
  echo "Fatal Python error: init_fs_encoding: No module named 'encodings'" >&2; exit 1
fi
echo '{"CFLAGS": "-g -Og", "CONFIG_ARGS": "fake", "ABIFLAGS": "d", "Py_DEBUG": 1, \
"Py_TRACE_REFS": null, "WITH_PYMALLOC": 1}'
"""
FAKE_CONFIGURE = """#!/bin/sh
src=$(cd "$(dirname "$0")" && pwd)
for a in "$@"; do case "$a" in --prefix=*) prefix="${a#--prefix=}";; esac; done
printf 'PREFIX=%s\\nSRC=%s\\n' "$prefix" "$src" > paths.mk
cp "$src/Makefile.in" Makefile
"""


@pytest.fixture
def fake_source(tmp_path, monkeypatch):
    """Make a fake Python-3.99.1 tarball; return a function (fail_install) -> tarball."""
    def make(fail_install=False):
        tree = tmp_path / "fake" / "Python-3.99.1"
        tree.mkdir(parents=True, exist_ok=True)
        for name, text in (("configure", FAKE_CONFIGURE), ("fakepython", FAKE_PYTHON)):
            (tree / name).write_text(text)
            (tree / name).chmod(0o755)
        install = "\tfalse\n" if fail_install else \
            "\tmkdir -p $(DESTDIR)$(PREFIX)/bin\n\tcp $(SRC)/fakepython $(DESTDIR)$(PREFIX)/bin/python3\n"
        (tree / "Makefile.in").write_text("include paths.mk\nall:\n\ttouch built\ninstall:\n" + install)
        tarball = tmp_path / "Python-3.99.1.tgz"
        with tarfile.open(tarball, "w:gz") as archive:
            archive.add(tree, arcname=tree.name)
        table = tmp_path / "table.txt"
        table.write_text("3.99.1 Python-3.99.1.tgz %s test fixture\n"
                         % cpython_tarballs.sha256_of(tarball))
        monkeypatch.setattr(cpython_tarballs, "TABLE", table)
        return tarball
    return make


def test_fake_build_installs_records_and_is_idempotent(tmp_path, fake_source, capsys):
    tarball, root = fake_source(), tmp_path / "root"
    args = ("--version", "3.99.1", "--variant", "trace-refs", "--source", tarball, "--root", root)
    assert run_main(*args) == 0
    prefix = root / "cpython-3.99.1-trace-refs"
    out = capsys.readouterr().out
    assert "[2/6] configure: %s/work/cpython-3.99.1-trace-refs/Python-3.99.1/configure " \
           "--prefix=%s --with-pydebug --with-trace-refs" % (root, prefix) in out
    record = json.loads((prefix / "debugbook-build.json").read_text())
    assert record["version"] == "3.99.1" and record["variant"] == "trace-refs"
    assert record["configure_argv"][1:] == ["--prefix=%s" % prefix, "--with-pydebug",
                                            "--with-trace-refs"]
    assert record["CFLAGS"] == "-g -Og" and record["CONFIG_ARGS"] == "fake"
    assert record["tarball"] == {"path": str(tarball), "sha256": cpython_tarballs.sha256_of(tarball),
                                 "origin": "given with --source", "checksum_from": "test fixture"}
    assert record["jobs"] >= 1 and record["duration_seconds"] >= 0 and record["started"]
    assert not (root / "work" / "cpython-3.99.1-trace-refs" / "staging").exists()
    assert tarball.exists()

    log = root / "logs" / "cpython-3.99.1-trace-refs.log"
    before = log.read_text()
    assert run_main(*args) == 0
    assert capsys.readouterr().out == "already built: %s\n" % prefix
    assert log.read_text() == before

    assert run_main(*args, "--force") == 0
    assert "built cpython-3.99.1-trace-refs" in capsys.readouterr().out
    assert not prefix.with_name(prefix.name + ".old").exists()

    record["configure_argv"] = record["configure_argv"][:2]  # as if the variant had changed
    (prefix / "debugbook-build.json").write_text(json.dumps(record))
    assert not build_python.already_built(prefix, "3.99.1", "trace-refs")
    assert run_main(*args) == 0
    out = capsys.readouterr().out
    assert "was built with other options than trace-refs has now" in out
    assert build_python.already_built(prefix, "3.99.1", "trace-refs")


def test_make_variables_reach_make_and_make_install_and_the_record(tmp_path, fake_source,
                                                                    monkeypatch, capsys):
    tarball, root = fake_source(), tmp_path / "root"
    commands = []
    real_run = build_python.Log.run

    def run(self, cmd, cwd=None, env=None):
        commands.append([str(c) for c in cmd])
        real_run(self, cmd, cwd, env)
    monkeypatch.setattr(build_python.Log, "run", run)
    assert run_main("--version", "3.99.1", "--variant", "refdebug-extra-cflags",
                    "--source", tarball, "--root", root, "--jobs", "2") == 0
    makes = [c for c in commands if c[0] == "make"]
    assert makes[0] == ["make", "-j2", "EXTRA_CFLAGS=-DPy_REF_DEBUG"]
    assert makes[1][:2] == ["make", "install"] and makes[1][-1] == "EXTRA_CFLAGS=-DPy_REF_DEBUG"
    assert "[3/6] make -j2 EXTRA_CFLAGS=-DPy_REF_DEBUG (in " in capsys.readouterr().out
    record = json.loads((root / "cpython-3.99.1-refdebug-extra-cflags" /
                         "debugbook-build.json").read_text())
    assert record["make_vars"] == ["EXTRA_CFLAGS=-DPy_REF_DEBUG"]
    assert record["configure_argv"][2:] == []


def test_prefix_without_valid_record_is_not_taken_as_built(tmp_path, fake_source, capsys):
    fake_source()
    prefix = tmp_path / "root" / "cpython-3.99.1-debug"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "python3").write_text("#!/bin/sh\nexit 0\n")
    (prefix / "bin" / "python3").chmod(0o755)
    record = prefix / "debugbook-build.json"
    record.write_text(json.dumps({"version": "3.99.1", "variant": "release"}))
    assert not build_python.already_built(prefix, "3.99.1", "debug")
    record.write_text(json.dumps({"version": "3.99.1", "variant": "debug",
                                  "configure_argv": ["configure", "--prefix=x", "--with-pydebug"]}))
    assert build_python.already_built(prefix, "3.99.1", "debug")
    record.write_text(json.dumps({"version": "3.99.1", "variant": "debug",
                                  "configure_argv": ["configure", "--prefix=x"]}))
    assert build_python.build_state(prefix, "3.99.1", "debug") == "outdated"
    record.write_text(json.dumps({"version": "3.99.1", "variant": "debug",
                                  "configure_argv": ["configure", "--prefix=x", "--with-pydebug"]}))
    (prefix / "bin" / "python3").write_text("#!/bin/sh\nexit 1\n")
    assert not build_python.already_built(prefix, "3.99.1", "debug")
    assert run_main("--version", "3.99.1", "--variant", "debug", "--root", tmp_path / "root") == 2
    assert "rerun with --force" in capsys.readouterr().err


def test_failed_install_leaves_no_prefix_and_shows_the_log(tmp_path, fake_source, capsys):
    tarball, root = fake_source(fail_install=True), tmp_path / "root"
    assert run_main("--version", "3.99.1", "--variant", "debug", "--source", tarball,
                    "--root", root) == 1
    err = capsys.readouterr().err
    assert "make install DESTDIR=" in err and "failed with status 2" in err
    assert str(root / "logs" / "cpython-3.99.1-debug.log") in err
    assert "--- last 40 lines ---" in err
    assert not (root / "cpython-3.99.1-debug").exists()
    assert not (root / "work" / "cpython-3.99.1-debug" / "staging").exists()


def test_interrupt_during_install_cleans_staging(tmp_path, fake_source, monkeypatch, capsys):
    tarball, root = fake_source(), tmp_path / "root"
    real_run = build_python.Log.run

    def run(self, cmd, cwd=None, env=None):
        real_run(self, cmd, cwd, env)
        if "install" in cmd:
            raise KeyboardInterrupt
    monkeypatch.setattr(build_python.Log, "run", run)
    assert run_main("--version", "3.99.1", "--variant", "debug", "--source", tarball,
                    "--root", root) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not (root / "cpython-3.99.1-debug").exists()
    assert not (root / "work" / "cpython-3.99.1-debug" / "staging").exists()


# --- a real build ---------------------------------------------------------------------

@pytest.mark.skipif(not os.environ.get("DEBUGBOOK_SLOW_TESTS"),
                    reason="real CPython build takes minutes; set DEBUGBOOK_SLOW_TESTS=1")
def test_real_build_of_3_11_2_trace_refs(tmp_path):
    cached = build_python.pythons_root() / "downloads" / "python3.11_3.11.2.orig.tar.gz"
    source = ["--source", str(cached)] if cached.exists() else []
    subprocess.run([sys.executable, str(TOOLS / "build_python.py"), "--version", "3.11.2",
                    "--variant", "trace-refs", "--root", str(tmp_path), *source], check=True)
    python = tmp_path / "cpython-3.11.2-trace-refs" / "bin" / "python3"
    out = subprocess.run([str(python), "-c", "import sys; print(hasattr(sys, 'getobjects'))"],
                         capture_output=True, text=True, check=True).stdout
    assert out == "True\n"


def test_a_parent_make_does_not_leak_its_variables_into_cpythons_make(monkeypatch):
    monkeypatch.setenv("MAKEFLAGS", " -- VERSION=3.11.2 VARIANT=debug")
    monkeypatch.setenv("MAKELEVEL", "1")
    env = build_python.build_environment("asan")
    assert "MAKEFLAGS" not in env and "MAKELEVEL" not in env
    assert env["ASAN_OPTIONS"] == build_python.BUILD_ENV["asan"]["ASAN_OPTIONS"]
