"""Runs a transcript block as a person at a terminal would, and captures what they see.

A ``>>>`` session is fed to the interpreter's own REPL (``-q -i``); unique prompts, set
by a startup file that leaves no name behind in ``__main__``, mark where each line's
output begins. A ``$`` session is one bash for the whole block, so ``cd`` and variables
carry over; a salted marker after each command carries its exit status, as in
Mercurial's ``.t`` tests. Output goes to a pseudo-terminal (:mod:`.terminal`), so C's
``printf`` and Python's output arrive in order, and what was printed before a crash stays.
"""
from __future__ import annotations

import os
import re
import secrets
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .config import builds_root
from .model import Block, Outcome
from .terminal import run_on_terminal
from .transcript import console_steps, pycon_steps, shown

PS1, PS2 = "\x01PS1\x02", "\x01PS2\x02"
PROMPT = re.compile("\x01(PS[12])\x02")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")
SCRUBBED = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONMALLOC", "PYTHONMALLOCSTATS",
            "PYTHONDEVMODE", "PYTHONWARNINGS", "PYTHONSAFEPATH", "PYTHONINSPECT",
            "PYTHON_LLTRACE", "PYTHONDUMPREFS", "PYTHONDUMPREFSFILE", "VIRTUAL_ENV",
            "PYTHONASYNCIODEBUG", "PYTHONTRACEMALLOC", "PYTHONFAULTHANDLER",
            "PYTHON_BASIC_REPL", "TSAN_OPTIONS")


@dataclass
class Actual:
    transcript: str
    outcome: Outcome
    seconds: float


def classify(returncode: int | None, output: str, shell: bool = False) -> Outcome:
    if returncode is None:
        return Outcome("timeout")
    if shell and returncode > 128:
        returncode = -(returncode - 128)
    if returncode < 0:
        if -returncode == signal.SIGABRT and "Fatal Python error" in output:
            return Outcome("fatal", -returncode)
        return Outcome("signal", -returncode)
    return Outcome("exit", returncode) if returncode else Outcome("ok")


def clean(data: bytes) -> str:
    text = data.decode("utf-8", errors="backslashreplace").replace("\r\n", "\n")
    # A terminal shows a tab as spaces to the next stop of 8, as docutils reads one on the
    # page: gdb's source lines, for one, are indented with tabs.
    return "\n".join(line.expandtabs(8) for line in ANSI.sub("", text).replace("\r", "")
                     .split("\n"))


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
        self.startup.write_text(f"__import__('sys').ps1 = {PS1!r}\n"
                                f"__import__('sys').ps2 = {PS2!r}\n")

    def environment(self, block: Block, home: Path) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
        env["DEBUGBOOK_PYTHONS"] = str(builds_root())  # before HOME changes below
        env.update(PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '')}",
                   PYTHONPATH=str(self.examples_build), HOME=str(home), TERM="dumb",
                   LC_ALL="C.UTF-8", PYTHON_COLORS="0", NO_COLOR="1")
        if self.root:  # so a session can run the book's own tools: python -m bookcheck identify
            env["PYTHONPATH"] += os.pathsep + str(self.root / "src")
            env["BOOKCHECK_ROOT"] = str(self.root)
            env["BOOKCHECK_CACHE"] = str(self.examples_build.parent)
        env.update(block.env)
        return env

    def run(self, block: Block) -> Actual:
        started = time.monotonic()
        # Blocks run in parallel: each gets a directory of its own to work and write in.
        cwd = Path(tempfile.mkdtemp(prefix="block-", dir=self.workdir))
        run = self._run_pycon if block.kind == "pycon" else self._run_console
        transcript, outcome = run(block, cwd)
        return Actual(transcript.rstrip() + "\n", outcome, time.monotonic() - started)

    def _run_pycon(self, block: Block, cwd: Path):
        _, steps = pycon_steps(block.content)
        inputs = [line for step in steps for line in step.source]
        stdin = cwd.parent / f"{cwd.name}.input"  # beside the directory, not in it
        stdin.write_text("".join(line + "\n" for line in inputs))
        env = self.environment(block, cwd)
        env["PYTHONSTARTUP"] = str(self.startup)
        argv = [self.python, *block.interpreter_options, "-q", "-i"]
        data, code = run_on_terminal(argv, env, cwd, block.timeout, stdin)
        stdin.unlink()
        text = clean(data)
        return _rebuild_pycon(text, inputs), classify(code, text)

    def _run_console(self, block: Block, cwd: Path):
        _, steps = console_steps(block.content)
        salt = "BOOKCHECK-" + secrets.token_hex(8)
        script = cwd.parent / f"{cwd.name}.sh"
        script.write_text("".join(
            "\n".join(step.source) + f"\n__bookcheck=$?; printf '\\n{salt} %d\\n' $__bookcheck;"
            " [ $__bookcheck = 0 ] || exit $__bookcheck\n" for step in steps))
        argv = ["bash", "--noprofile", "--norc", str(script)]
        data, code = run_on_terminal(argv, self.environment(block, cwd), cwd, block.timeout)
        text = _drop_job_reports(clean(data), str(script))
        return _rebuild_console(text, steps, salt), classify(code, text, shell=True)


def _rebuild_pycon(text: str, inputs: list[str]) -> str:
    """Put the statements back between the outputs the REPL printed after each prompt."""
    pieces = PROMPT.split(text)
    out = [pieces[0]] if pieces[0].strip() else []
    for index in range(1, len(pieces), 2):
        prompt, output = pieces[index], pieces[index + 1]
        number = (index - 1) // 2
        if number < len(inputs):
            line = (">>> " if prompt == "PS1" else "... ") + inputs[number]
            out.append(line.rstrip() + "\n" + output)
        else:  # the prompt that met end of input: the REPL prints a newline, then exits
            out.append(output[1:] if output.startswith("\n") else output)
    return "".join(out)


def _rebuild_console(text: str, steps, salt: str) -> str:
    """Each command with its output; the commands after one that failed did not run."""
    markers = list(re.finditer(rf"\n?{salt} (-?\d+)\n", text))
    pieces, start = [], 0
    for marker in markers:
        pieces.append(text[start:marker.start()])
        start = marker.end()
    if len(markers) < len(steps) and (not markers or markers[-1][1] == "0"):
        pieces.append(text[start:])  # the command the session died in
    out = []
    for step, output in zip(steps, pieces):
        out.append("\n".join(shown("console", step)) + "\n")
        out.append(output + ("\n" if output and not output.endswith("\n") else ""))
    return "".join(out)


def _drop_job_reports(text: str, script: str) -> str:
    """bash names its script in its own messages; at a terminal it says 'bash:', and it
    reports a command killed by a signal only as the prompt comes back: drop that."""
    prefix = re.escape(script) + r": line \d+: "
    text = re.sub(rf"^{prefix}\s*\d+ [^\n]*\n?", "", text, flags=re.MULTILINE)
    return re.sub(rf"^{prefix}", "bash: ", text, flags=re.MULTILINE)
