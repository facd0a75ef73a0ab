"""The checker on fixture pages that pass, fail and are broken, on the interpreter running
the tests (a real CPython, with the fixture's C module compiled for it)."""
from bookcheck import results as store
from bookcheck.cli import main

PAGES = "doc/sphinx/source/"


def check(book, page, capsys):
    status = main(["--root", str(book), "run", "--env", "here", PAGES + page])
    out = capsys.readouterr().out
    results = store.load(book / ".results" / "here.json")
    return status, out, results.records


def test_passing_page(book, capsys):
    status, out, blocks = check(book, "passing.rst", capsys)
    assert status == 0, out
    assert [b.status.value for b in blocks] == ["pass", "pass", "pass", "n/a", "n/a"]
    assert "hello from C" in blocks[0].actual
    assert blocks[3].why == "needs Python <3.0"
    assert blocks[4].why == ("needs the 3.0.0-imaginary build "
                                "(make python VERSION=3.0.0 VARIANT=imaginary)")


def test_output_mismatch_names_page_line_interpreter_and_bless_command(book, capsys):
    status, out, blocks = check(book, "mismatch.rst", capsys)
    assert status == 1
    assert ("FAIL doc/sphinx/source/mismatch.rst:8 (in the block at line 4) (pycon-session) "
            "on CPython") in out
    assert "-hello from Python\n" in out.replace("  -", "-") and "+hello from C" in out
    assert "interpreter: " in out and "bookcheck bless --run bless --envs here" in out
    assert blocks[0].status == store.Status.FAIL


def test_expected_abort_that_does_not_abort(book, capsys):
    status, out, blocks = check(book, "abort_missing.rst", capsys)
    assert status == 1
    assert "expected the session aborts with a Fatal Python error, but it ran normally" in out


def test_unexpected_crash_keeps_what_was_printed_before_it(book, capsys):
    status, out, blocks = check(book, "crash.rst", capsys)
    assert status == 1
    assert "but it was killed by SIGSEGV" in out
    assert blocks[0].actual.endswith("about to crash\n")


def test_timeout(book, capsys):
    status, out, blocks = check(book, "timeout.rst", capsys)
    assert status == 1
    assert "but it timed out" in out
    assert blocks[0].seconds < 10


def test_malformed_directive_names_file_and_line(book, capsys):
    status, out, blocks = check(book, "malformed.rst", capsys)
    assert status == 1
    assert "ERROR doc/sphinx/source/malformed.rst:6: malformed block: bad :expect: 'exploded'" in out


def test_unknown_option_names_file_and_line(book, capsys):
    status, out, _ = check(book, "unknown_option.rst", capsys)
    assert status == 1
    assert "unknown_option.rst:4: malformed block: unknown option ':pyton:'" in out


def test_second_run_compiles_nothing(book, capsys):
    check(book, "passing.rst", capsys)
    main(["--root", str(book), "run", "--env", "here", PAGES + "passing.rst"])
    assert "compiled" not in capsys.readouterr().err


def test_changed_example_output_fails(book, capsys):
    source = book / "examples" / "c" / "fixture_ext.c"
    source.write_text(source.read_text().replace("hello from C", "hello from a changed C"))
    status, out, _ = check(book, "passing.rst", capsys)
    assert status == 1 and "+hello from a changed C" in out


def test_compile_error_names_file_and_line(book, capsys):
    source = book / "examples" / "c" / "fixture_ext.c"
    source.write_text(source.read_text().replace("Py_RETURN_NONE;", "Py_RETURN_NONE"))
    status = main(["--root", str(book), "run", "--env", "here", PAGES + "passing.rst"])
    err = capsys.readouterr().err
    assert status == 2
    assert "compiling" in err and "fixture_ext.c:" in err
