"""The API reference: Doxygen runs at build time with the book's Doxyfile, breathe renders
the entries, chapters link to them with :c:func:, and each entry links to its line."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("doxygen") is None,
                                reason="doxygen is not installed (make html installs it)")

EXAMPLE = """\
/**
 * @file demo.c
 * @brief A module for the tests of the API reference.
 */
#include <Python.h>

/**
 * @brief Says hello from C.
 *
 * Reference counts: returns a new reference to None.
 */
static PyObject *
say_hello(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    Py_RETURN_NONE;
}

/** @brief What a demo holds. */
typedef struct {
    PyObject_HEAD
    long number;
} DemoObject;
"""

CONF = f"""
import sys
sys.path.insert(0, {str(REPO / 'src')!r})
extensions = ["bookcheck.sphinxext", "bookcheck.sphinxext.apiref", "breathe"]
bookcheck_examples_dir = "examples"
bookcheck_doxyfile = {str(REPO / 'doc' / 'sphinx' / 'Doxyfile')!r}
breathe_projects = {{"examples": "doxygen/xml"}}
breathe_default_project = "examples"
breathe_domain_by_extension = {{"c": "c"}}
breathe_show_include = False
nitpicky = True
nitpick_ignore = [("c:identifier", "PyObject")]
"""

INDEX = """\
Chapter
=======

:c:func:`say_hello` returns None; :c:type:`DemoObject` holds a number.

.. toctree::

   api
   sources
"""


def build(tmp_path, example=EXAMPLE):
    root = tmp_path / "book"
    (root / "examples").mkdir(parents=True)
    (root / "examples" / "demo.c").write_text(example)
    (root / "conf.py").write_text(CONF)
    (root / "index.rst").write_text(INDEX)
    (root / "api.rst").write_text("API\n===\n\n.. example-api::\n")
    (root / "sources.rst").write_text("Sources\n=======\n\n.. example-sources::\n")
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-n", "-q", "-b", "html",
                             str(root), str(root / "_build")], capture_output=True, text=True)
    return root, result


def test_chapters_link_to_entries_and_entries_link_to_their_lines(tmp_path):
    root, result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    out = root / "_build"
    assert (root / "doxygen" / "xml" / "index.xml").is_file()
    index = (out / "index.html").read_text()
    assert 'href="api.html#c.say_hello"' in index
    assert 'href="api.html#c.DemoObject"' in index
    api = (out / "api.html").read_text()
    assert 'id="c.say_hello"' in api and "Says hello from C." in api
    line = EXAMPLE.splitlines().index("say_hello(PyObject *Py_UNUSED(self), "
                                      "PyObject *Py_UNUSED(args))") + 1
    assert f'href="sources.html#demo.c-{line}"' in api
    assert re.search(r'href="sources.html#source-demo-c"', api)
    sources = (out / "sources.html").read_text()
    assert f'<span id="demo.c-{line}">' in sources
    assert 'id="source-demo-c"' in sources
    assert 'href="api.html#api-demo-c"' in sources and 'id="api-demo-c"' in api


def test_an_undocumented_function_fails_the_build_with_its_file_and_line(tmp_path):
    example = EXAMPLE + "\nstatic int\nundocumented(void)\n{\n    return 0;\n}\n"
    root, result = build(tmp_path, example)
    assert result.returncode != 0
    line = example.splitlines().index("undocumented(void)") + 1
    assert re.search(rf"demo\.c:{line}: WARNING: doxygen: Member undocumented\(void\) "
                     r"\(function\) of file demo\.c is not documented", result.stderr), \
        result.stderr
