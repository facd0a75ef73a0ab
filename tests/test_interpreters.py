"""Tests of tools/interpreters.py with fake interpreters (shell scripts that answer the probe)."""

import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "tools"
sys.path.insert(0, str(TOOLS))

import cpython_tarballs  # noqa: E402
import interpreters  # noqa: E402

RELEASE = dict(debug=False, trace_refs=False, pymalloc=1, asan=False)
DEBUG = dict(debug=True, trace_refs=False, pymalloc=1, asan=False)
TRACEREFS = dict(debug=True, trace_refs=True, pymalloc=1, asan=False)
NOPYMALLOC = dict(debug=True, trace_refs=False, pymalloc=0, asan=False)
ASAN = dict(debug=True, trace_refs=False, pymalloc=0, asan=True)


def fake_python(path, minor="3.11", debug=False, trace_refs=False, pymalloc=1, asan=False):
    """A script answering the probe like an interpreter with these traits would."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\necho '(3, %s) %s %s %s %s'\n"
                    % (minor.split(".")[1], debug, trace_refs, pymalloc, asan))
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def places(tmp_path, monkeypatch):
    """Empty builder root, pyenv root and /usr/bin; no overrides from the real environment."""
    for name in interpreters.all_names():
        monkeypatch.delenv(interpreters.env_var(name), raising=False)
    dirs = {k: tmp_path / k for k in ("pythons", "pyenv", "usrbin")}
    for d in dirs.values():
        d.mkdir()
    monkeypatch.setenv("DEBUGBOOK_PYTHONS", str(dirs["pythons"]))
    monkeypatch.setenv("PYENV_ROOT", str(dirs["pyenv"]))
    monkeypatch.setattr(interpreters, "SYSTEM_BIN", dirs["usrbin"])
    monkeypatch.setattr(interpreters.debian_source, "os_release",
                        lambda: {"ID": "debian", "VERSION_CODENAME": "bookworm"})
    return dirs


def built(places, name, **traits):
    minor = name.split("-")[1].rsplit(".", 1)[0]
    return fake_python(places["pythons"] / name / "bin" / "python3", minor, **traits)


def test_names():
    names = interpreters.all_names()
    assert len(names) == 25 and names[:2] == ["py310-release", "py310-debug"]
    assert interpreters.parse_name("py311-nopymalloc") == ("3.11", "nopymalloc")
    assert interpreters.env_var("py311-debug") == "DEBUGBOOK_PYTHON_PY311_DEBUG"
    with pytest.raises(ValueError, match="py39-debug"):
        interpreters.parse_name("py39-debug")


def test_env_var_wins(places, monkeypatch, tmp_path):
    built(places, "cpython-3.11.2-debug", **DEBUG)
    mine = fake_python(tmp_path / "mine" / "python", "3.11", **DEBUG)
    monkeypatch.setenv("DEBUGBOOK_PYTHON_PY311_DEBUG", mine)
    found = interpreters.find("py311-debug")
    assert (found.path, found.how) == (mine, "$DEBUGBOOK_PYTHON_PY311_DEBUG")


def test_env_var_not_executable_is_an_error_without_fallback(places, monkeypatch, tmp_path):
    built(places, "cpython-3.11.2-debug", **DEBUG)
    monkeypatch.setenv("DEBUGBOOK_PYTHON_PY311_DEBUG", str(tmp_path / "nope"))
    found = interpreters.find("py311-debug")
    assert found.path is None
    assert "DEBUGBOOK_PYTHON_PY311_DEBUG=%s is not an executable file" % (tmp_path / "nope") \
        in found.error


def test_env_var_of_the_wrong_kind_is_an_error(places, monkeypatch, tmp_path):
    monkeypatch.setenv("DEBUGBOOK_PYTHON_PY311_DEBUG",
                       fake_python(tmp_path / "rel" / "python", "3.11", **RELEASE))
    found = interpreters.find("py311-debug")
    assert found.path is None and "no debug, so it is not a debug build" in found.error


def test_builder_prefix_highest_patch_first(places):
    built(places, "cpython-3.11.2-debug", **DEBUG)
    best = built(places, "cpython-3.11.10-debug", **DEBUG)
    built(places, "cpython-3.11.11-trace-refs", **TRACEREFS)
    fake_python(places["usrbin"] / "python3.11d", "3.11", **DEBUG)
    found = interpreters.find("py311-debug")
    assert found.path == best and "cpython-3.11.10-debug" in found.how


def test_builder_prefix_of_the_wrong_kind_is_skipped(places):
    built(places, "cpython-3.11.2-debug", **RELEASE)
    debian = fake_python(places["usrbin"] / "python3.11d", "3.11", **DEBUG)
    found = interpreters.find("py311-debug")
    assert (found.path, found.how) == (debian, "Debian python3.11-dbg")


@pytest.mark.parametrize("name, variant, traits", [
    ("py312-tracerefs", "trace-refs", TRACEREFS),
    ("py312-nopymalloc", "no-pymalloc", NOPYMALLOC),
    ("py312-asan", "asan", ASAN),
    ("py312-release", "release", RELEASE),
])
def test_each_kind_finds_its_variant(places, name, variant, traits):
    path = built(places, "cpython-3.12.8-%s" % variant, **traits)
    assert interpreters.find(name).path == path


@pytest.mark.parametrize("name, variant, traits, problem", [
    ("py311-tracerefs", "trace-refs", DEBUG, "no trace refs"),
    ("py311-nopymalloc", "no-pymalloc", DEBUG, "pymalloc"),
    ("py311-asan", "asan", NOPYMALLOC, "no asan"),
    ("py311-release", "release", DEBUG, "has debug"),
    ("py311-debug", "debug", TRACEREFS, "trace refs"),
])
def test_wrong_traits_are_rejected_and_reported(places, name, variant, traits, problem):
    path = built(places, "cpython-3.11.2-%s" % variant, **traits)
    found = interpreters.find(name)
    assert found.path is None
    assert any(entry.startswith(path) and problem in entry for entry in found.looked)


def test_wrong_version_is_rejected(places):
    path = fake_python(places["pythons"] / "cpython-3.11.2-debug" / "bin" / "python3", "3.12",
                       **DEBUG)
    found = interpreters.find("py311-debug")
    assert found.path is None and "%s (is Python 3.12, not 3.11)" % path in found.looked


def test_debian_dbg_only_for_debug(places):
    fake_python(places["usrbin"] / "python3.11d", "3.11", **DEBUG)
    assert interpreters.find("py311-debug").path == str(places["usrbin"] / "python3.11d")
    assert interpreters.find("py311-tracerefs").path is None
    assert interpreters.find("py311-release").path is None


def test_release_from_pyenv_plain_versions_highest_first(places):
    versions = places["pyenv"] / "versions"
    for name in ("3.11.7", "3.11.9", "3.11-dev", "3.11.12t", "3.11.11-debug", "3.11.13rc1"):
        fake_python(versions / name / "bin" / "python3", "3.11", **RELEASE)
    fake_python(versions / "3.11.10" / "bin" / "python3", "3.11", **RELEASE)
    fake_python(places["usrbin"] / "python3.11", "3.11", **RELEASE)
    found = interpreters.find("py311-release")
    assert found.path == str(versions / "3.11.10" / "bin" / "python3")
    assert found.how == "pyenv 3.11.10"


def test_release_falls_back_to_system_python(places):
    path = fake_python(places["usrbin"] / "python3.11", "3.11", **RELEASE)
    assert interpreters.find("py311-release").how == "system python3.11"
    assert interpreters.find("py311-release").path == path


def test_missing_says_what_was_looked_for_and_how_to_build(places):
    found = interpreters.find("py311-tracerefs")
    assert found.path is None
    assert found.build_command == "make python VERSION=3.11.2 VARIANT=trace-refs"
    message = found.message()
    assert message.startswith("no interpreter for py311-tracerefs: looked for "
                              "$DEBUGBOOK_PYTHON_PY311_TRACEREFS (unset); %s/cpython-3.11.*-"
                              "trace-refs/bin/python3" % places["pythons"])
    assert message.endswith("; make one with: make python VERSION=3.11.2 VARIANT=trace-refs")
    newest = cpython_tarballs.newest_for_minor("3.13")
    assert interpreters.find("py313-debug").build_command == \
        "make python VERSION=%s VARIANT=debug" % newest


def test_build_command_off_debian_uses_newest_in_table(places, monkeypatch):
    monkeypatch.setattr(interpreters.debian_source, "os_release", lambda: {"ID": "fedora"})
    assert interpreters.build_command("3.11", "asan") == \
        "make python VERSION=%s VARIANT=asan" % cpython_tarballs.newest_for_minor("3.11")


def test_cli_single_name(places, capsys):
    path = built(places, "cpython-3.11.2-asan", **ASAN)
    assert interpreters.main(["py311-asan"]) == 0
    assert capsys.readouterr().out == path + "\n"
    assert interpreters.main(["py312-asan"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("no interpreter for py312-asan: ")
    assert "make one with: make python VERSION=" in err
    assert interpreters.main(["py39-asan"]) == 2


def test_cli_lists(places, capsys):
    path = built(places, "cpython-3.11.2-trace-refs", **TRACEREFS)
    fake_python(places["usrbin"] / "python3.13", "3.13", **RELEASE)
    assert interpreters.main(["--available"]) == 0
    assert capsys.readouterr().out == "py311-tracerefs,py313-release\n"
    assert interpreters.main(["--all-names"]) == 0
    assert capsys.readouterr().out.strip().split(",") == interpreters.all_names()
    assert interpreters.main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 25
    assert lines[7].split()[:2] == ["py311-tracerefs", path]
    assert lines[8].split()[:2] == ["py311-nopymalloc", "missing:"]


def test_cli_as_a_script(places):
    built(places, "cpython-3.10.22-no-pymalloc", **NOPYMALLOC)
    result = subprocess.run([sys.executable, str(TOOLS / "interpreters.py"), "py310-nopymalloc"],
                            capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.strip().endswith("cpython-3.10.22-no-pymalloc/bin/python3")


def test_missing_release_names_the_pyenv_and_system_places(places):
    looked = interpreters.find("py314-release").looked
    assert "%s/versions/3.14.*/bin/python3" % places["pyenv"] in looked
    assert "%s/python3.14 (absent)" % places["usrbin"] in looked
