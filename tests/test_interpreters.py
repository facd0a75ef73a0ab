"""Tests of tools/interpreters.py with fake interpreters (shell scripts that answer the probe)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "tools"
sys.path.insert(0, str(TOOLS))

import cpython_tarballs  # noqa: E402
import interpreters  # noqa: E402

RELEASE = dict(debug=False, trace_refs=False, pymalloc=True, asan=False)
DEBUG = dict(debug=True, trace_refs=False, pymalloc=True, asan=False)
TRACEREFS = dict(debug=True, trace_refs=True, pymalloc=True, asan=False)
NOPYMALLOC = dict(debug=True, trace_refs=False, pymalloc=False, asan=False)
ASAN = dict(debug=True, trace_refs=False, pymalloc=False, asan=True)
FREETHREADING = dict(debug=True, free_threading=True)
TSAN = dict(debug=False, free_threading=True, tsan=True)


def fake_python(path, minor="3.11", **traits):
    """A script answering the probe like an interpreter with these traits would."""
    answer = dict(dict.fromkeys(interpreters.TRAITS, False), version=minor,
                  full_version=minor + ".99", **traits)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\necho '%s'\n" % json.dumps(answer))
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
    return dirs


def built(places, name, **traits):
    minor = name.split("-")[1].rsplit(".", 1)[0]
    return fake_python(places["pythons"] / name / "bin" / "python3", minor, **traits)


def test_names():
    names = interpreters.all_names()
    assert names[:2] == ["py311-release", "py311-debug"] and names[-1] == "py315-debug"
    assert len(names) == 18 and "py313-freethreading" in names and "py313-tsan" in names
    assert interpreters.parse_name("py311-nopymalloc") == ("3.11", "nopymalloc")
    assert interpreters.env_var("py311-debug") == "DEBUGBOOK_PYTHON_PY311_DEBUG"
    for unknown in ("py39-debug", "py310-release", "py311-freethreading", "py312-asan"):
        with pytest.raises(ValueError, match=unknown):
            interpreters.parse_name(unknown)


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
    ("py313-tracerefs", "trace-refs", TRACEREFS),
    ("py313-nopymalloc", "no-pymalloc", NOPYMALLOC),
    ("py313-asan", "asan", ASAN),
    ("py313-release", "release", RELEASE),
    ("py313-freethreading", "freethreading", FREETHREADING),
    ("py313-tsan", "freethreading-tsan", TSAN),
])
def test_each_kind_finds_its_variant(places, name, variant, traits):
    path = built(places, "cpython-3.13.15-%s" % variant, **traits)
    assert interpreters.find(name).path == path


@pytest.mark.parametrize("name, variant, traits, problem", [
    ("py311-tracerefs", "trace-refs", DEBUG, "no trace refs"),
    ("py311-nopymalloc", "no-pymalloc", DEBUG, "pymalloc"),
    ("py311-asan", "asan", NOPYMALLOC, "no asan"),
    ("py311-release", "release", DEBUG, "has debug"),
    ("py311-debug", "debug", TRACEREFS, "trace refs"),
    ("py313-freethreading", "freethreading", DEBUG, "no free threading"),
    ("py313-debug", "debug", FREETHREADING, "free threading"),
    ("py313-tsan", "freethreading-tsan", FREETHREADING, "no tsan"),
])
def test_wrong_traits_are_rejected_and_reported(places, name, variant, traits, problem):
    version = "3.13.15" if name.startswith("py313") else "3.11.2"
    path = fake_python(places["pythons"] / ("cpython-%s-%s" % (version, variant)) / "bin" /
                       "python3", version.rsplit(".", 1)[0], **traits)
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
    assert interpreters.find("py313-tracerefs").build_command == \
        "make python VERSION=3.13.15 VARIANT=trace-refs"
    assert interpreters.find("py315-debug").build_command.startswith("make pythons")


def test_cli_single_name(places, capsys):
    path = built(places, "cpython-3.11.2-asan", **ASAN)
    assert interpreters.main(["py311-asan"]) == 0
    assert capsys.readouterr().out == path + "\n"
    assert interpreters.main(["py313-asan"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("no interpreter for py313-asan: ")
    assert "make one with: make python VERSION=3.13.15 VARIANT=asan" in err
    assert interpreters.main(["py312-asan"]) == 2


def test_cli_lists(places, capsys):
    path = built(places, "cpython-3.11.2-trace-refs", **TRACEREFS)
    fake_python(places["usrbin"] / "python3.13", "3.13", **RELEASE)
    assert interpreters.main(["--available"]) == 0
    assert capsys.readouterr().out == "py311-tracerefs,py313-release\n"
    assert interpreters.main(["--all-names"]) == 0
    assert capsys.readouterr().out.strip().split(",") == interpreters.all_names()
    assert interpreters.main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 18
    assert lines[2].split()[:2] == ["py311-tracerefs", path]
    assert lines[3].split()[:2] == ["py311-nopymalloc", "missing:"]


def test_cli_as_a_script(places):
    built(places, "cpython-3.13.15-no-pymalloc", **NOPYMALLOC)
    result = subprocess.run([sys.executable, str(TOOLS / "interpreters.py"), "py313-nopymalloc"],
                            capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.strip().endswith("cpython-3.13.15-no-pymalloc/bin/python3")


def test_missing_release_names_the_pyenv_and_system_places(places):
    looked = interpreters.find("py314-release").looked
    assert "%s/versions/3.14.*/bin/python3" % places["pyenv"] in looked
    assert "%s/python3.14 (absent)" % places["usrbin"] in looked


def ready_sid_root(places):
    """A root filesystem that sid_root takes as complete, with fake interpreters in it."""
    root = places["pythons"] / "debian-sid"
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "debugbook-root.json").write_text(json.dumps({"suite": "sid"}))
    return root


def test_sid_interpreters_run_in_their_root_filesystem(places, monkeypatch):
    root = ready_sid_root(places)
    fake_python(root / "usr" / "bin" / "python3.14d", "3.14", **DEBUG)
    fake_python(root / "usr" / "bin" / "python3.14", "3.14", **RELEASE)
    ran = []

    def without_sandbox(path, fs=None):  # bubblewrap is tested on the real root filesystem
        ran.append((str(path), fs))
        return [str(Path(fs) / Path(path).relative_to("/"))] if fs else [str(path)]
    monkeypatch.setattr(interpreters, "command", without_sandbox)
    found = interpreters.find("py314-debug")
    assert (found.path, found.root) == ("/usr/bin/python3.14d", str(root))
    assert found.how.startswith("Debian sid python3.14-dbg") and found.version == "3.14.99"
    assert ran == [("/usr/bin/python3.14d", str(root))]
    assert interpreters.find("py314-release").path == "/usr/bin/python3.14"


def test_sid_root_without_record_is_not_used(places):
    root = ready_sid_root(places)
    (root / "debugbook-root.json").unlink()
    fake_python(root / "usr" / "bin" / "python3.15d", "3.15", **DEBUG)
    found = interpreters.find("py315-debug")
    assert found.path is None
    assert "%s (not provisioned)" % root in found.looked


def test_a_source_build_wins_over_the_sid_package(places):
    root = ready_sid_root(places)
    fake_python(root / "usr" / "bin" / "python3.13d", "3.13", **DEBUG)
    path = built(places, "cpython-3.13.15-debug", **DEBUG)
    found = interpreters.find("py313-debug")
    assert (found.path, found.root) == (path, None)
