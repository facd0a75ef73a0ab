"""The identification command on the real interpreters this machine has: build traits come
from the compiled probe, so they are what the headers say, whatever an environment is
called."""
import json
import subprocess
import sys

import pytest

from bookpaths import REPO

sys.path.insert(0, str(REPO / "tools"))
import interpreters  # noqa: E402

EXPECTED = {
    "py311-release": {"debug": False, "trace-refs": False, "pymalloc": True},
    "py311-debug": {"debug": True, "trace-refs": False, "pymalloc": True},
    "py311-tracerefs": {"debug": True, "trace-refs": True, "pymalloc": True},
    "py311-nopymalloc": {"debug": True, "trace-refs": False, "pymalloc": False},
    "py311-asan": {"debug": True, "asan": True, "pymalloc": False},
}


def identify(python, tmp_path, *options):
    done = subprocess.run([python, "-m", "bookcheck", "identify", *options], cwd=REPO,
                          capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "src"),
                               "BOOKCHECK_CACHE": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("env", sorted(EXPECTED))
def test_probe_reports_the_build(env, tmp_path):
    found = interpreters.find(env)
    if not found.path:
        pytest.skip(f"no {env} interpreter here; make one with: {found.build_command}")
    info = json.loads(identify(found.path, tmp_path, "--json"))
    for trait, value in EXPECTED[env].items():
        assert info["traits"][trait] is value, (env, trait, info["traits"])
    flags = info["compiled_with"]
    assert flags["Py_REF_DEBUG"] is flags["Py_DEBUG"]  # Py_DEBUG implies Py_REF_DEBUG
    assert info["version"].startswith("3.11.")
    assert info["ext_suffix"] in info["loads_suffixes"]
    if info["traits"]["debug"] and not info["traits"]["trace-refs"]:
        # 3.8+: a debug interpreter also loads modules built for the release ABI
        assert any(s.startswith(".cpython-311-") for s in info["loads_suffixes"])
    if info["traits"]["trace-refs"]:
        assert not any(s.startswith(".cpython-311-") for s in info["loads_suffixes"])


def test_the_report_is_readable(tmp_path):
    found = interpreters.find("py311-release")
    if not found.path:
        pytest.skip("no 3.11 release interpreter")
    report = identify(found.path, tmp_path)
    assert "Py_TRACE_REFS     False" in report and "allocator in use  pymalloc" in report
