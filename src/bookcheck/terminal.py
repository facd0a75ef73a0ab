"""Runs one process tree on a fresh pseudo-terminal, and makes sure the tree dies.

Each session leads a process group of its own. The whole group is killed at its timeout,
as soon as the leader has exited (a daemon the block started does not outlive it), and by
:func:`kill_all` when the checker is interrupted. The leader also dies with the thread
that started it (``PR_SET_PDEATHSIG``), should the checker itself be killed.
"""
from __future__ import annotations

import ctypes
import os
import pty
import resource
import select
import signal
import subprocess
import threading
import time

_live: set[int] = set()  # process groups of running sessions
_lock = threading.Lock()
stopping = threading.Event()  # set on interruption: start nothing new
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
# After the leader exits, how long to wait for the last output still in the terminal.
DRAIN_SECONDS = 0.2


class Interrupted(Exception):
    """The checker is stopping; the session was not run or was killed."""


def _prepare_child():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_all() -> None:
    """Kill every running session's process group (on Ctrl-C or SIGTERM)."""
    stopping.set()
    with _lock:
        groups = list(_live)
    for pgid in groups:
        kill_group(pgid)
    kill_orphans()


def adopt_orphans() -> None:
    """Become the subreaper of the sessions: a daemon that left its process group
    (``setsid``) is reparented to the checker instead of to init, so it can be found."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1)
    except (OSError, AttributeError):
        pass


def kill_orphans() -> None:
    """Kill and reap every child of the checker that is no running session: what daemons
    escaped their group. Called when no session should be left."""
    me = os.getpid()
    with _lock:
        sessions = set(_live)
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in sessions:
            continue
        try:
            with open(f"/proc/{entry}/stat") as stream:
                parent = int(stream.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == me:
            kill_group(int(entry))
            try:
                os.kill(int(entry), signal.SIGKILL)
                os.waitpid(int(entry), 0)
            except (ProcessLookupError, ChildProcessError, PermissionError):
                pass


def run_on_terminal(argv, env, cwd, timeout, stdin=None) -> tuple[bytes, int | None]:
    """Run argv with stdout and stderr on a pseudo-terminal and stdin from the file
    ``stdin`` (or empty); returns (output, returncode), returncode None on a timeout."""
    if stopping.is_set():
        raise Interrupted()
    master, slave = pty.openpty()
    source = open(stdin, "rb") if stdin else subprocess.DEVNULL
    try:
        process = subprocess.Popen(argv, stdin=source, stdout=slave, stderr=slave,
                                   env=env, cwd=cwd, start_new_session=True,
                                   preexec_fn=_prepare_child)
    finally:
        os.close(slave)
        if stdin:
            source.close()
    with _lock:
        _live.add(process.pid)
    try:
        chunks, code = _collect(process, master, time.monotonic() + timeout)
    finally:
        kill_group(process.pid)
        process.wait()
        with _lock:
            _live.discard(process.pid)
        os.close(master)
    if stopping.is_set():
        raise Interrupted()
    return b"".join(chunks), code


def _collect(process, master: int, deadline: float) -> tuple[list[bytes], int | None]:
    chunks, exited_at = [], None
    while True:
        now = time.monotonic()
        if exited_at is None and process.poll() is not None:
            exited_at = now
        if exited_at is not None and now - exited_at > DRAIN_SECONDS:
            return chunks, process.returncode
        if now >= deadline:
            return chunks, None
        wait = min(deadline - now, 0.25 if exited_at is None else DRAIN_SECONDS)
        ready, _, _ = select.select([master], [], [], wait)
        if not ready:
            continue
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every writer of the terminal has gone
            data = b""
        if not data:
            try:
                return chunks, process.wait(timeout=max(deadline - time.monotonic(), 0.01))
            except subprocess.TimeoutExpired:
                return chunks, None
        chunks.append(data)
