"""The interpreters of each source, for real: pyenv's, Debian sid's in their root filesystem
(through bubblewrap) and a source build. Skipped where not provisioned, unless
DEBUGBOOK_REQUIRE_PYTHONS is set (``make test`` sets it after provisioning), where a missing
one fails."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

import interpreters  # noqa: E402


def found_or_skip(name):
    found = interpreters.find(name)
    if found.path is None:
        if os.environ.get("DEBUGBOOK_REQUIRE_PYTHONS"):
            pytest.fail(found.message())
        pytest.skip(found.message())
    return found


def run(found, code, **kwargs):
    return subprocess.run(found.argv() + ["-c", code], capture_output=True, text=True,
                          timeout=120, **kwargs)


INFO = ("import json, sys, sysconfig; print(json.dumps(dict(version=sys.version_info[:2], "
        "abiflags=sys.abiflags, debug=hasattr(sys, 'gettotalrefcount'), "
        "gil=getattr(sys, '_is_gil_enabled', lambda: True)())))")


@pytest.mark.parametrize("name, source, version, abiflags", [
    ("py311-release", "pyenv", [3, 11], ""),
    ("py314-debug", "Debian sid", [3, 14], "d"),
    ("py315-release", "Debian sid", [3, 15], ""),
    ("py313-freethreading", "built from source", [3, 13], "td"),
])
def test_each_source_gives_the_interpreter_its_name_says(name, source, version, abiflags):
    found = found_or_skip(name)
    if not found.how.startswith(source):
        pytest.skip("%s comes from %s here, not %s" % (name, found.how, source))
    result = run(found, INFO)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["version"] == version and info["abiflags"] == abiflags
    assert info["debug"] == ("d" in abiflags)
    if "t" in abiflags:
        assert info["gil"] is False


def test_sandbox_shares_the_repository_and_tmp_at_the_same_paths(tmp_path):
    found = found_or_skip("py315-debug")
    marker = tmp_path / "written-inside"
    code = ("import os, pathlib; pathlib.Path(%r).write_text(os.getcwd()); "
            "print(os.path.exists(%r), open('/etc/debian_version').read().strip())"
            % (str(marker), str(REPO / "tox.ini")))
    result = run(found, code, cwd=REPO)
    assert result.returncode == 0, result.stderr
    sees_repo, debian_version = result.stdout.split()
    assert sees_repo == "True" and "sid" in debian_version
    assert marker.read_text() == str(REPO)


def test_nothing_started_in_the_sandbox_outlives_it(tmp_path):
    found = found_or_skip("py314-release")
    pid_file = tmp_path / "daemon.pid"
    code = ("import subprocess; p = subprocess.Popen(['sleep', '300'], start_new_session=True); "
            "open(%r, 'w').write(str(p.pid))" % str(pid_file))
    assert run(found, code).returncode == 0
    # The pid is the sandbox's own; look for any 'sleep 300' left on this machine instead.
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-f", "^sleep 300$"], capture_output=True, text=True)
    assert left.stdout.strip() == "", "a process outlived its sandbox: %s" % left.stdout


def test_a_sandboxed_interpreter_compiles_an_extension_with_its_own_headers(tmp_path):
    found = found_or_skip("py315-debug")
    source = tmp_path / "tiny.c"
    source.write_text('#include <Python.h>\nstatic struct PyModuleDef d = {PyModuleDef_HEAD_INIT,'
                      ' "tiny"};\nPyMODINIT_FUNC PyInit_tiny(void) { return PyModule_Create(&d); }\n')
    code = ("import sysconfig, subprocess, sys; s = sysconfig.get_config_var; "
            "out = %r + s('EXT_SUFFIX'); subprocess.run(['gcc', '-shared', '-fPIC', '-I' + "
            "sysconfig.get_path('include'), %r, '-o', out], check=True); "
            "sys.path.insert(0, %r); import tiny; print(tiny.__file__)"
            % (str(tmp_path / "tiny"), str(source), str(tmp_path)))
    result = run(found, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(".cpython-315d-x86_64-linux-gnu.so")
