"""toxfile.py's runner, through tox itself: an environment whose interpreter is missing
fails at once with the command that provisions it, and two runs of one environment at
once both finish."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TOX = Path(sys.executable).with_name("tox")
PAGE = "doc/sphinx/source/quickstart.rst"

pytestmark = pytest.mark.skipif(not TOX.exists(), reason="tox is in the tools venv: "
                                "run these with .venv/bin/python -m pytest")


def tox(*args, **env):
    return subprocess.Popen([str(TOX), *args], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, **env))


def test_a_missing_interpreter_fails_at_once_with_the_command(tmp_path):
    run = tox("-e", "py315-debug", DEBUGBOOK_PYTHONS=str(tmp_path))
    output, _ = run.communicate(timeout=120)
    assert run.returncode != 0
    assert "py315-debug: failed with no interpreter on this machine" in output
    assert "Provision it with:  make pythons" in output


def test_two_runs_of_one_environment_at_once_both_finish():
    sys.path.insert(0, str(REPO / "tools"))
    import interpreters
    if interpreters.find("py311-release").path is None:
        pytest.skip("no py311-release interpreter here")
    runs = [tox("-e", "py311-release", "--", PAGE) for _ in range(2)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], "\n".join(outputs)
    assert any("another run of this environment is going on" in o for o in outputs)
