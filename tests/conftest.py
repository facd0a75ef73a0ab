import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bookpaths import FIXTURE_BOOK, REPO  # noqa: E402

sys.path.insert(0, str(REPO / "src"))


@pytest.fixture
def book(tmp_path, monkeypatch):
    """A private copy of the fixture book, with its own example cache."""
    target = tmp_path / "book"
    shutil.copytree(FIXTURE_BOOK, target, symlinks=False)
    monkeypatch.setenv("BOOKCHECK_CACHE", str(tmp_path / "cache"))
    return target
