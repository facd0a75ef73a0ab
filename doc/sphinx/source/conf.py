"""Sphinx configuration of the book, and the settings its transcript checker reads.

``make html`` builds with ``-W --keep-going -n``: every warning is an error and every
cross-reference must resolve (see ``nitpick_ignore`` for the few that cannot).
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "src"))

project = "Debugging CPython C Extensions with Debug Builds"
author = "The debug-build book authors"
copyright = "2026, " + author
version = release = "0.1"
language = "en"

extensions = [
    "bookcheck.sphinxext",  # transcripts, example-include, verification marks and report
    "bookcheck.sphinxext.apiref",  # runs Doxygen; the API reference and example sources
    "breathe",
    "sphinx.ext.graphviz",
    "sphinx_copybutton",
]
templates_path = []
# figures/*.rst are fragments that chapters include; they are not pages of their own.
exclude_patterns = ["_build", "figures/*.rst"]
highlight_language = "none"
pygments_style = "friendly"
pygments_dark_style = "monokai"
nitpicky = True
# References that cannot resolve in this book, each for a stated reason. The build has no
# network access to docs.python.org, so there is no intersphinx inventory of the C API.
nitpick_ignore = [
    # CPython C API types in the signatures breathe renders for the examples.
    ("c:identifier", "PyObject"),
    ("c:identifier", "PyTypeObject"),
    ("c:identifier", "PyMethodDef"),
    ("c:identifier", "PyModuleDef"),
    ("c:identifier", "PyModuleDef_Slot"),
    ("c:identifier", "Py_ssize_t"),
    # The return type of every PyInit_<module> (a macro in CPython's headers).
    ("c:identifier", "PyMODINIT_FUNC"),
    # C's own types, which no Sphinx domain documents.
    ("c:identifier", "size_t"),
]

# -- The HTML book -----------------------------------------------------------------------
html_theme = "furo"
html_title = "Debugging CPython C Extensions"
html_short_title = "Debug builds"
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_last_updated_fmt = "%Y-%m-%d"
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": True,
    "top_of_page_buttons": [],
    # furo's system font stack for the text; for code, fonts that tell 0 from O and 1 from l.
    "light_css_variables": {
        "font-stack--monospace": "SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono',"
                                 " 'Liberation Mono', monospace",
        "color-brand-primary": "#1f5f8b",
        "color-brand-content": "#1f5f8b",
    },
    "dark_css_variables": {
        "color-brand-primary": "#7cb7e6",
        "color-brand-content": "#7cb7e6",
    },
}

# sphinx-copybutton: copying a transcript gives only what to type. The prompts (">>> ",
# "... ", "$ ") are removed and output lines are left out; blocks without prompts (C) are
# copied whole.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_remove_prompts = True
copybutton_copy_empty_lines = False
copybutton_exclude = ".linenos"

# Figures are drawn from figures/*.dot at build time. PNG at twice the screen resolution:
# Graphviz lays text out with this machine's font metrics, and an SVG set in a reader's
# fonts lets text overrun its boxes; a PNG looks the same everywhere (the PDF gets vectors).
graphviz_output_format = "png"
graphviz_dot_args = ["-Gdpi=192"]

# -- PDF (sphinx -b latex, then latexmk) and ePub (sphinx -b epub) --------------------------
# xelatex, because transcripts and marks hold characters pdflatex cannot set (✓, ✗, ─).
latex_engine = "xelatex"
latex_documents = [("index", "debug-builds.tex", project, author, "manual")]
latex_show_urls = "footnote"
# makeindex: Debian's xindy lacks the language modules Sphinx asks for, and the index is ASCII.
latex_use_xindy = False
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "10pt",
    # Sphinx's xelatex fonts (FreeFont), except code: FreeMono has no ✓ or ✗, DejaVu Sans
    # Mono has both and the box-drawing characters tools print.
    "fontpkg": r"""
\setmainfont{FreeSerif}[Extension=.otf, UprightFont=*, ItalicFont=*Italic,
  BoldFont=*Bold, BoldItalicFont=*BoldItalic]
\setsansfont{FreeSans}[Extension=.otf, UprightFont=*, ItalicFont=*Oblique,
  BoldFont=*Bold, BoldItalicFont=*BoldOblique]
\IfFontExistsTF{DejaVu Sans Mono}{\setmonofont{DejaVu Sans Mono}[Scale=0.85]}
  {\setmonofont{FreeMono}[Scale=0.9, Extension=.otf, UprightFont=*, ItalicFont=*Oblique,
   BoldFont=*Bold, BoldItalicFont=*BoldOblique]}
""",
}
epub_show_urls = "footnote"
# graphviz writes an image map (.png.map) beside each figure for HTML; ePub has no
# mimetype for it and leaves it out, which is what we want, so this notice is not an error.
suppress_warnings = ["epub.unknown_project_files"]

# -- The API reference of examples/c (Doxygen XML read by breathe) -------------------
bookcheck_doxyfile = "../Doxyfile"
breathe_projects = {"examples": "../doxygen/xml"}
breathe_default_project = "examples"
breathe_domain_by_extension = {"c": "c", "h": "c"}
breathe_show_include = False
breathe_show_define_initializer = False

# -- Verification marks: where each transcript was last checked ----------------------
# The results `make test` writes (one JSON file per interpreter), relative to this file,
# and the directory their page paths are relative to (the repository).
bookcheck_results_dir = "../../../.results"
bookcheck_repo_root = "../../.."

# Where the checked C examples live, relative to this file.
bookcheck_examples_dir = "../../../examples/c"

# What a failure report tells the maintainer to run to accept new output: this book's
# make target, which reruns the checks and blesses in one step (MAINTAINING.rst).
bookcheck_bless_command = "make bless ENVS={env} PAGES={page}"

# Normalisation rules of the transcript checker, applied in this order to both the
# expected and the actual output before comparing and before showing a diff. The page keeps
# real text (a real address, a real count); these make the check robust to what genuinely
# changes from run to run. Each is (name, regular expression, replacement).
bookcheck_normalise = [
    # Memory addresses; not 0xdddd... (the debug allocator's "dead" fill), which is the point.
    ("address", r"\b0x(?![dD]{16}\b)[0-9a-fA-F]{6,16}\b", "0x<address>"),
    # -X showrefcount totals and their growth change with every run of the interpreter.
    ("refs-blocks", r"\[-?\d+ refs, \d+ blocks\]", "[<N> refs, <M> blocks]"),
    # Line numbers inside CPython's headers move between patch releases.
    ("header-line", r"((?:Include|include/python3\.\d+d?)/(?:[\w.-]+/)*[\w.-]+\.h):\d+",
     r"\1:<line>"),
    # Where tools/build_python.py installs interpreters: this machine's root, or the
    # default one under any home directory (as on the machine that blessed the page).
    ("builds-root", r"<builds-root>|(?:/[\w.-]+)*/\.local/share/debugbook/pythons",
     "$DEBUGBOOK_PYTHONS"),
    # Valgrind prefixes every line with the process id.
    ("valgrind-pid", r"^==\d+==", "==<pid>=="),
    # From 3.13 the REPL names each input "<stdin-1>", "<stdin-2>", ... in tracebacks
    # where 3.11 and 3.12 say "<stdin>" (the pages say so where it first shows).
    ("stdin-name", r"<stdin-\d+>", "<stdin>"),
    # From 3.14 a fatal error's "Current thread" line also names the thread.
    ("thread-name", r"^(Current thread 0x\S+) \[[^\]\n]*\]", r"\1"),
]
