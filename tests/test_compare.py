"""One comparison: the verdict, the diff, the first differing line and what bless writes."""
import re

from bookcheck.bless import stale_blocks
from bookcheck.compare import compare, matches
from bookcheck.config import Rule
from bookcheck.results import EnvResults, Record, Status

ADDRESS = [Rule("address", re.compile(r"0x[0-9a-f]{6,}"), "0x<address>")]
PID = [Rule("pid", re.compile(r"^==\d+=="), "==<pid>==")]


def test_rules_apply_to_both_sides():
    assert matches("at 0x7f0000001000\n", "at 0x55aa00002000\n", ADDRESS)
    assert not matches("at 0x7f0000001000\n", "at 0x55aa00002000\n", [])


def test_inline_and_line_wildcards():
    assert matches("count: [...]\nend\n", "count: 140119002599760\nend\n", [])
    assert matches("a\n[...]\nz\n", "a\nb\nc\nz\n", [])
    assert matches("a\n[...]\nz\n", "a\nz\n", [])
    assert not matches("a\n[...]\nz\n", "a\nb\n", [])


def test_diff_numbers_the_expected_side_with_page_lines():
    diff = compare("one\ntwo\n", "one\nthree\n", []).diff("page.rst", 40)
    assert "@@ -40,2 +1,2 @@" in diff and "-two" in diff and "+three" in diff


def test_the_first_difference_is_after_what_a_wildcard_matched():
    result = compare("a\n[...]\nz\nlast\n", "a\nb\nc\nz\nLAST\n", [])
    assert not result.matched and result.first_difference == 3  # 'last', not 'z'
    diff = result.diff("p.rst", 1)
    assert "-last" in diff and "+LAST" in diff
    assert "-[...]" not in diff and "-z" not in diff and "+b" not in diff


def test_bless_keeps_the_authors_wildcards_and_takes_the_rest_from_one_run():
    expected = ">>> f()\ncount: [...]\nheader\n[...]\nfooter\nold line\n"
    actual = ">>> f()\ncount: 42\nheader\nx\ny\nfooter\nnew line\n"
    assert compare(expected, actual, []).blessed() == \
        ">>> f()\ncount: [...]\nheader\n[...]\nfooter\nnew line\n"


def test_bless_drops_a_wildcard_that_no_longer_fits():
    assert compare("count: [...]\n", "total: 3\n", []).blessed() == "total: 3\n"


def test_bless_never_stitches_lines_of_two_runs():
    """Lines equal only after normalisation come from the new run: no page shows a
    Valgrind report with two process ids."""
    expected = "==111== HEAP SUMMARY:\n==111== old total\n"
    actual = "==222== HEAP SUMMARY:\n==222== new total\n"
    assert compare(expected, actual, PID).blessed() == actual


def _results(env, actual, expected="count: [...]\nold\n"):
    return EnvResults(env, {}, "", [Record(page="p.rst", line=3, key="k", kind="pycon",
                                           status=Status.FAIL, expected=expected,
                                           actual=actual)])


def test_bless_accepts_interpreters_that_differ_only_under_a_wildcard():
    stale, problems = stale_blocks([_results("a", "count: 1\nnew\n"),
                                    _results("b", "count: 2\nnew\n")], [])
    assert problems == [] and stale[0].text == "count: [...]\nnew\n"


def test_bless_refuses_interpreters_that_really_differ():
    stale, problems = stale_blocks([_results("a", "count: 1\nnew\n"),
                                    _results("b", "count: 2\nother\n")], [])
    assert stale == [] and "print different output" in problems[0]


def test_bless_refuses_output_that_reads_as_a_prompt():
    stale, problems = stale_blocks([_results("a", ">>> print('>>> x')\n>>> x\n",
                                             ">>> print('>>> x')\n")], [])
    assert stale == [] and "reads as a prompt" in problems[0]


def test_bless_refuses_an_outcome_only_failure():
    results = _results("a", "count: 1\nold\n")
    results.records[0].outcome_only = True
    results.records[0].why = "expected the session runs normally, but it exited with status 1"
    stale, problems = stale_blocks([results], [])
    assert stale == [] and "change the block's :expect:" in problems[0]
