"""The results store: one file per environment, ``<results>/<env>.json``, holding one
record per block the environment checked.

This module is the only one that reads or writes that format. Records are typed
(:class:`Record`, :class:`Status`); a run updates the records of the pages it checked and
keeps every other page's, under a lock, with an atomic replace, so two runs at once both
land. A file that is not a results file is a :class:`ResultsError` naming it.
"""
from __future__ import annotations

import contextlib
import dataclasses
import enum
import fcntl
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = 2
# What a record keeps of a huge output: enough to read and to diff, noted as cut.
KEEP_CHARS = 200_000


class ResultsError(Exception):
    """A results file that cannot be read; the message names it and says what to do."""


class Status(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "n/a"
    ERROR = "error"  # a malformed block

    @property
    def failed(self) -> bool:
        return self in (Status.FAIL, Status.ERROR)


@dataclass
class Record:
    """What one environment found for one block."""
    page: str
    line: int
    key: str  # the block's text (bookcheck.model.Block.key)
    kind: str
    status: Status
    revision: str = ""  # the label of the block's revision this record is for, if any
    fingerprint: str = ""  # block, interpreter, examples and rules: unchanged means reusable
    run: str = ""  # the run that produced it (bless asks for its own run's records)
    checked: str = ""  # when, ISO 8601
    content_start: int = 0
    content_end: int = 0
    expected: str = ""
    actual: str = ""
    truncated: bool = False  # actual was cut to KEEP_CHARS
    expected_outcome: str = ""
    outcome: str = ""
    outcome_only: bool = False  # the text matched; only the outcome differs
    why: str = ""
    diff: str = ""
    diff_line: int = 0
    unchecked: str = ""
    conditions: str = ""
    seconds: float = 0.0

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Record":
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["status"] = Status(data["status"])
        return cls(**values)


@dataclass
class EnvResults:
    """Every record of one environment, and the interpreter it ran."""
    env: str
    interpreter: dict
    updated: str = ""
    records: list[Record] = field(default_factory=list)

    def find(self, page: str, key: str) -> Record | None:
        return next((r for r in self.records if r.page == page and r.key == key), None)

    def pages(self) -> set[str]:
        return {r.page for r in self.records}

    def to_json(self) -> dict:
        return {"format": FORMAT, "env": self.env, "interpreter": self.interpreter,
                "updated": self.updated, "records": [r.to_json() for r in self.records]}


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def updated_before(results: EnvResults, since: float) -> bool:
    try:
        return time.mktime(time.strptime(results.updated, "%Y-%m-%dT%H:%M:%S%z")) < since - 1
    except ValueError:
        return True


def cut(text: str, limit: int = KEEP_CHARS) -> tuple[str, bool]:
    """A huge text kept to its first ``limit`` characters, and whether it was cut."""
    if len(text) <= limit:
        return text, False
    return text[:limit], True


def path_of(directory: Path, env: str) -> Path:
    return directory / f"{env}.json"


def load(path: Path) -> EnvResults:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        return EnvResults(data["env"], data["interpreter"], data.get("updated", ""),
                          [Record.from_json(r) for r in data["records"]])
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError,
            AttributeError) as exc:
        raise ResultsError(f"{path}: not a results file of bookcheck ({exc}); delete it "
                           "and run the checks again") from None


def load_all(directory: Path, envs: list[str] | None = None) -> list[EnvResults]:
    """The results of the given environments (default: every file), sorted by env."""
    if envs is None:
        paths = sorted(directory.glob("*.json"))
    else:
        paths = [path_of(directory, env) for env in envs]
    found = []
    for path in paths:
        try:
            found.append(load(path))
        except FileNotFoundError:
            continue
    return sorted(found, key=lambda r: r.env)


@contextlib.contextmanager
def locked(directory: Path, env: str):
    """Hold the environment's lock: one update of its file at a time."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f".{env}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def update(directory: Path, env: str, interpreter: dict, pages: set[str] | None,
           records: list[Record]) -> EnvResults:
    """Replace the records of ``pages`` (None: of every page) with ``records``, keep the
    others; atomically, under the environment's lock."""
    target = path_of(directory, env)
    pages = pages | {r.page for r in records} if pages is not None else None
    with locked(directory, env):
        try:
            kept = [] if pages is None else \
                [r for r in load(target).records if r.page not in pages]
        except FileNotFoundError:
            kept = []
        merged = EnvResults(env, interpreter, now(),
                            sorted(kept + records, key=lambda r: (r.page, r.line)))
        write_atomically(target, json.dumps(merged.to_json(), indent=1) + "\n")
    return merged


def previous(directory: Path, env: str) -> dict[tuple[str, str], Record]:
    """The stored records by (page, fingerprint), for reusing unchanged blocks."""
    try:
        stored = load(path_of(directory, env))
    except (FileNotFoundError, ResultsError):
        return {}
    return {(r.page, r.fingerprint): r for r in stored.records if r.fingerprint}


def write_atomically(path: Path, text: str) -> None:
    """Write a file whole or not at all (a unique temporary name, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
