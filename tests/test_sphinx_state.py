"""The Sphinx side in process (sphinx.testing): the extension's state lives in its Domain,
a parallel build (-j) writes the same HTML as a serial one, and the page Sphinx renders
holds the blocks the checker reads."""
from pathlib import Path

from docutils import nodes
from sphinx.testing.util import SphinxTestApp

from bookcheck import results as store
from bookcheck.reading import parse_text

CONF = """
extensions = ["bookcheck.sphinxext"]
bookcheck_examples_dir = "examples"
bookcheck_results_dir = "results"
bookcheck_repo_root = "."
exclude_patterns = ["excluded.rst"]
"""

PAGE = """\
Page {n}
=======

.. pycon-session::
   :caption: the first block of page {n},
      with a caption over two lines

   >>> print({n})
   {n}

.. console-session::

\t$ echo {n}
\t{n}
"""


def project(root: Path, pages: int = 8) -> Path:
    (root / "examples").mkdir(parents=True)
    (root / "conf.py").write_text(CONF)
    names = [f"page{n}" for n in range(pages)]
    (root / "index.rst").write_text("Book\n====\n\n.. toctree::\n\n"
                                    + "".join(f"   {name}\n" for name in names)
                                    + "   report\n")
    for n, name in enumerate(names):
        (root / f"{name}.rst").write_text(PAGE.format(n=n))
    (root / "report.rst").write_text("Report\n======\n\n.. verification-matrix::\n")
    (root / "excluded.rst").write_text(".. pycon-session::\n\n   >>> 1\n")
    blocks = [b for n, name in enumerate(names)
              for b in parse_text((root / f"{name}.rst").read_text(), f"{name}.rst")[0]]
    store.update(root / "results", "py-a", {"label": "CPython 3.14.10 debug", "path": "/p",
                                            "traits": {}}, None,
                 [store.Record(b.path, b.line, b.key, b.kind, store.Status.PASS,
                               checked="2026-11-30T06:00:00+0000") for b in blocks])
    return root


def build(root: Path, out: str, parallel: int = 0) -> SphinxTestApp:
    app = SphinxTestApp("html", srcdir=root, builddir=root / out, parallel=parallel)
    try:
        app.build()
    finally:
        app.cleanup()
    return app


def html_of(app) -> dict[str, str]:
    out = Path(app.outdir)
    return {p.name: p.read_text() for p in sorted(out.glob("*.html"))}


def test_the_state_is_in_the_domain(tmp_path):
    app = build(project(tmp_path / "book"), "_serial")
    data = app.env.get_domain("bookcheck").data
    assert sorted(d for d, blocks in data["transcripts"].items() if blocks) == \
        [f"page{n}" for n in range(8)]
    assert data["matrix_docs"] == {"report"}
    assert not hasattr(app.env, "bookcheck_transcripts")


def test_a_parallel_build_writes_the_same_html_as_a_serial_one(tmp_path):
    root = project(tmp_path / "book")
    serial = html_of(build(root, "_serial"))
    parallel = html_of(build(root, "_parallel", parallel=4))
    assert serial.keys() == parallel.keys()
    for name in serial:
        assert serial[name] == parallel[name], name
    assert "✓ checked on CPython 3.14.10 debug" in serial["page3.html"]


def test_the_page_shows_what_the_checker_reads(tmp_path):
    """Tabs, a caption over two lines: the rendered block is the block the checker runs."""
    root = project(tmp_path / "book", pages=1)
    app = build(root, "_serial")
    doctree = app.env.get_doctree("page0")
    rendered = [node.astext() for node in doctree.findall(nodes.literal_block)
                if node.get("bookcheck_key")]
    read = ["\n".join(b.content) for b in parse_text((root / "page0.rst").read_text(),
                                                     "page0.rst")[0]]
    assert rendered == read and read[1] == "$ echo 0\n0"
    assert "excluded" not in app.env.found_docs


REVISIONS = """\
Revisions
=========

.. pycon-session::

   .. revision:: 3.11 to 3.13
      :python: <3.14

   >>> print("old")
   old

   .. revision:: 3.14 and later
      :python: >=3.14

   >>> print("new")
   new
"""


def test_revisions_render_as_tab_panels_with_a_mark_each(tmp_path):
    root = project(tmp_path / "book", pages=1)
    (root / "page0.rst").write_text(REVISIONS)
    (old, new), _ = parse_text(REVISIONS, "page0.rst")[0][0].variants(), None
    store.update(root / "results", "py-a", {"label": "CPython 3.14.10 debug", "path": "/p",
                                            "traits": {}}, None,
                 [store.Record("page0.rst", new.line, new.key, "pycon", store.Status.PASS,
                               revision=new.revision, checked="2026-11-30T06:00:00+0000"),
                  store.Record("page0.rst", old.line, old.key, "pycon",
                               store.Status.NOT_APPLICABLE, revision=old.revision,
                               why="needs Python <3.14")])
    html = html_of(build(root, "_serial"))
    page = html["page0.html"]
    assert page.count('class="bookcheck-revision docutils container"') == 2
    assert "bookcheck-revisions.js" in page
    assert "✓ checked on CPython 3.14.10 debug" in page
    assert "not checked here: no interpreter of the last run applies (needs Python &lt;3.14)" \
        in page
    assert 'page0.rst:4</span> <span class="pre">(3.14' in html["report.html"]
