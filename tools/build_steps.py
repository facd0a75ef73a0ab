"""Helpers of tools/build_python.py: a log that commands write into, extracting the
tarball, and reading the sysconfig of a freshly built interpreter."""

import json
import os
import subprocess
import tarfile
from pathlib import Path


class Log:
    """The build log: text and the output of commands go into one file."""

    def __init__(self, path, mode="w"):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(self.path, mode)

    def __call__(self, text):
        self.file.write(text.rstrip("\n") + "\n")
        self.file.flush()

    def run(self, cmd, cwd=None, env=None):
        self("$ cd %s && %s" % (cwd or os.getcwd(), " ".join(map(str, cmd))))
        subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, check=True,
                       stdout=self.file, stderr=subprocess.STDOUT)

    def tail(self, lines=40):
        return "\n".join(self.path.read_text(errors="replace").splitlines()[-lines:])


def extract(tarball, into):
    with tarfile.open(tarball) as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(into, filter="data")
        else:  # Python < 3.9.17 has no filters; the tarball's sha256 is already checked
            archive.extractall(into)
    (top,) = [p for p in Path(into).iterdir() if p.is_dir()]
    return top


def sysconfig_of(python, log, home, env):
    """sysconfig of an interpreter installed under DESTDIR: its stdlib is not yet where its
    prefix says, so PYTHONHOME points it at the staged one."""
    code = ("import json, sysconfig; v = sysconfig.get_config_var; print(json.dumps({k: v(k) "
            "for k in ('CFLAGS', 'CONFIG_ARGS', 'ABIFLAGS', 'Py_DEBUG', 'Py_TRACE_REFS', "
            "'WITH_PYMALLOC')}))")
    cmd = [str(python), "-c", code]
    result = subprocess.run(cmd, capture_output=True, text=True,
                            env=dict(env or os.environ, PYTHONHOME=str(home)))
    log("$ %s -c <read sysconfig>\n%s%s" % (python, result.stdout, result.stderr))
    if result.returncode:
        raise subprocess.CalledProcessError(result.returncode, cmd)
    return json.loads(result.stdout)
