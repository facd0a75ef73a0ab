#!/usr/bin/env python3
"""Provision every interpreter the book is checked against, then list them.

    python3 tools/provision.py            # provision what is missing, then the table
    python3 tools/provision.py --list     # the table only
    python3 tools/provision.py --quiet    # provision; one line when nothing was missing
    python3 tools/provision.py --envs py314-debug,py313-asan   # only what those need

What is provisioned (``ITEMS``): Debian sid's packaged 3.13, 3.14 and 3.15 (release and
debug) in a root filesystem (``tools/sid_root.py``), and source builds of the variants no
distribution packages (``tools/build_python.py``). pyenv's releases and this machine's
Debian ``python3.11-dbg`` are used as they are. Each item is complete or absent: an
interrupted one is detected and made again, and a complete one is reused.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_python  # noqa: E402
import build_steps  # noqa: E402
import interpreters  # noqa: E402
import inventory  # noqa: E402
import sid_root  # noqa: E402

TOOLS = Path(__file__).resolve().parent
# (what, version, variant, seconds a first run took on 2 cores): the sid root filesystem
# has no version. The times are what tools/build_python.py recorded here (2026-11-30).
ITEMS = [
    ("debian-sid", None, None, 60),
    ("build", "3.11.2", "trace-refs", 120),
    ("build", "3.11.2", "no-pymalloc", 110),
    ("build", "3.11.2", "asan", 190),
    ("build", "3.11.2", "refdebug-cflags", 100),
    ("build", "3.11.2", "refdebug-extra-cflags", 100),
    ("build", "3.13.15", "trace-refs", 90),
    ("build", "3.13.15", "no-pymalloc", 85),
    ("build", "3.13.15", "asan", 150),
    ("build", "3.13.15", "freethreading", 105),
    ("build", "3.13.15", "freethreading-tsan", 200),
]


def describe(item):
    kind, version, variant, _ = item
    if kind == "debian-sid":
        return "Debian sid root filesystem (python3.13, 3.14, 3.15 and their -dbg)"
    return "CPython %s %s, built from source" % (version, variant)


def is_ready(item, root):
    kind, version, variant, _ = item
    if kind == "debian-sid":
        return sid_root.is_ready(sid_root.location(root))
    return build_python.already_built(build_python.prefix_for(version, variant, root),
                                      version, variant)


def minutes(seconds):
    return "%dm%02ds" % divmod(int(seconds), 60)


def provision_item(item, root):
    kind, version, variant, _ = item
    if kind == "debian-sid":
        log = build_steps.Log(root / "logs" / "debian-sid.log", mode="a")
        print("      mmdebstrap into %s (log: %s)" % (sid_root.location(root), log.path),
              flush=True)
        try:
            sid_root.provision(root, log)
        except subprocess.CalledProcessError as error:
            raise sid_root.RootError("%s failed with status %d; last lines of %s:\n%s"
                                     % (error.cmd[0], error.returncode, log.path, log.tail()))
        return
    command = [sys.executable, str(TOOLS / "build_python.py"), "--version", version,
               "--variant", variant, "--root", str(root)]
    if subprocess.run(command).returncode:
        raise sid_root.RootError("the build of CPython %s %s failed (its message is above)"
                                 % (version, variant))


def items_for(names):
    """The items the environments ``names`` need (pyenv's and this machine's own Debian
    interpreters need none)."""
    wanted = []
    for name in names:
        minor, kind = interpreters.parse_name(name)
        variant = interpreters.KIND_TO_VARIANT[kind]
        for item in ITEMS:
            if item in wanted:
                continue
            if item[0] == "debian-sid" and interpreters.packaged_in_sid(minor, kind):
                wanted.append(item)
            elif item[1:3] == (interpreters.SOURCE_VERSIONS.get(minor), variant):
                wanted.append(item)
    return [item for item in ITEMS if item in wanted]


def provision(root, quiet=False, items=None):
    items = ITEMS if items is None else items
    missing = [item for item in items if not is_ready(item, root)]
    if not missing:
        if quiet:
            print("interpreters: all %d provisioned items present in %s ('make pythons' "
                  "lists them)" % (len(items), root))
        return 0
    usual = sum(item[3] for item in missing)
    print("provisioning %d of %d items into %s; a first run usually takes about %s on 2 "
          "cores" % (len(missing), len(items), root, minutes(usual)), flush=True)
    started = time.monotonic()
    for number, item in enumerate(missing, 1):
        print("[%d/%d] %s (elapsed %s; this step usually takes about %s)"
              % (number, len(missing), describe(item), minutes(time.monotonic() - started),
                 minutes(item[3])), flush=True)
        try:
            provision_item(item, root)
        except (sid_root.RootError, OSError) as error:
            print("provision: %s\nNothing half-made is kept; run 'make pythons' again once "
                  "the cause is fixed." % error, file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("provision: interrupted; what was not finished will be made again by the "
                  "next 'make pythons'", file=sys.stderr)
            return 130
    print("provisioned %d items in %s" % (len(missing), minutes(time.monotonic() - started)))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", action="store_true", help="only list the interpreters")
    parser.add_argument("--quiet", action="store_true", help="no table; one line if complete")
    parser.add_argument("--envs", default="", help="only what these environments need "
                        "(py314-debug,py313-asan); default: everything")
    args = parser.parse_args(argv)
    root = build_python.pythons_root()
    try:
        items = items_for([n for n in args.envs.split(",") if n]) if args.envs else ITEMS
    except ValueError as error:
        print("provision: %s" % error, file=sys.stderr)
        return 2
    if not args.list:
        status = provision(root, quiet=args.quiet, items=items)
        if status or args.quiet:
            return status
    print(inventory.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
