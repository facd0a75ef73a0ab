import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
FIXTURE_BOOK = Path(__file__).resolve().parent / "fixtures" / "book"


@pytest.fixture
def book(tmp_path, monkeypatch):
    """A private copy of the fixture book, with its own example cache."""
    target = tmp_path / "book"
    shutil.copytree(FIXTURE_BOOK, target, symlinks=False)
    monkeypatch.setenv("BOOKCHECK_CACHE", str(tmp_path / "cache"))
    return target
