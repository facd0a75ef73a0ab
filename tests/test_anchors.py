"""Anchors in the C examples: found exactly, and every kind of breakage named with file:line."""
import pytest

from bookcheck.anchors import AnchorError, anchor_lines, find_anchors

GOOD = """/* intro */
// ANCHOR: first
int first(void) { return 1; }
// ANCHOR_END: first
// ANCHOR: second
int second(void) { return 2; }
// ANCHOR_END: second
"""


def write(tmp_path, text):
    path = tmp_path / "topic.c"
    path.write_text(text)
    return path


def test_lines_inside_anchors(tmp_path):
    path = write(tmp_path, GOOD)
    assert find_anchors(path) == {"first": (3, 3), "second": (6, 6)}


@pytest.mark.parametrize("text, message", [
    (GOOD + "// ANCHOR: first\nx\n// ANCHOR_END: first\n", "topic.c:8: anchor 'first' is defined twice"),
    ("// ANCHOR: open\nint x;\n", "topic.c:1: anchor 'open' is never closed"),
    ("// ANCHOR: a\n// ANCHOR: b\n", "topic.c:2: ANCHOR: b opens inside anchor 'a'"),
    ("int x;\n// ANCHOR_END: stray\n", "topic.c:2: ANCHOR_END: stray does not close"),
])
def test_broken_anchors(tmp_path, text, message):
    with pytest.raises(AnchorError) as error:
        find_anchors(write(tmp_path, text))
    assert message in str(error.value)


def test_missing_anchor_lists_the_known_ones(tmp_path):
    with pytest.raises(AnchorError) as error:
        anchor_lines(write(tmp_path, GOOD), "third")
    assert "no anchor 'third'; anchors in this file: first, second" in str(error.value)
