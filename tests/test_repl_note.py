"""Each page with >>> sessions says once, before the first, which REPL they show."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_verification import build, project  # noqa: E402


def test_a_page_says_once_which_repl_its_sessions_show(tmp_path):
    root = project(tmp_path)
    build(root)
    html = (root / "_build" / "index.html").read_text()
    assert html.count('class="bookcheck-repl-note"') == 1
    assert html.index("bookcheck-repl-note") < html.index("transcript-")
    assert "&lt;python-input-0&gt;" in html and "PYTHON_BASIC_REPL=1" in html
    # A page with only shell sessions says nothing about a REPL.
    assert "bookcheck-repl-note" not in (root / "_build" / "verification.html").read_text()
