"""Where the repository and the fixtures are, for every test module (import this, not
conftest: tests/browser has a conftest of its own)."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURE_BOOK = Path(__file__).resolve().parent / "fixtures" / "book"
