"""The Sphinx extension: transcript blocks render with captions, malformed blocks and broken
anchors fail the build with file and line."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bookpaths import FIXTURE_BOOK, REPO

GOOD_INCLUDE = """
.. example-include:: fixture_ext.c
   :anchor: say_hello
"""


def build(tmp_path, index_rst, example=None):
    project = tmp_path / "project"
    shutil.copytree(Path(__file__).parent / "fixtures" / "sphinx", project)
    shutil.copytree(REPO / "src", project / "src")
    (project / "examples").mkdir()
    shutil.copy(FIXTURE_BOOK / "examples" / "c" / "fixture_ext.c", project / "examples")
    if example:
        (project / "examples" / "extra.c").write_text(example)
    (project / "index.rst").write_text("Title\n=====\n" + index_rst)
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html",
                             str(project), str(project / "_build")],
                            capture_output=True, text=True)
    html = project / "_build" / "index.html"
    return result, html.read_text() if html.exists() else ""


def test_blocks_render_with_their_conditions_as_caption(tmp_path):
    result, html = build(tmp_path, "\n.. pycon-session::\n   :build: debug\n   :expect: fatal\n\n"
                         "   >>> import fixture_ext\n   >>> fixture_ext.fatal()\n" + GOOD_INCLUDE)
    assert result.returncode == 0, result.stderr
    assert "debug build, aborts with a Fatal Python error" in html
    assert "highlight-pycon" in html and "bookcheck-pycon" in html
    assert "hello from C" in html  # the C of the anchor, from the example file


@pytest.mark.parametrize("rst, message", [
    ("\n.. pycon-session::\n   :expect: exploded\n\n   >>> 1\n", "index.rst:4: ERROR: bad :expect:"),
    ("\n.. console-session::\n   :pyton: 3\n\n   $ true\n", "index.rst:4: ERROR: unknown option ':pyton:'"),
    ("\n.. example-include:: fixture_ext.c\n   :anchor: nothing\n", "no anchor 'nothing'"),
    ("\n.. example-include:: missing.c\n   :anchor: x\n", "no file 'missing.c'"),
    ("\n.. literalinclude:: examples/fixture_ext.c\n   :lines: 1-3\n",
     "index.rst:4: ERROR: literalinclude of examples/fixture_ext.c: the C examples are shown"),
])
def test_broken_pages_fail_the_build_with_file_and_line(tmp_path, rst, message):
    result, _ = build(tmp_path, rst)
    assert result.returncode != 0
    assert message in result.stderr


def test_an_unclosed_anchor_in_any_example_fails_the_build(tmp_path):
    result, _ = build(tmp_path, GOOD_INCLUDE, example="// ANCHOR: open\nint x;\n")
    assert result.returncode != 0
    assert "extra.c:1: anchor 'open' is never closed" in result.stderr
