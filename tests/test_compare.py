"""Comparing with normalisation rules and wildcards, and keeping wildcards when blessing."""
import re

from bookcheck.bless import stale_blocks
from bookcheck.compare import keep_what_still_matches, matches, unified_diff
from bookcheck.config import Rule

ADDRESS = [Rule("address", re.compile(r"0x[0-9a-f]{6,}"), "0x<address>")]


def test_rules_apply_to_both_sides():
    assert matches("at 0x7f0000001000\n", "at 0x55aa00002000\n", ADDRESS)
    assert not matches("at 0x7f0000001000\n", "at 0x55aa00002000\n", [])


def test_inline_and_line_wildcards():
    assert matches("count: [...]\nend\n", "count: 140119002599760\nend\n", [])
    assert matches("a\n[...]\nz\n", "a\nb\nc\nz\n", [])
    assert matches("a\n[...]\nz\n", "a\nz\n", [])
    assert not matches("a\n[...]\nz\n", "a\nb\n", [])


def test_diff_numbers_the_expected_side_with_page_lines():
    diff = unified_diff("one\ntwo\n", "one\nthree\n", [], "page.rst", 40)
    assert "@@ -40,2 +1,2 @@" in diff and "-two" in diff and "+three" in diff


def test_keep_what_still_matches_keeps_what_still_fits_and_takes_the_rest_from_actual():
    expected = ">>> f()\ncount: [...]\nheader\n[...]\nfooter\nold line\n"
    actual = ">>> f()\ncount: 42\nheader\nx\ny\nfooter\nnew line\n"
    assert keep_what_still_matches(expected, actual, []) == \
        ">>> f()\ncount: [...]\nheader\n[...]\nfooter\nnew line\n"


def test_keep_what_still_matches_drops_a_wildcard_that_no_longer_fits():
    assert keep_what_still_matches("count: [...]\n", "total: 3\n", []) == "total: 3\n"


def _results(env, actual, expected="count: [...]\nold\n"):
    return {"env": env, "blocks": [{"page": "p.rst", "line": 3, "key": "k", "status": "fail",
                                    "expected": expected, "actual": actual}]}


def test_bless_accepts_interpreters_that_differ_only_under_a_wildcard():
    stale, problems = stale_blocks([_results("a", "count: 1\nnew\n"),
                                    _results("b", "count: 2\nnew\n")], [])
    assert problems == [] and stale[0].actual == "count: [...]\nnew\n"


def test_bless_refuses_interpreters_that_really_differ():
    stale, problems = stale_blocks([_results("a", "count: 1\nnew\n"),
                                    _results("b", "count: 2\nother\n")], [])
    assert stale == [] and "print different output" in problems[0]


def test_bless_keeps_lines_that_match_after_normalisation():
    expected = "at 0x7f0000001000 (file.c:10)\nsame 0x7f0000002000\n"
    actual = "at 0x55aa00003000 (file.c:11)\nsame 0x55aa00004000\n"
    assert keep_what_still_matches(expected, actual, ADDRESS) == \
        "at 0x55aa00003000 (file.c:11)\nsame 0x7f0000002000\n"
