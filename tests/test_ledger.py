"""The verification ledger: written from results, read by the book when no results are on
the machine that builds it (Read the Docs), and honest about blocks edited since."""
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_verification import PAGE, build, marks, parse_blocks, project, write_results  # noqa: E402

from bookcheck import ledger  # noqa: E402
from bookcheck import results as store  # noqa: E402


def ledger_from_results(root: Path) -> dict:
    runs = store.load_all(root / "results")
    return ledger.update(ledger.load(root / "verification-ledger.json"), runs, "1a2b3c4")


def test_a_build_with_no_results_shows_the_ledgers_marks(tmp_path):
    root = project(tmp_path)
    passing, failing, unchecked, edited = write_results(root)
    ledger.write(root / "verification-ledger.json", ledger_from_results(root))
    shutil.rmtree(root / "results")  # a fresh clone: nothing was checked on this machine
    build(root)
    found = marks((root / "_build" / "index.html").read_text())
    assert found[passing.line] == (
        "pass", "✓ checked on CPython 3.11.2 debug, CPython 3.11.7 release (2026-11-20)")
    assert found[failing.line] == ("fail", "✗ failed on CPython 3.11.2 debug (2026-11-20)")
    assert found[unchecked.line][0] == "unchecked"
    # The ledger holds the old text of the fourth block: the page says it was edited since.
    assert found[edited.line] == ("edited", "edited since last checked")
    report = re.sub(r"<[^>]+>", "", (root / "_build" / "verification.html").read_text())
    assert "py311-debug: CPython 3.11.2 debug; from: not recorded; traits: debug, pymalloc; " \
           "checked 2026-11-20" in report


def test_an_edited_block_no_longer_matches_its_entry(tmp_path):
    root = project(tmp_path)
    write_results(root)
    ledger.write(root / "verification-ledger.json", ledger_from_results(root))
    shutil.rmtree(root / "results")
    (root / "index.rst").write_text(PAGE.replace('print("passes")\n   passes',
                                                 'print("passes!")\n   passes!'))
    build(root)
    first = parse_blocks((root / "index.rst").read_text(), "index.rst")[0]
    assert marks((root / "_build" / "index.html").read_text())[first.line] == (
        "edited", "edited since last checked")


def test_the_file_is_stable_small_and_one_block_per_line(tmp_path):
    root = project(tmp_path)
    write_results(root)
    text = ledger.dumps(ledger_from_results(root))
    again = ledger.dumps(ledger.update(json.loads(text), store.load_all(root / "results"),
                                       "1a2b3c4"))
    assert text == again
    data = json.loads(text)
    assert list(data["environments"]) == ["py311-debug", "py311-release"]
    assert data["environments"]["py311-debug"]["version"] == "3.11.2"
    lines = [line for line in text.splitlines() if '"digest"' in line]
    assert len(lines) == len(data["blocks"]) == 4
    first = data["blocks"][0]
    assert first["results"] == {
        "py311-debug": ["pass", "2026-11-20T10:00:00+0000", "1a2b3c4"],
        "py311-release": ["pass", "2026-11-20T10:00:00+0000", "1a2b3c4"]}
    # Results not run again (the same check) keep the commit they were checked at.
    later = ledger.update(data, store.load_all(root / "results"), "9f9f9f9")
    assert later["blocks"][0]["results"]["py311-debug"][2] == "1a2b3c4"
    assert "expected" not in text and "actual" not in text  # no outputs: it stays small


def test_a_new_cpython_version_replaces_what_its_environment_held(tmp_path):
    root = project(tmp_path)
    write_results(root)
    data = ledger_from_results(root)
    newer = store.load_all(root / "results", ["py311-debug"])[0]
    newer.interpreter = dict(newer.interpreter, version="3.11.9", label="CPython 3.11.9 debug")
    newer.records = newer.records[:1]
    data = ledger.update(data, [newer], "5e6f7a8")
    assert data["environments"]["py311-debug"]["version"] == "3.11.9"
    debug = [b["results"].get("py311-debug") for b in data["blocks"]]
    assert debug.count(None) == len(debug) - 1
    assert ["pass", "2026-11-20T10:00:00+0000", "5e6f7a8"] in debug


def test_a_corrupt_ledger_is_named(tmp_path):
    path = tmp_path / "verification-ledger.json"
    path.write_text("{not json")
    with pytest.raises(store.ResultsError, match="verification-ledger.json: not a verification"):
        ledger.load(path)
