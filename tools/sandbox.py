"""Running a program of a root filesystem (``tools/sid_root.py``) on this machine.

bubblewrap mounts the root filesystem's ``/usr``, ``/etc`` and ``/var`` read-only over an
empty root, with the symlinks of a merged-/usr system, and binds the paths the checks
share with the host at the same place: the repository, the interpreters' root and
``/tmp``. So tox, the checker and the compiled examples see one set of paths, inside and
out. The sandbox has its own PID namespace and dies with its parent, so no process it
started outlives it. It needs no root: bubblewrap uses a user namespace when run by an
unprivileged user.
"""

import os
import shutil
from pathlib import Path

SYSTEM_DIRS = ("usr", "etc", "var")
MERGED_USR_LINKS = (("usr/bin", "/bin"), ("usr/sbin", "/sbin"), ("usr/lib", "/lib"),
                    ("usr/lib64", "/lib64"))
PATH = "/usr/local/bin:/usr/bin:/bin"


class SandboxError(Exception):
    pass


def shared_paths(extra=()):
    """Host paths bound read-write at the same place inside: existing ones, outermost only."""
    candidates = [Path("/tmp")] + [Path(p).resolve() for p in extra if p]
    kept = []
    for path in sorted({p for p in candidates if p.exists()}, key=lambda p: len(p.parts)):
        if not any(path == k or k in path.parents for k in kept):
            kept.append(path)
    return kept


def prefix(root, share=()):
    """The argv that runs a program of ``root`` with ``share`` bound at the same paths."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxError("bubblewrap is not installed (apt-get install bubblewrap); it runs "
                           "the interpreters of %s" % root)
    argv = [bwrap, "--unshare-pid", "--die-with-parent"]
    for name in SYSTEM_DIRS:
        argv += ["--ro-bind", str(Path(root) / name), "/" + name]
    for target, link in MERGED_USR_LINKS:
        if (Path(root) / target).exists():
            argv += ["--symlink", target, link]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    for path in shared_paths(share):
        argv += ["--bind", str(path), str(path)]
    cwd = Path(os.getcwd())
    inside = any(cwd == p or p in cwd.parents for p in shared_paths(share))
    argv += ["--chdir", str(cwd) if inside else "/", "--setenv", "PATH", PATH]
    return argv + ["--"]
