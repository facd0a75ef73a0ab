"""What a transcript's lines are: statements (with their continuation lines) or output.

In a ``>>>`` session a ``...`` line continues a statement only while the statement is
incomplete, as the REPL itself decides (:mod:`codeop`); so ``print("...")`` printing
``...`` is output, not a statement. In a ``$`` session a ``> `` line continues a
command (a backslash, an open quote, a heredoc), as bash's second prompt shows it.
"""
from __future__ import annotations

import codeop
import warnings
from dataclasses import dataclass, field


@dataclass
class Step:
    """One statement or command: its source lines as typed, and the output shown after."""
    source: list[str]
    output: list[str] = field(default_factory=list)


def _strip_pycon(line: str) -> str:
    return line[4:] if len(line) > 3 and line[3] == " " else line[3:]


def _incomplete(source: list[str]) -> bool:
    """Whether the REPL would ask for another line after these."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return codeop.compile_command("\n".join(source), "<input>", "single") is None
        except (SyntaxError, ValueError, OverflowError):
            return False


def pycon_steps(content: list[str]) -> tuple[list[str], list[Step]]:
    """(lines before the first prompt, statements with their output)."""
    before, steps = [], []
    for line in content:
        if line.startswith(">>>"):
            steps.append(Step([_strip_pycon(line)]))
        elif steps and line.startswith("...") and not steps[-1].output \
                and _incomplete(steps[-1].source):
            steps[-1].source.append(_strip_pycon(line))
        elif steps:
            steps[-1].output.append(line)
        else:
            before.append(line)
    return before, steps


def console_steps(content: list[str]) -> tuple[list[str], list[Step]]:
    before, steps = [], []
    for line in content:
        if line.startswith("$ ") or line == "$":
            steps.append(Step([line[2:]]))
        elif steps and not steps[-1].output and (line.startswith("> ") or line == ">"):
            steps[-1].source.append(line[2:])
        elif steps:
            steps[-1].output.append(line)
        else:
            before.append(line)
    return before, steps


def steps_of(kind: str, content: list[str]) -> tuple[list[str], list[Step]]:
    return pycon_steps(content) if kind == "pycon" else console_steps(content)


def shown(kind: str, step: Step) -> list[str]:
    """The step's source lines as the page shows them, with their prompts."""
    first, more = (">>> ", "... ") if kind == "pycon" else ("$ ", "> ")
    return [((first if n == 0 else more) + text).rstrip() for n, text in enumerate(step.source)]


def prompt_like(kind: str, expected: str, written: str) -> str:
    """The first output line of ``written`` that a reader (and the next check) would take
    for a statement the page did not have, or ''."""
    said = [step.source for step in steps_of(kind, expected.splitlines())[1]]
    for index, step in enumerate(steps_of(kind, written.splitlines())[1]):
        if index >= len(said) or step.source != said[index]:
            return shown(kind, step)[0]
    return ""
