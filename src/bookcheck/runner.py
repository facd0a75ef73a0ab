"""Runs a transcript block in fresh processes and captures what a terminal would show.

Output goes to a pseudo-terminal, so C's ``printf`` and Python's ``print`` are both line
buffered and arrive in order, and what was printed before a crash is kept.
A ``>>>`` session is fed to the interpreter's own REPL (``-i``), so ``-X showrefcount``
and tracebacks look exactly as at a terminal; unique ``sys.ps1``/``sys.ps2`` set by a
startup file mark where each statement's output begins.
"""
from __future__ import annotations

import os
import pty
import re
import resource
import select
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .config import builds_root
from .model import Block

PS1, PS2 = "\x01PS1\x02", "\x01PS2\x02"
PROMPT = re.compile("\x01(PS[12])\x02")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")
SCRUBBED = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONMALLOC", "PYTHONMALLOCSTATS",
            "PYTHONDEVMODE", "PYTHONWARNINGS", "PYTHONSAFEPATH", "PYTHONINSPECT",
            "PYTHON_LLTRACE", "PYTHONDUMPREFS", "PYTHONDUMPREFSFILE", "VIRTUAL_ENV",
            "PYTHONASYNCIODEBUG", "PYTHONTRACEMALLOC", "PYTHONFAULTHANDLER")


@dataclass
class Outcome:
    kind: str  # ok | exit | fatal | signal | timeout
    value: int = 0

    def describe(self) -> str:
        if self.kind == "exit":
            return f"exited with status {self.value}"
        if self.kind == "fatal":
            return "aborted with a Fatal Python error"
        if self.kind == "signal":
            return f"was killed by {signal.Signals(self.value).name}"
        if self.kind == "timeout":
            return "timed out"
        return "ran normally"


@dataclass
class Actual:
    transcript: str
    outcome: Outcome
    seconds: float


def classify(returncode: int, output: str, shell: bool = False) -> Outcome:
    if shell and returncode > 128:
        returncode = -(returncode - 128)
    if returncode < 0:
        if -returncode == signal.SIGABRT and "Fatal Python error" in output:
            return Outcome("fatal", -returncode)
        return Outcome("signal", -returncode)
    return Outcome("exit", returncode) if returncode else Outcome("ok")


def _no_core_dumps():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_on_terminal(argv, env, cwd, timeout, stdin_text="") -> tuple[str, int | None]:
    """Run argv with stdout and stderr on a fresh pseudo-terminal; (text, returncode)."""
    master, slave = pty.openpty()
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=slave, stderr=slave,
                               env=env, cwd=cwd, start_new_session=True,
                               preexec_fn=_no_core_dumps)
    os.close(slave)
    try:
        process.stdin.write(stdin_text.encode())
        process.stdin.close()
    except BrokenPipeError:
        pass
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return _clean(b"".join(chunks)), None
            ready, _, _ = select.select([master], [], [], min(remaining, 1.0))
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer of the terminal has gone
                break
            if not data:
                break
            chunks.append(data)
        return _clean(b"".join(chunks)), process.wait(timeout=max(deadline - time.monotonic(), 1))
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return _clean(b"".join(chunks)), None
    finally:
        os.close(master)


def _clean(data: bytes) -> str:
    text = data.decode("utf-8", errors="backslashreplace").replace("\r\n", "\n")
    return ANSI.sub("", text).replace("\r", "")


class Runner:
    """Runs blocks for one interpreter, with the compiled examples importable."""

    def __init__(self, python: str, examples_build: Path, root: Path | None = None):
        self.python = python
        self.examples_build = examples_build
        self.root = root
        self.workdir = Path(tempfile.mkdtemp(prefix="bookcheck-"))
        self.bin = self.workdir / "bin"
        self.bin.mkdir()
        for name in ("python", "python3"):
            (self.bin / name).symlink_to(python)
        self.startup = self.workdir / "startup.py"
        self.startup.write_text(f"import sys\nsys.ps1 = {PS1!r}\nsys.ps2 = {PS2!r}\n")

    def environment(self, block: Block, home: Path) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
        env["DEBUGBOOK_PYTHONS"] = str(builds_root())  # before HOME changes below
        env.update(PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '')}",
                   PYTHONPATH=str(self.examples_build), HOME=str(home), TERM="dumb",
                   LC_ALL="C.UTF-8", PYTHON_COLORS="0", NO_COLOR="1", PYTHON_BASIC_REPL="1")
        if self.root:  # so a session can run the book's own tools: python -m bookcheck identify
            env["PYTHONPATH"] += os.pathsep + str(self.root / "src")
            env["BOOKCHECK_ROOT"] = str(self.root)
            env["BOOKCHECK_CACHE"] = str(self.examples_build.parent)
        env.update(block.env)
        return env

    def run(self, block: Block) -> Actual:
        started = time.monotonic()
        run = self._run_pycon if block.kind == "pycon" else self._run_console
        # Blocks run in parallel: each gets a directory of its own to work and write in.
        cwd = Path(tempfile.mkdtemp(prefix="block-", dir=self.workdir))
        transcript, outcome = run(block, cwd)
        return Actual(transcript.rstrip() + "\n", outcome, time.monotonic() - started)

    def _run_pycon(self, block: Block, cwd: Path):
        inputs = [_strip_prompt(line) for line in block.content
                  if line.startswith((">>>", "..."))]
        env = self.environment(block, cwd)
        env["PYTHONSTARTUP"] = str(self.startup)
        argv = [self.python, *block.interpreter_options, "-q", "-i"]
        text, code = run_on_terminal(argv, env, cwd, block.timeout,
                                     "".join(line + "\n" for line in inputs))
        outcome = Outcome("timeout") if code is None else classify(code, text)
        return _rebuild_session(text, inputs), outcome

    def _run_console(self, block: Block, cwd: Path):
        commands = [line[2:] for line in block.content if line.startswith("$ ")]
        env, shown = self.environment(block, cwd), []
        deadline = time.monotonic() + block.timeout
        outcome = Outcome("ok")
        for number, command in enumerate(commands, 1):
            argv = ["bash", "--noprofile", "--norc", "-c", command]
            left = max(deadline - time.monotonic(), 0.1)
            text, code = run_on_terminal(argv, env, cwd, left)
            shown.append(f"$ {command}\n{text}")
            outcome = Outcome("timeout") if code is None else classify(code, text, shell=True)
            if outcome.kind != "ok" and number < len(commands):
                break  # a person would stop at the first failing command
        return "".join(shown), outcome


def _strip_prompt(line: str) -> str:
    return line[4:] if len(line) > 3 and line[3] == " " else line[3:]


def _rebuild_session(text: str, inputs: list[str]) -> str:
    """Put the statements back between the outputs the REPL printed after each prompt."""
    pieces = PROMPT.split(text)
    out = [pieces[0]] if pieces[0].strip() else []
    for index in range(1, len(pieces), 2):
        prompt, output = pieces[index], pieces[index + 1]
        statement = (index - 1) // 2
        if statement < len(inputs):
            shown = (">>> " if prompt == "PS1" else "... ") + inputs[statement]
            out.append(shown.rstrip() + "\n" + output)
        else:  # the prompt that met end of input: the REPL prints a newline, then exits
            out.append(output[1:] if output.startswith("\n") else output)
    return "".join(out)
