"""The checker used by another book: tests/fixtures/otherbook keeps its pages in docs/,
its C in csrc/ and its results in checked/, all said in its conf.py. It is read, checked
on this interpreter, merged, written into its ledger and built with Sphinx (-W -n)."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bookpaths import REPO
from bookcheck.build import PROBE, build_examples, compile_command, condition, BuildError
from bookcheck.cli import main
from bookcheck.config import DEFAULT_CONF, DEFAULTS, ConfigError, read_layout

OTHER_BOOK = Path(__file__).resolve().parent / "fixtures" / "otherbook"


@pytest.fixture
def other(tmp_path, monkeypatch):
    target = tmp_path / "otherbook"
    shutil.copytree(OTHER_BOOK, target)
    monkeypatch.setenv("BOOKCHECK_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # nothing may depend on the current directory
    return target


def sphinx(book: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "-n", "-q", "-b", "html",
                           str(book / "docs"), str(book / "docs" / "_build")],
                          capture_output=True, text=True)


def test_the_other_book_is_read_checked_merged_and_built(other, capsys):
    conf = ["--conf", str(other / "docs" / "conf.py")]
    blocks = other / "blocks.json"
    assert main([*conf, "read", "--out", str(blocks)]) == 0
    listing = json.loads(blocks.read_text())
    assert [b["page"] for b in listing["blocks"]] == ["docs/index.rst"]
    assert main([*conf, "run", "--env", "here", "--blocks", str(blocks)]) == 0
    out = capsys.readouterr()
    assert "here: 1 passed, 0 failed" in out.out
    assert "not compiled: future_api.c needs python >= 9.0" in out.err
    assert (other / "checked" / "here.json").is_file()
    assert main([*conf, "matrix", "--envs", "here"]) == 0
    assert main([*conf, "ledger"]) == 0
    assert "docs/index.rst" in (other / "docs" / "checked-ledger.json").read_text()
    shutil.rmtree(other / "checked")  # the page now reads the ledger alone
    built = sphinx(other)
    assert built.returncode == 0, built.stderr
    html = (other / "docs" / "_build" / "index.html").read_text()
    assert re.search(r'bookcheck-pass">✓ checked on CPython', html)
    assert "PyNumber_Add" in html and "csrc/doubler.c" in html


def test_a_failure_names_the_engines_bless_command(other, capsys):
    page = other / "docs" / "index.rst"
    page.write_text(page.read_text().replace("   42\n", "   43\n"))
    assert main(["--conf", str(other / "docs" / "conf.py"), "run", "--env", "here"]) == 1
    out = capsys.readouterr().out
    assert "-m bookcheck run --env here --force --run bless docs/index.rst && bookcheck " \
           "bless --run bless --envs here docs/index.rst" in out
    assert "make " not in out


def test_the_warning_flags_come_from_conf_py(other):
    layout = read_layout(other / "docs" / "conf.py")
    assert layout.warning_flags == ("-Wall", "-Wextra", "-Werror", "-Wshadow")
    command = compile_command(layout.examples / "doubler.c", Path("x.so"), layout.warning_flags)
    assert "-Wshadow" in command
    assert "-Wshadow" not in compile_command(layout.examples / "doubler.c", Path("x.so"))


def test_this_books_defaults_are_its_layout():
    layout = read_layout(REPO / DEFAULT_CONF)
    assert layout.root == REPO and layout.examples == REPO / "examples" / "c"
    assert layout.results == REPO / ".results"
    assert layout.ledger == REPO / "doc" / "sphinx" / "source" / "verification-ledger.json"
    assert list(layout.warning_flags) == DEFAULTS["bookcheck_warning_flags"]


@pytest.mark.parametrize("setting, value", [
    ("bookcheck_examples_dir", "../c-examples"),
    ("bookcheck_repo_root", "../nowhere"),
    ("bookcheck_results_dir", "../no/such/results"),
    ("bookcheck_ledger", "missing/ledger.json"),
])
def test_a_wrong_path_is_an_error_naming_the_setting(other, capsys, setting, value):
    conf = other / "docs" / "conf.py"
    conf.write_text(conf.read_text() + f"{setting} = {value!r}\n")
    assert main(["--conf", str(conf), "read", "--out", str(other / "b.json")]) == 2
    err = capsys.readouterr().err
    assert setting in err and value in err and "conf.py" in err
    built = sphinx(other)
    assert built.returncode != 0 and setting in built.stderr and value in built.stderr


def test_a_missing_conf_py_says_how_to_name_it(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "read", "--out", str(tmp_path / "b.json")]) == 2
    assert "--conf PATH" in capsys.readouterr().err


def test_the_probe_is_the_checkers_and_always_compiled(tmp_path):
    examples = tmp_path / "c"
    examples.mkdir()
    (examples / "one.c").write_text((OTHER_BOOK / "csrc" / "doubler.c").read_text())
    build_dir, _ = build_examples(examples, tmp_path / "cache", quiet=True)
    assert sorted(p.name.split(".")[0] for p in build_dir.glob("*.so")) == ["buildprobe", "one"]
    assert PROBE.is_relative_to(REPO / "src" / "bookcheck")
    # This book shows the probe, so examples/c holds a link to it, compiled once.
    assert (REPO / "examples" / "c" / "buildprobe.c").resolve() == PROBE
    (examples / "buildprobe.c").write_text("/* another */\n")
    with pytest.raises(BuildError, match="the checker's own probe"):
        build_examples(examples, tmp_path / "cache", quiet=True)


@pytest.mark.parametrize("first_line, expected", [
    ("/* bookcheck: python >= 3.13 */", ">= 3.13"),
    ("/*bookcheck: python>=3.12,<3.15*/", ">=3.12,<3.15"),
    ("/** @file */", ""),
    ("#include <Python.h>", ""),
])
def test_a_condition_is_read_from_the_first_line(tmp_path, first_line, expected):
    source = tmp_path / "x.c"
    source.write_text(first_line + "\nint x;\n")
    assert condition(source) == expected


@pytest.mark.parametrize("first_line", ["/* bookcheck: debug */",
                                        "/* bookcheck: python >= three */"])
def test_a_malformed_condition_is_an_error_with_file_and_line(tmp_path, first_line):
    source = tmp_path / "x.c"
    source.write_text(first_line + "\n")
    with pytest.raises(BuildError, match=r"x\.c:1: "):
        condition(source)


def test_sphinx_registers_the_checkers_settings_and_defaults():
    from types import SimpleNamespace

    from bookcheck import sphinxext

    registered = {}

    class App:
        registry = SimpleNamespace(domains={})

        def add_config_value(self, name, default, rebuild, types):
            registered[name] = default

        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    sphinxext.setup(App())
    assert {k: v for k, v in registered.items() if k in DEFAULTS} == DEFAULTS


def test_a_file_is_compiled_where_its_condition_holds(tmp_path):
    examples = tmp_path / "c"
    examples.mkdir()
    body = (OTHER_BOOK / "csrc" / "doubler.c").read_text()
    (examples / "doubler.c").write_text(f"/* bookcheck: python >= 3.0, < 9 */\n{body}")
    build_dir, _ = build_examples(examples, tmp_path / "cache", quiet=True)
    assert list(build_dir.glob("doubler.*.so"))


@pytest.mark.skipif(not Path("/usr/bin/python3.11d").exists(),
                    reason="Debian's 3.11 debug build is not installed (apt-get install python3.11-dbg)")
def test_the_other_book_on_a_debug_interpreter_without_docutils(other, tmp_path):
    """As tox does it: the pages read here, the block list checked by another interpreter
    that has only the standard library and the checker on PYTHONPATH."""
    conf = ["--conf", str(other / "docs" / "conf.py")]
    blocks = tmp_path / "blocks.json"
    assert main([*conf, "read", "--out", str(blocks)]) == 0
    done = subprocess.run(["/usr/bin/python3.11d", "-m", "bookcheck", *conf, "run", "--env",
                           "py311-debug", "--blocks", str(blocks)], capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "src"),
                                          "BOOKCHECK_CACHE": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "py311-debug: 1 passed, 0 failed" in done.stdout
    results = json.loads((other / "checked" / "py311-debug.json").read_text())
    assert results["interpreter"]["traits"]["debug"] is True


def test_a_bless_command_with_an_unknown_field_is_refused(other, capsys):
    conf = other / "docs" / "conf.py"
    conf.write_text(conf.read_text() + 'bookcheck_bless_command = "bless {pages}"\n')
    assert main(["--conf", str(conf), "read", "--out", str(other / "b.json")]) == 2
    assert "bookcheck_bless_command" in capsys.readouterr().err
