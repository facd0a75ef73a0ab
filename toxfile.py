"""tox plugin: the ``debugbook-interpreter`` runner gives each py3X-<kind> environment the
interpreter ``tools/interpreters.py`` finds, with no virtual environment.

The checker needs only the standard library, and some interpreters (Debian sid's) run
inside a root filesystem through bubblewrap, where a virtual environment made on this
machine could not work. So an environment is a directory whose ``bin/python`` is the
interpreter itself (a symbolic link) or a script that enters its root filesystem. An
environment asked for by name whose interpreter is missing fails at once with the command
that provisions it; one that is not asked for by name is skipped.
"""
import fcntl
import logging
import shlex
import sys
from pathlib import Path

from tox.execute.local_sub_process import LocalSubProcessExecutor
from tox.plugin import impl
from tox.tox_env.errors import Fail, Skip
from tox.tox_env.installer import Installer
from tox.tox_env.runner import RunToxEnv

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
import interpreters  # noqa: E402


class NothingToInstall(Installer):
    def _register_config(self):
        pass

    def installed(self):
        return []

    def install(self, arguments, section, of_type):
        if arguments:
            raise Fail("%s installs nothing: the checker runs from the source tree"
                       % self._env.name)


class InterpreterRun(RunToxEnv):
    def __init__(self, create_args):
        super().__init__(create_args)
        self._executor = None
        self._installer = None

    @staticmethod
    def id():
        return "debugbook-interpreter"

    def setup(self):
        # tox empties an environment's directories as it sets it up: two runs of one
        # environment at once would pull them from under each other, so the second waits.
        if getattr(self, "_lock", None) is None:
            self.env_dir.parent.mkdir(parents=True, exist_ok=True)
            self._lock = open(self.env_dir.parent / (".%s.lock" % self.name), "w")
            try:
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                logging.warning("%s: another run of this environment is going on; waiting "
                                "for it to finish", self.name)
                fcntl.flock(self._lock, fcntl.LOCK_EX)
        super().setup()

    def _teardown(self):
        super()._teardown()
        lock, self._lock = getattr(self, "_lock", None), None
        if lock is not None:
            lock.close()

    @property
    def executor(self):
        if self._executor is None:
            self._executor = LocalSubProcessExecutor(self.options.is_colored)
        return self._executor

    @property
    def installer(self):
        if self._installer is None:
            self._installer = NothingToInstall(self)
        return self._installer

    @property
    def runs_on_platform(self):
        return sys.platform

    @property
    def _package_tox_env_type(self):
        raise Fail("%s builds no package (package = skip)" % self.name)

    _external_pkg_tox_env_type = _package_tox_env_type

    def _build_packages(self):
        return []

    def _setup_env(self):
        super()._setup_env()
        found = interpreters.find(self.name)
        if found.path is None:
            message = "no interpreter on this machine (%s).\nProvision it with:  %s" % (
                found.error or "looked in: " + "; ".join(found.looked), found.build_command)
            if self.name in _asked_for_by_name(self.options):
                raise Fail(message)
            raise Skip(message)
        bin_dir = self.env_dir / "bin"
        bin_dir.mkdir(parents=True, exist_ok=True)
        python = bin_dir / "python"
        if python.is_symlink() or python.exists():
            python.unlink()
        if found.root is None:
            python.symlink_to(found.path)
        else:
            python.write_text("#!/bin/sh\n# %s\nexec %s \"$@\"\n"
                              % (found.how, shlex.join(found.argv())))
            python.chmod(0o755)
        self._paths = [bin_dir]
        self._origin = found.how

    @property
    def environment_variables(self):
        variables = super().environment_variables
        # Where the interpreter came from, for the results and the verification ledger.
        origin = getattr(self, "_origin", None)
        if origin:
            variables["DEBUGBOOK_INTERPRETER_ORIGIN"] = origin
        return variables


def _asked_for_by_name(options):
    selected = getattr(options, "env", None)
    if selected is None or selected.is_all or selected.is_default_list:
        return set()
    return set(selected)


@impl
def tox_register_tox_env(register):
    register.add_run_env(InterpreterRun)
