"""The book itself: every page's blocks are well formed, C reaches pages only through
anchors, and every example compiles warning-free with gcc and clang."""
import re
import shutil
import subprocess
import sys

import pytest

from bookpaths import REPO
from bookcheck.anchors import anchor_lines, check_all
from bookcheck.reading import read_page, source_pages

SOURCE = REPO / "doc" / "sphinx" / "source"
EXAMPLES = REPO / "examples" / "c"
C_BLOCK = re.compile(r"^\s*\.\.\s+(?:code-block|code|sourcecode|highlight)::\s*(?:c|cpp|c\+\+)\s*$",
                     re.IGNORECASE | re.MULTILINE)
INCLUDE = re.compile(r"^\s*\.\. example-include::\s*(\S+)\s*\n\s+:anchor:\s*(\S+)", re.MULTILINE)
PAGES = source_pages(SOURCE, SOURCE / "conf.py")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_no_hand_written_c_in_a_chapter(page):
    found = [f"{page}:{page.read_text()[:m.start()].count(chr(10)) + 1}: {m.group().strip()}"
             for m in C_BLOCK.finditer(page.read_text())]
    assert not found, "C on a page comes from examples/c through example-include:\n" + \
        "\n".join(found)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_blocks_are_well_formed_and_includes_resolve(page):
    _, errors = read_page(page, SOURCE, str)
    assert not errors, "\n".join(map(str, errors))
    for name, anchor in INCLUDE.findall(page.read_text()):
        anchor_lines(EXAMPLES / name, anchor)


def test_the_hand_written_c_check_can_fail(tmp_path):
    page = tmp_path / "bad.rst"
    page.write_text("Title\n=====\n\n.. code-block:: c\n\n   int x;\n")
    assert C_BLOCK.search(page.read_text())


def test_every_anchor_in_the_examples_is_sound():
    assert check_all(EXAMPLES) == []


@pytest.mark.parametrize("compiler", ["gcc", "clang"])
def test_examples_compile_without_warnings(compiler, tmp_path):
    if not shutil.which(compiler):
        pytest.skip(f"{compiler} is not installed (apt-get install {compiler})")
    script = ("import sys; from pathlib import Path; from bookcheck.build import build_examples; "
              f"build_examples(Path({str(EXAMPLES)!r}), Path({str(tmp_path)!r}), quiet=True)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "CC": compiler,
                               "PYTHONPATH": str(REPO / "src")})
    assert done.returncode == 0, done.stderr
    assert len(list(tmp_path.rglob("*.so"))) == len(list(EXAMPLES.glob("*.c")))
