"""Sphinx configuration of the book, and the settings its transcript checker reads."""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "src"))

project = "Debugging CPython C Extensions"
author = "The debug-build book authors"
copyright = "2026, " + author
release = "0.1"

extensions = ["bookcheck.sphinxext"]
templates_path = []
exclude_patterns = ["_build"]
highlight_language = "none"
html_theme = "alabaster"

# Where the checked C examples live, relative to this file.
bookcheck_examples_dir = "../../../examples/c"

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
    # Valgrind prefixes every line with the process id.
    ("valgrind-pid", r"^==\d+==", "==<pid>=="),
]
