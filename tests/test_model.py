"""The block model: options parsed and validated once, for Sphinx and the checker alike."""
import pytest

from bookcheck.model import BlockError, make_block
from bookcheck.reading import parse_text


def parse_blocks(text, path):
    blocks, errors = parse_text(text, path)
    if errors:
        raise errors[0]
    return blocks

SESSION = [">>> 1 + 1", "2"]


def block(**options):
    return make_block("pycon-session", options, SESSION, "page.rst", 7)


@pytest.mark.parametrize("spec, version, applies", [
    (">=3.10", (3, 10, 0), True), (">=3.10", (3, 9, 18), False), ("==3.11", (3, 11, 2), False),
    (">3.11", (3, 11, 2), True), ("<=3.11", (3, 11, 2), False), ("!=3.11", (3, 11, 2), True),
    ("==3.11.*", (3, 11, 2), True), ("==3.11.*", (3, 12, 1), False),
    ("!=3.11.*", (3, 11, 7), False), (">=3.10, <3.13", (3, 13, 0), False),
    ("==3.11.2", (3, 11, 2), True), ("<3.12", (3, 11, 9), True), ("", (2, 7, 18), True),
])
def test_version_specifiers(spec, version, applies):
    assert block(python=spec).conditions.applies_to(version, {})[0] is applies


@pytest.mark.parametrize("build, traits, applies", [
    ("debug", {"debug": True}, True), ("debug", {"debug": False}, False),
    ("release", {"debug": False}, True), ("debug, trace-refs", {"debug": True}, False),
    ("no-pymalloc", {"pymalloc": True}, False), ("debug no-pymalloc", {"debug": True}, True),
])
def test_build_traits(build, traits, applies):
    assert block(build=build).conditions.applies_to((3, 11, 2), traits)[0] is applies


def test_options_are_parsed():
    b = block(env="PYTHONMALLOC=debug PYTHONMALLOCSTATS=1", options="-X showrefcount",
              expect="signal SIGSEGV", timeout="5")
    assert b.env == {"PYTHONMALLOC": "debug", "PYTHONMALLOCSTATS": "1"}
    assert b.interpreter_options == ["-X", "showrefcount"]
    assert (b.expect.kind, b.expect.value, b.timeout) == ("signal", 11, 5.0)
    assert "is killed by SIGSEGV" in b.describe_conditions()


@pytest.mark.parametrize("options, message", [
    ({"pyhton": ">=3.10"}, "unknown option ':pyhton:'"),
    ({"python": "3.10+"}, "bad :python: specifier '3.10+'"),
    ({"build": "debgu"}, "unknown build trait 'debgu'"),
    ({"env": "NOEQUALS"}, "bad :env: entry 'NOEQUALS'"),
    ({"expect": "exit 0"}, "bad :expect: 'exit 0'"),
    ({"timeout": "-1"}, "bad :timeout: '-1'"),
    ({"unchecked": ""}, ":unchecked: needs a reason"),
])
def test_bad_options_name_file_and_line(options, message):
    with pytest.raises(BlockError) as error:
        block(**options)
    assert str(error.value).startswith("page.rst:7: ") and message in str(error.value)


def test_the_lexer_and_the_model_agree_on_content_and_lines():
    text = ("Title\n=====\n\n.. pycon-session::\n   :build: debug\n\n   >>> 1 + 1\n   2\n\n"
            "after\n")
    (found,) = parse_blocks(text, "p.rst")
    assert (found.line, found.content_start, found.content_end) == (4, 7, 8)
    direct = make_block("pycon-session", {"build": "debug"}, [">>> 1 + 1", "2"], "p.rst", 4)
    assert found.key == direct.key


@pytest.mark.parametrize("text, line, message", [
    (".. pycon-session:: arg\n\n   >>> 1\n", 3, "takes no argument"),
    (".. pycon-session::\n   >>> 1\n", 4, "separated from the directive"),
    (".. pycon-session::\n   :build: debug\n   :build: release\n\n   >>> 1\n", 3,
     'duplicate option "build"'),
    (".. console-session::\n\n   >>> 1\n", 3, "starts with a '$ ' command line"),
    (".. pycon-session::\n   :expect: fatal\n", 3, "has no transcript"),
])
def test_malformed_blocks(text, line, message):
    with pytest.raises(BlockError) as error:
        parse_blocks("intro\n\n" + text, "p.rst")
    assert error.value.line == line
    assert message in error.value.message


def test_needs_names_builds_by_version_and_variant():
    assert block(needs="3.11.2-refdebug-cflags, 3.11.2-trace-refs").needs == \
        ("3.11.2-refdebug-cflags", "3.11.2-trace-refs")
    with pytest.raises(BlockError) as error:
        block(needs="trace-refs")
    assert "bad :needs: entry 'trace-refs'" in str(error.value)
