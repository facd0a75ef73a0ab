"""The bless round trip: a stale block rewritten, every other byte kept, a second run a no-op."""
from bookcheck.cli import main

STALE = "doc/sphinx/source/stale.rst"


def run(book, page=STALE, run_id="r1"):
    return main(["--root", str(book), "run", "--force", "--run", run_id, "--env", "here", page])


def run_and_bless(book, *extra, run_id="r1"):
    run(book, run_id=run_id)
    return main(["--root", str(book), "bless", "--run", run_id, *extra])


def test_bless_rewrites_only_the_stale_output(book, capsys):
    page = book / STALE
    before = page.read_bytes()
    assert run_and_bless(book, "--check") == 1
    assert page.read_bytes() == before, "--check must write nothing"
    assert run_and_bless(book) == 0
    after = page.read_bytes()
    expected = (before.replace(b"   stale output\n", b"   fresh\n")
                .replace(b"   one\n\nThe end.", b"   one\n   two\n\nThe end."))
    assert after == expected
    assert b"trailing spaces   \nand a tab\tinside." in after
    assert run_and_bless(book) == 0
    assert page.read_bytes() == after, "a second bless changes nothing"
    assert run_and_bless(book, "--check") == 0
    assert "nothing to bless" in capsys.readouterr().out


def test_bless_leaves_a_block_edited_since_the_check(book, capsys):
    page = book / STALE
    run(book)
    edited = page.read_text().replace('print("fresh")', 'print("edited")')
    page.write_text(edited)
    assert main(["--root", str(book), "bless", "--run", "r1"]) == 1
    assert "changed since it was checked" in capsys.readouterr().out
    assert "stale output" in page.read_text()


def test_bless_keeps_crlf_line_endings(book):
    page = book / STALE
    page.write_bytes(page.read_bytes().replace(b"\n", b"\r\n"))
    assert run_and_bless(book) == 0
    assert b"   fresh\r\n" in page.read_bytes() and b"\n" not in page.read_bytes().replace(b"\r\n", b"")


def test_bless_never_deletes_statements_a_session_did_not_reach(book, capsys):
    page = book / "doc/sphinx/source/crash.rst"
    before = page.read_bytes()
    run(book, str(page))
    assert main(["--root", str(book), "bless", "--run", "r1"]) == 1
    assert "blessing would delete what you wrote after it" in capsys.readouterr().out
    assert page.read_bytes() == before
