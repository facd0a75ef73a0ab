"""The option values of a transcript block: build traits, environment, expected outcome,
timeout. Each parser raises ValueError with a message saying what to write instead."""
from __future__ import annotations

import re
import shlex
import signal

TRAITS = ("debug", "trace-refs", "pymalloc", "asan", "tsan", "free-threading", "valgrind")
TRAIT_ALIASES = {"release": ("debug", False)}
DEFAULT_TIMEOUT = 60.0


def parse_traits(text: str):
    traits = []
    for word in filter(None, re.split(r"[,\s]+", text)):
        if word in TRAIT_ALIASES:
            traits.append(TRAIT_ALIASES[word])
            continue
        name, wanted = (word[3:], False) if word.startswith("no-") else (word, True)
        if name not in TRAITS:
            raise ValueError(f"unknown build trait {word!r} in :build:; known: release, "
                             + ", ".join(TRAITS) + " (each may be prefixed with 'no-')")
        traits.append((name, wanted))
    return tuple(traits)


def parse_env(text: str) -> dict:
    env = {}
    for item in shlex.split(text):
        name, sep, value = item.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"bad :env: entry {item!r}: write NAME=value")
        env[name] = value
    return env


def parse_expect(text: str):
    words = text.split()
    from .model import Outcome

    if words == ["ok"]:
        return Outcome()
    if words == ["fatal"]:
        return Outcome("fatal", int(signal.SIGABRT))
    if len(words) == 2 and words[0] == "exit" and words[1].isdigit() and words[1] != "0":
        return Outcome("exit", int(words[1]))
    if len(words) == 2 and words[0] == "signal":
        name = words[1].upper()
        name = name if name.startswith("SIG") else "SIG" + name
        if name in signal.Signals.__members__:
            return Outcome("signal", int(signal.Signals[name]))
    raise ValueError(f"bad :expect: {text!r}: use 'ok', 'exit N' (N > 0), 'fatal' "
                     "or 'signal NAME' (e.g. 'signal SIGSEGV')")


def parse_timeout(text: str) -> float:
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise ValueError(f"bad :timeout: {text!r}: give seconds between 0 and 3600")
    return value
