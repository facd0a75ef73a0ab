"""The engine's contracts, one test per case the adversarial review found."""
import os
import signal
import stat
import subprocess
import sys
import threading
import time

import pytest

from bookpaths import REPO

from bookcheck import results as store
from bookcheck.cli import main
from bookcheck.reading import parse_text, read_page, source_pages
from bookcheck.transcript import pycon_steps

PAGES = "doc/sphinx/source/"


def run(book, *pages, force=True, run_id="r1", env="here"):
    return main(["--root", str(book), "run", *(["--force"] if force else []), "--run", run_id,
                 "--env", env, *(PAGES + p for p in pages)])


def records(book, env="here"):
    return store.load(book / ".results" / f"{env}.json").records


def write(book, name, text):
    (book / PAGES / name).write_text(text)
    return PAGES + name


# -- results ---------------------------------------------------------------------------

def test_checking_one_page_keeps_the_other_pages_records(book, capsys):
    run(book, "passing.rst")
    run(book, "mismatch.rst")
    assert {r.page for r in records(book)} == {PAGES + "passing.rst", PAGES + "mismatch.rst"}


def test_unchanged_blocks_are_not_run_again_unless_forced(book, capsys):
    run(book, "passing.rst", "mismatch.rst", run_id="first")
    assert run(book, "passing.rst", "mismatch.rst", run_id="second", force=False) == 1
    assert "unchanged since their last check" in capsys.readouterr().out
    assert {r.run for r in records(book)} == {"first"}
    run(book, "passing.rst", "mismatch.rst", run_id="third")
    assert {r.run for r in records(book)} == {"third"}


def test_two_runs_at_once_both_land(book, capsys):
    threads = [threading.Thread(target=store.update, args=(
        book / ".results", "here", {}, {page}, [store.Record(page, 1, "k", "pycon",
                                                             store.Status.PASS)]))
        for page in ("a.rst", "b.rst", "c.rst", "d.rst")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {r.page for r in records(book)} == {"a.rst", "b.rst", "c.rst", "d.rst"}


@pytest.mark.parametrize("command", [["matrix"], ["bless", "--run", "x"]])
def test_a_corrupt_results_file_is_named(book, capsys, command):
    (book / ".results").mkdir()
    (book / ".results" / "here.json").write_text("{broken")
    assert main(["--root", str(book), *command]) == 2
    err = capsys.readouterr().err
    assert "here.json: not a results file of bookcheck" in err and "Traceback" not in err


# -- one reading -----------------------------------------------------------------------

def test_a_caption_over_two_lines_is_one_option():
    (block,), errors = parse_text(".. pycon-session::\n   :caption: a caption that goes\n"
                                  "      on a second line\n\n   >>> 1\n   1\n", "p.rst")
    assert not errors and block.caption.split() == "a caption that goes on a second line".split()


def test_a_directive_shown_in_a_literal_block_or_a_comment_is_not_checked():
    text = ("Shown::\n\n   .. pycon-session::\n\n      >>> 1\n      2\n\n"
            "..\n   .. pycon-session::\n\n      >>> 1\n")
    assert parse_text(text, "p.rst") == ([], [])


def test_excluded_pages_are_not_read(book):
    source = book / PAGES
    (source / "conf.py").write_text((source / "conf.py").read_text()
                                    + "\nexclude_patterns = ['mismatch.rst']\n")
    names = [p.name for p in source_pages(source, source / "conf.py")]
    assert "passing.rst" in names and "mismatch.rst" not in names


def test_a_page_that_is_not_utf8_is_an_error_with_its_name(book):
    page = book / PAGES / "latin.rst"
    page.write_bytes(b"Title\n=====\n\ncaf\xe9\n")
    _, (error,) = read_page(page, book / PAGES, str)
    assert error.line == 4 and "not UTF-8" in error.message


# -- the model -------------------------------------------------------------------------

def test_dots_printed_by_a_statement_are_output():
    _, steps = pycon_steps([">>> print('...')", "...", ">>> for i in range(1):",
                            "...     i", "...", "0"])
    assert [s.source for s in steps] == [["print('...')"], ["for i in range(1):", "    i", ""]]
    assert steps[0].output == ["..."]


def test_a_session_has_no_sys_it_did_not_import(book, capsys):
    page = write(book, "nosys.rst", ".. pycon-session::\n\n   >>> sys\n   Traceback"
                 " (most recent call last):\n     File \"<stdin>\", line 1, in <module>\n"
                 "   NameError: name 'sys' is not defined[...]\n")
    assert main(["--root", str(book), "run", "--env", "here", page]) == 0, \
        capsys.readouterr().out


def test_sessions_do_not_inherit_the_checkers_sanitizer_options(book, capsys, monkeypatch):
    monkeypatch.setenv("TSAN_OPTIONS", "report_bugs=0")  # what tox.ini gives the checker
    page = write(book, "tsan.rst", ".. console-session::\n\n"
                 "   $ echo \"${TSAN_OPTIONS-unset}\"\n   unset\n")
    assert main(["--root", str(book), "run", "--env", "here", page]) == 0, \
        capsys.readouterr().out


def test_a_shell_session_is_one_shell(book, capsys):
    page = write(book, "shell.rst", ".. console-session::\n\n   $ cd /tmp && X=1\n"
                 "   $ echo \"$PWD $X\"\n   /tmp 1\n   $ cat <<EOF\n   > two\n   > EOF\n"
                 "   two\n")
    assert main(["--root", str(book), "run", "--env", "here", page]) == 0, \
        capsys.readouterr().out


def test_a_daemon_a_block_starts_dies_with_the_block(book, capsys, tmp_path):
    marker = tmp_path / "alive"
    page = write(book, "daemon.rst", ".. console-session::\n\n"
                 f"   $ (sleep 37.125; touch {marker}) > /dev/null 2>&1 &\n   $ echo started\n"
                 "   started\n")
    assert main(["--root", str(book), "run", "--env", "here", page]) == 0, \
        capsys.readouterr().out
    survivors = [p for p in os.listdir("/proc") if p.isdigit() and _cmdline(p) == "sleep37.125"]
    assert survivors == []


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            return stream.read().replace(b"\0", b"").decode()
    except OSError:
        return ""


# -- bless -----------------------------------------------------------------------------

STALE = "stale.rst"


def bless(book, run_id="r1", *extra):
    return main(["--root", str(book), "bless", "--run", run_id, *extra])


def test_bless_after_a_failed_check_blesses_nothing_and_fails(book, capsys):
    run(book, STALE, run_id="good")
    assert bless(book, "broken-run") == 2
    assert "did not finish" in capsys.readouterr().err


def test_bless_keeps_mode_link_and_missing_final_newline(book, capsys):
    page = book / PAGES / STALE
    page.write_bytes(page.read_bytes().rstrip(b"\n"))
    os.chmod(page, 0o664)
    target = book / "real.rst"
    page.rename(target)
    page.symlink_to(target)
    run(book, STALE)
    assert bless(book) == 0
    assert page.is_symlink() and stat.S_IMODE(target.stat().st_mode) == 0o664
    assert not target.read_bytes().endswith(b"\n") and b"fresh" in target.read_bytes()
    assert not [p for p in target.parent.iterdir() if ".bless-" in p.name]


def test_bless_refuses_a_read_only_page(book, capsys):
    page = book / PAGES / STALE
    os.chmod(page, 0o444)
    run(book, STALE)
    assert bless(book) == 1
    assert "read-only" in capsys.readouterr().out


# -- faults ----------------------------------------------------------------------------

def _descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as stream:
                fields = stream.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_check_stops_at_once_and_leaves_no_session(book, signum):
    page = write(book, "spin.rst", ".. pycon-session::\n   :timeout: 60\n\n"
                 "   >>> while True: pass\n")
    checker = subprocess.Popen([sys.executable, "-m", "bookcheck", "--root", str(book), "run",
                                "--env", "here", page], env={**os.environ,
                               "PYTHONPATH": str(REPO / "src")},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
            _cmdline(str(p)).endswith("-q-i") for p in _descendants(checker.pid)):
        time.sleep(0.1)
    sessions = _descendants(checker.pid)
    assert sessions, "the session never started"
    started = time.monotonic()
    checker.send_signal(signum)
    checker.wait(timeout=10)
    assert time.monotonic() - started < 1.5
    assert checker.returncode == 130
    time.sleep(0.2)
    assert [p for p in sessions if os.path.exists(f"/proc/{p}")
            and not _zombie(p)] == []


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as stream:
            return stream.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_two_checks_at_once_on_a_cold_cache(book):
    command = [sys.executable, "-m", "bookcheck", "--root", str(book), "run", "--force",
               "--env", "here", PAGES + "passing.rst"]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    both = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    for process in both:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, out + err
    assert {r.status for r in records(book)} <= {store.Status.PASS, store.Status.NOT_APPLICABLE}


def test_a_huge_output_is_cut_in_the_report_and_stored_once(book, capsys):
    page = write(book, "huge.rst", ".. pycon-session::\n\n"
                 "   >>> print('line\\n' * 300_000, end='')\n   line\n")
    started = time.monotonic()
    assert main(["--root", str(book), "run", "--env", "here", page]) == 1
    out = capsys.readouterr().out
    assert time.monotonic() - started < 30
    assert "the output is cut here" in out and len(out) < 50_000
    (record,) = [r for r in records(book) if r.page.endswith("huge.rst")]
    assert record.truncated and len(record.actual) <= store.KEEP_CHARS
    assert (book / ".results" / "here.json").stat().st_size < 3 * store.KEEP_CHARS


def test_an_outdented_line_is_named_at_its_own_line():
    _, (error,) = parse_text("T\n=\n\n.. pycon-session::\n\n   >>> for i in range(2):\n"
                             "   ...     print(i)\n ...\n   0\n   1\n", "p.rst")
    assert error.line == 8 and "indented less" in error.message


def test_a_transcript_without_a_blank_line_is_named_for_both_readers():
    _, (error,) = parse_text(".. pycon-session::\n   >>> 1\n   1\n", "p.rst")
    assert error.line == 2 and "separated from the directive" in error.message


# -- revisions -------------------------------------------------------------------------

def test_each_revision_is_checked_counted_and_blessed_on_its_own(book, capsys):
    page = book / PAGES / "revisions.rst"
    assert run(book, "revisions.rst") == 1
    out = capsys.readouterr().out
    assert "revision '3.11 and older'" in out
    found = {r.revision: r.status for r in records(book)}
    assert found == {"3.11 and older": store.Status.FAIL,
                     "3.12 and later": store.Status.NOT_APPLICABLE}
    before = page.read_text()
    assert bless(book) == 0
    assert page.read_text() == before.replace("   stale\n", "   False\n")
    assert run(book, "revisions.rst", run_id="r2") == 0


def test_revisions_that_overlap_are_an_error(book, capsys):
    page = write(book, "overlap.rst", ".. pycon-session::\n\n   .. revision:: any\n\n"
                 "   >>> 1\n   1\n\n   .. revision:: also any\n\n   >>> 1\n   1\n")
    assert main(["--root", str(book), "run", "--env", "here", page]) == 1
    assert "all apply to" in capsys.readouterr().out


def test_a_revision_without_a_label_is_malformed():
    _, (error,) = parse_text(".. pycon-session::\n\n   .. revision::\n\n   >>> 1\n", "p.rst")
    assert "needs a label" in error.message


def test_a_block_list_for_other_pages_is_refused(book, tmp_path, capsys):
    listing = tmp_path / "blocks.json"
    assert main(["--root", str(book), "read", "--out", str(listing),
                 PAGES + "passing.rst"]) == 0
    assert main(["--root", str(book), "run", "--env", "here", "--blocks", str(listing),
                 PAGES + "mismatch.rst"]) == 2
    assert "lists the blocks of doc/sphinx/source/passing.rst" in capsys.readouterr().err
    assert main(["--root", str(book), "run", "--env", "here", "--blocks", str(listing),
                 PAGES + "passing.rst"]) == 0


def test_a_failed_write_leaves_the_page_and_no_file_behind(book, capsys, monkeypatch):
    page = book / PAGES / STALE
    before = page.read_bytes()
    run(book, STALE)

    def full_disk(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", full_disk)
    assert bless(book) == 1
    assert "could not write it (No space left on device)" in capsys.readouterr().out
    assert page.read_bytes() == before
    assert not [p for p in page.parent.iterdir() if ".bless-" in p.name]


def test_an_outcome_only_failure_says_to_change_expect(book, capsys):
    page = write(book, "outcome.rst", ".. pycon-session::\n   :expect: exit 3\n\n"
                 "   >>> print('hi')\n   hi\n")
    assert main(["--root", str(book), "run", "--run", "r1", "--env", "here", page]) == 1
    out = capsys.readouterr().out
    assert "change the block's :expect:" in out and "make bless" not in out
    assert bless(book) == 1
    assert "bless writes output, not outcomes" in capsys.readouterr().out


def test_a_session_sees_an_empty_working_directory(book, capsys):
    page = write(book, "cwd.rst", ".. pycon-session::\n\n   >>> import os; os.listdir('.')\n"
                 "   []\n\n.. console-session::\n\n   $ ls -A | wc -l\n   0\n")
    assert main(["--root", str(book), "run", "--env", "here", page]) == 0, \
        capsys.readouterr().out


def test_a_daemon_that_left_its_process_group_dies_with_the_run(book, capsys):
    page = write(book, "setsid.rst", ".. console-session::\n\n"
                 "   $ setsid sleep 41.625 > /dev/null 2>&1 < /dev/null &\n   $ echo started\n"
                 "   started\n")
    assert main(["--root", str(book), "run", "--env", "here", page]) == 0, \
        capsys.readouterr().out
    assert [p for p in os.listdir("/proc") if p.isdigit()
            and _cmdline(p) == "sleep41.625" and not _zombie(p)] == []


def test_a_block_in_an_included_file_is_checked_with_its_page(book, capsys):
    (book / PAGES / "fragment.txt").write_text(".. pycon-session::\n\n   >>> 1 + 1\n   3\n")
    page = write(book, "includer.rst", "Includer\n========\n\n.. include:: fragment.txt\n")
    assert main(["--root", str(book), "run", "--env", "here", page]) == 1
    assert "FAIL doc/sphinx/source/fragment.txt:4" in capsys.readouterr().out


def test_the_matrix_fails_on_results_older_than_the_run(book, capsys):
    run(book, "passing.rst")
    assert main(["--root", str(book), "matrix", "--partial", "--since",
                 str(time.time() - 60)]) == 0
    assert main(["--root", str(book), "matrix", "--partial", "--since",
                 str(time.time() + 60)]) == 1
    assert "here: its check did not finish in this run" in capsys.readouterr().out
