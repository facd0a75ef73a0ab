"""Verification marks and the report page, on a small Sphinx project with fake results.

Each block of the fixture page is in one state: passed on two interpreters, failed on
one, unchecked with a reason, edited since it was checked; a second build has no
results at all. The keys and lines of the records come from bookcheck.reading, as the
checker's would.
"""
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from bookcheck import results as store  # noqa: E402
from bookcheck.reading import parse_text  # noqa: E402


def parse_blocks(text, path):
    return parse_text(text, path)[0]

PAGE = """\
Transcripts
===========

.. pycon-session::

   >>> print("passes")
   passes

.. pycon-session::
   :build: debug

   >>> print("fails")
   fails

.. console-session::
   :build: debug
   :python: >=3.13
   :unchecked: needs a 3.13 debug build, which cannot be built here

   $ python -c "print('unchecked')"
   unchecked

.. pycon-session::

   >>> print("edited")
   edited after the check

.. toctree::

   verification
"""

CONF = f"""
import sys
sys.path.insert(0, {str(REPO / 'src')!r})
extensions = ["bookcheck.sphinxext"]
bookcheck_examples_dir = "examples"
bookcheck_results_dir = "results"
bookcheck_repo_root = "."
"""

INTERPRETERS = {
    "py311-debug": {"label": "CPython 3.11.2 debug", "path": "/usr/bin/python3.11d",
                    "version": "3.11.2", "traits": {"debug": True, "pymalloc": True}},
    "py311-release": {"label": "CPython 3.11.7 release", "path": "/opt/python3.11/bin/python3",
                      "version": "3.11.7", "traits": {"debug": False, "pymalloc": True}},
}


def project(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    (root / "examples").mkdir(parents=True)
    (root / "conf.py").write_text(CONF)
    (root / "index.rst").write_text(PAGE)
    (root / "verification.rst").write_text("Report\n======\n\n.. verification-matrix::\n")
    return root


def write_results(root: Path) -> list:
    """Results as two interpreters would write them for the page above."""
    passing, failing, unchecked, edited = parse_blocks(PAGE, "index.rst")
    statuses = {
        "py311-debug": [("pass", passing.key), ("fail", failing.key), ("n/a", unchecked.key),
                        ("pass", "0123456789abcdef")],  # the edited block's old text
        "py311-release": [("pass", passing.key), ("n/a", failing.key), ("n/a", unchecked.key),
                          ("pass", "0123456789abcdef")],
    }
    (root / "results").mkdir(exist_ok=True)
    for env, cells in statuses.items():
        records = [store.Record(page="index.rst", line=block.line, key=key, kind=block.kind,
                                status=store.Status(status), unchecked=block.unchecked,
                                checked="2026-11-20T10:00:00+0000",
                                why="needs a build with debug" if status == "n/a" else "")
                   for block, (status, key) in zip((passing, failing, unchecked, edited), cells)]
        store.update(root / "results", env, INTERPRETERS[env], None, records)
    return [passing, failing, unchecked, edited]


def build(root: Path, *extra: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-n", "-q", "-b", "html",
                             *extra, str(root), str(root / "_build")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def marks(html: str) -> dict[int, tuple[str, str]]:
    """{directive line: (state, text)} of the mark under each transcript block."""
    found = re.findall(r'id="transcript-(\d+)".*?<p class="bookcheck-mark bookcheck-(\w+)">'
                       r"(.*?)</p>", html, re.S)
    return {int(line): (state, re.sub(r"<[^>]+>", "", text).split(" · ")[0].strip())
            for line, state, text in found}


def test_marks_say_where_each_block_was_checked(tmp_path):
    root = project(tmp_path)
    passing, failing, unchecked, edited = write_results(root)
    build(root)
    found = marks((root / "_build" / "index.html").read_text())
    assert found[passing.line] == (
        "pass", "✓ checked on CPython 3.11.2 debug, CPython 3.11.7 release (2026-11-20)")
    assert found[failing.line] == ("fail", "✗ failed on CPython 3.11.2 debug (2026-11-20)")
    assert found[unchecked.line] == (
        "unchecked", "not checked here: needs a 3.13 debug build, which cannot be built here")
    assert found[edited.line] == ("edited", "edited since last checked")


def test_the_report_lists_every_block_against_every_interpreter(tmp_path):
    root = project(tmp_path)
    passing, failing, unchecked, edited = write_results(root)
    build(root)
    html = (root / "_build" / "verification.html").read_text()
    rows = re.findall(r'<tr class="bookcheck-(\w+)[^"]*" id="([^"]+)">(.*?)</tr>', html, re.S)
    assert [state for state, _, _ in rows] == ["pass", "fail", "unchecked", "edited"]
    cells = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                     row, re.S)]
             for _, _, row in rows]
    assert cells[0][:3] == [f"index.rst:{passing.line}", "✓", "✓"]
    assert cells[1][:3] == [f"index.rst:{failing.line}", "✗", "–"]
    assert cells[2][:3] == [f"index.rst:{unchecked.line}", "–", "–"]
    assert "needs a 3.13 debug build" in cells[2][3]
    assert cells[3][:3] == [f"index.rst:{edited.line}", "edited", "edited"]
    # Each row links to its block, and each block's mark links back to its row.
    assert f'href="index.html#transcript-{failing.line}"' in html
    index = (root / "_build" / "index.html").read_text()
    assert f'href="verification.html#{rows[1][1]}"' in index
    # The interpreters, with their labels and paths.
    assert "CPython 3.11.2 debug" in html and "/usr/bin/python3.11d" in html
    assert "CPython 3.11.7 release" in html and "/opt/python3.11/bin/python3" in html
    assert "4 transcript blocks on 2 interpreters" in html


def test_without_results_every_block_says_so_until_results_appear(tmp_path):
    root = project(tmp_path)
    build(root)
    found = marks((root / "_build" / "index.html").read_text())
    blocks = parse_blocks(PAGE, "index.rst")
    assert [found[b.line] for b in blocks] == [
        ("none", "not checked in this build (no results: run the checks)"),
        ("none", "not checked in this build (no results: run the checks)"),
        # Its reason stands whether or not anything ran.
        ("unchecked", "not checked here: needs a 3.13 debug build, which cannot be built here"),
        ("none", "not checked in this build (no results: run the checks)")]
    report = (root / "_build" / "verification.html").read_text()
    assert "No results in this build" in report

    # New results reach the pages in an incremental build: no -E needed.
    write_results(root)
    build(root)
    found = marks((root / "_build" / "index.html").read_text())
    assert found[blocks[0].line][0] == "pass" and found[blocks[1].line][0] == "fail"


def test_a_results_file_that_is_not_one_is_a_warning(tmp_path):
    root = project(tmp_path)
    (root / "results").mkdir()
    (root / "results" / "broken.json").write_text("{not json")
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html",
                             str(root), str(root / "_build")], capture_output=True, text=True)
    assert result.returncode != 0
    assert "broken.json: not a results file of bookcheck" in result.stderr
