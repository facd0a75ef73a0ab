"""tox plugin: each py3X-<kind> environment gets its interpreter from tools/interpreters.py.

An environment asked for whose interpreter is missing fails with the command that builds
one; `make test` asks only for the environments this machine has.
"""
import sys
from pathlib import Path

from tox.config.loader.memory import MemoryLoader
from tox.plugin import impl
from tox.report import HandledError

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
import interpreters  # noqa: E402


def _names_an_interpreter(name):
    try:
        interpreters.parse_name(name)
    except ValueError:
        return False
    return True


@impl
def tox_add_env_config(env_conf, state):
    if not _names_an_interpreter(env_conf.name):
        return
    found = interpreters.find(env_conf.name)
    if found.path is None and env_conf.name in _asked_for_by_name(state):
        raise HandledError(f"{env_conf.name}: no interpreter on this machine "
                           f"({found.error or 'looked in: ' + '; '.join(found.looked)}).\n"
                           f"Make one with:  {found.build_command}")
    # A missing interpreter of an environment not named on the command line is skipped
    # (skip_missing_interpreters in tox.ini), so that `tox list` and plain `tox` work.
    path = found.path or f"/nonexistent/{env_conf.name}/python"
    env_conf.loaders.insert(0, MemoryLoader(base_python=[path]))


def _asked_for_by_name(state):
    selected = getattr(state.conf.options, "env", None)  # `tox list` has no -e
    if selected is None or selected.is_all or selected.is_default_list:
        return set()
    return set(selected)
