"""The merged matrix: failures and blocks no interpreter checked make `make test` fail,
unless the block says why or the run left interpreters out on purpose."""
from bookcheck.report import format_matrix, junit_xml
from bookcheck.results import EnvResults, Record, Status


def results(env, *records):
    return EnvResults(env, {"label": f"CPython {env}", "path": f"/bin/{env}"}, "",
                      [Record(page="p.rst", line=line, key=f"k{line}", kind="pycon",
                              status=Status(status), unchecked=reason)
                       for line, status, reason in records])


def test_all_checked_and_passing_is_no_problem():
    text, problems = format_matrix([results("a", (1, "pass", "")), results("b", (1, "n/a", ""))], [])
    assert problems == 0 and "1 blocks, 2 interpreters: 1 passed, 0 failed" in text


def test_a_failure_anywhere_is_a_problem():
    _, problems = format_matrix([results("a", (1, "pass", "")), results("b", (1, "fail", ""))], [])
    assert problems == 1


def test_a_block_no_interpreter_checked_fails_unless_it_says_why():
    text, problems = format_matrix([results("a", (1, "n/a", ""), (2, "n/a", "needs 3.13 debug"))],
                                   ["py313-debug"])
    assert problems == 1
    assert "p.rst:1: FAILS: add ':unchecked: <why>'" in text
    assert "p.rst:2: stated reason: needs 3.13 debug" in text
    assert "skipped, no interpreter on this machine" in text and "py313-debug" in text


def test_a_partial_run_lists_unchecked_blocks_without_failing():
    text, problems = format_matrix([results("a", (1, "n/a", ""))], [], partial=True)
    assert problems == 0 and "not checked by the interpreters of this run: p.rst:1" in text


def test_junit_marks_failures_and_skips():
    xml = junit_xml(results("a", (1, "fail", ""), (2, "n/a", "")))
    assert 'tests="2" failures="1" skipped="1"' in xml
