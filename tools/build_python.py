#!/usr/bin/env python3
"""Build a CPython variant from a source tarball verified by sha256.

Usage::

    python3 tools/build_python.py --version 3.11.2 --variant debug [--source PATH]
                                  [--from auto|debian|python.org] [--root DIR]
                                  [--jobs N] [--force]

Where things go (the convention ``tools/interpreters.py`` relies on):

* root: ``--root DIR``, else ``$DEBUGBOOK_PYTHONS`` if set, else
  ``~/.local/share/debugbook/pythons``;
* prefix: ``<root>/cpython-<version>-<variant>``, e.g. ``cpython-3.11.2-trace-refs``;
* interpreter: ``<prefix>/bin/python3``;
* record: ``<prefix>/debugbook-build.json`` (version, variant, the configure command as
  run, variables given to make, CFLAGS and CONFIG_ARGS from the built interpreter's
  sysconfig, tarball path, sha256 and origin, start and end time, duration, jobs);
* downloads: ``<root>/downloads/``; sources: ``<root>/work/<name>/`` (kept after a
  build, so gdb finds the C sources; the object files are removed); log:
  ``<root>/logs/<name>.log``.

The install goes to a staging directory and is moved to the prefix with one rename,
so a prefix exists only for a complete build. A prefix with a valid record and a
working interpreter is not rebuilt unless ``--force`` is given.
"""

import argparse
import datetime
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import cpython_tarballs
import debian_source
from build_steps import Log, extract, sysconfig_of

# Checked against ``./configure --help`` of CPython 3.11.2: all options exist as
# written. --with-address-sanitizer already turns pymalloc off (3.11.2 configure.ac:
# 'with_pymalloc="no"', "our own malloc interferes"); the explicit --without-pymalloc
# makes that visible in the record and does not depend on it.
VARIANTS = {
    "release": [],
    "debug": ["--with-pydebug"],
    "trace-refs": ["--with-pydebug", "--with-trace-refs"],
    "no-pymalloc": ["--with-pydebug", "--without-pymalloc"],
    "asan": ["--with-pydebug", "--with-address-sanitizer", "--without-pymalloc"],
    # Free-threaded debug (3.13+): ABI flags 'td'; trace refs are refused with it.
    "freethreading": ["--disable-gil", "--with-pydebug"],
    # ThreadSanitizer finds data races, which need threads running at once: free-threaded.
    # Its install compiles the standard library and pip under ThreadSanitizer (over 20
    # minutes on 2 cores): without the test suite and pip it takes a few.
    "freethreading-tsan": ["--disable-gil", "--with-thread-sanitizer", "--disable-test-modules",
                           "--without-ensurepip"],
    # A macro that has no configure option, given the two ways Misc/SpecialBuilds.txt
    # knows: CFLAGS on configure's command line, or EXTRA_CFLAGS on make's (MAKE_VARS).
    # Py_REF_DEBUG on a release build; doc/sphinx/source/debug_build/building.rst
    # compares what each records in sysconfig and what extensions built later get.
    "refdebug-cflags": ["CFLAGS=-DPy_REF_DEBUG"],
    "refdebug-extra-cflags": [],
}
# Variables given on make's command line, to `make` and to `make install` alike.
MAKE_VARS = {"refdebug-extra-cflags": ["EXTRA_CFLAGS=-DPy_REF_DEBUG"]}
# The build runs the new interpreter (freezing, setup.py, compileall); LeakSanitizer
# would fail those runs at exit on CPython's deliberate leaks. CPython's CI does the same.
BUILD_ENV = {"asan": {"ASAN_OPTIONS": "detect_leaks=0"}}
# pyenv-style: the build's own test runs would stop at the first report of a race.
BUILD_ENV["freethreading-tsan"] = {"TSAN_OPTIONS": "halt_on_error=0"}
RECORD = "debugbook-build.json"
STEPS = 6


def pythons_root():
    return Path(os.environ.get("DEBUGBOOK_PYTHONS")
                or Path.home() / ".local" / "share" / "debugbook" / "pythons")


def build_name(version, variant):
    return "cpython-%s-%s" % (version, variant)


def prefix_for(version, variant, root=None):
    return Path(root or pythons_root()) / build_name(version, variant)


def configure_args(variant):
    return list(VARIANTS[variant])


def make_vars(variant):
    return list(MAKE_VARS.get(variant, []))


def configure_command(source_dir, prefix, variant):
    return [str(Path(source_dir) / "configure"), "--prefix=%s" % prefix] + configure_args(variant)


def build_state(prefix, version, variant):
    """'built', 'outdated' (a recorded build of this variant with other options), or
    'unknown' (no prefix, no valid record, or an interpreter that does not run)."""
    try:
        record = json.loads((Path(prefix) / RECORD).read_text())
        if (record.get("version"), record.get("variant")) != (version, variant):
            return "unknown"
        result = subprocess.run([str(Path(prefix) / "bin" / "python3"), "-c", "import sys"],
                                capture_output=True, timeout=60)
        if result.returncode:
            return "unknown"
    except (OSError, ValueError, AttributeError, subprocess.SubprocessError):
        return "unknown"
    same = (record.get("configure_argv", [])[2:] == configure_args(variant)
            and record.get("make_vars", []) == make_vars(variant))
    return "built" if same else "outdated"


def already_built(prefix, version, variant):
    """True if ``prefix`` holds a recorded build of this version/variant, as defined now,
    that runs."""
    return build_state(prefix, version, variant) == "built"


def step(number, text):
    print("[%d/%d] %s" % (number, STEPS, text), flush=True)


def get_tarball(args, root, log):
    """(path, origin, downloaded_by_us) of a tarball for args.version, not yet verified."""
    if args.source:
        source = Path(args.source).resolve()
        if not source.is_file():
            raise cpython_tarballs.TarballError("--source %s: no such file" % args.source)
        return source, "given with --source", False
    return cpython_tarballs.download(args.version, root / "downloads", log)


# A parent make (`make python VERSION=3.11.2`) passes its command-line variables to every
# child make through these; CPython's Makefile would then take VERSION=3.11.2 and install
# the standard library into lib/python3.11.2, where the interpreter never looks.
PARENT_MAKE_VARIABLES = ("MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "MAKELEVEL")


def build_environment(variant):
    env = {k: v for k, v in os.environ.items() if k not in PARENT_MAKE_VARIABLES}
    env.update(BUILD_ENV.get(variant, {}))
    return env


def build(args, root, log):
    prefix = prefix_for(args.version, args.variant, root)
    name = build_name(args.version, args.variant)
    work = root / "work" / name
    staging = work / "staging"
    started, t0 = datetime.datetime.now(datetime.timezone.utc), time.monotonic()
    env = build_environment(args.variant)

    step(1, "source: get and verify the CPython %s tarball" % args.version)
    tarball, origin, downloaded = get_tarball(args, root, log)
    entry = cpython_tarballs.verify(tarball, args.version, origin, downloaded)
    print("      %s\n      sha256 %s ok (%s)" % (tarball, entry["sha256"], origin), flush=True)

    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    source_dir = extract(tarball, work)
    build_dir = work / "build"
    build_dir.mkdir()
    command = configure_command(source_dir, prefix, args.variant)
    step(2, "configure: " + " ".join(command))
    log.run(command, cwd=build_dir, env=env)

    make = ["make", "-j%d" % args.jobs] + make_vars(args.variant)
    step(3, "%s (in %s)" % (" ".join(make), build_dir))
    log.run(make, cwd=build_dir, env=env)

    try:
        install = ["make", "install", "DESTDIR=%s" % staging] + make_vars(args.variant)
        step(4, " ".join(install))
        log.run(install, cwd=build_dir, env=env)
        staged = staging / prefix.relative_to(prefix.anchor)

        step(5, "check the staged interpreter and write %s" % RECORD)
        config = sysconfig_of(staged / "bin" / "python3", log, staged, env)
        log("sysconfig of the new interpreter: %s" % json.dumps(config))
        ended = datetime.datetime.now(datetime.timezone.utc)
        record = {
            "version": args.version, "variant": args.variant,
            "configure": " ".join(command), "configure_argv": command,
            "build_env": BUILD_ENV.get(args.variant, {}), "make_vars": make_vars(args.variant),
            "CFLAGS": config["CFLAGS"], "CONFIG_ARGS": config["CONFIG_ARGS"],
            "sysconfig": config,
            "tarball": {"path": str(tarball), "sha256": entry["sha256"], "origin": origin,
                        "checksum_from": entry["origin"]},
            "started": started.isoformat(timespec="seconds"),
            "ended": ended.isoformat(timespec="seconds"),
            "duration_seconds": round(time.monotonic() - t0, 1), "jobs": args.jobs,
        }
        (staged / RECORD).write_text(json.dumps(record, indent=2) + "\n")

        step(6, "move into place: %s" % prefix)
        old = prefix.with_name(prefix.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if prefix.exists():
            os.rename(prefix, old)
        os.rename(staged, prefix)
        if old.exists():
            shutil.rmtree(old)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    # The objects are not needed once installed (about 350 MB); the sources are kept,
    # where the interpreter's debug information says gdb finds them.
    shutil.rmtree(build_dir, ignore_errors=True)
    return prefix, record


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--version", required=True, help="e.g. 3.11.2")
    parser.add_argument("--variant", required=True, choices=sorted(VARIANTS))
    parser.add_argument("--source", help="a local tarball to use (verified, never deleted)")
    parser.add_argument("--root", help="default: $DEBUGBOOK_PYTHONS or "
                                       "~/.local/share/debugbook/pythons")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--force", action="store_true", help="rebuild an existing prefix")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    root = Path(args.root).resolve() if args.root else pythons_root()
    try:
        cpython_tarballs.entries_for(args.version)
    except cpython_tarballs.TarballError as error:
        print("build_python: %s" % error, file=sys.stderr)
        return 2
    prefix = prefix_for(args.version, args.variant, root)
    if not args.force and already_built(prefix, args.version, args.variant):
        print("already built: %s" % prefix)
        return 0
    if build_state(prefix, args.version, args.variant) == "outdated":
        print("%s was built with other options than %s has now (%s); building it again"
              % (prefix, args.variant, " ".join(configure_args(args.variant)) or "none"))
    elif prefix.exists() and not args.force:
        print("build_python: %s exists but has no valid %s or its interpreter does not run; "
              "rerun with --force to replace it" % (prefix, RECORD), file=sys.stderr)
        return 2
    name = build_name(args.version, args.variant)
    (root / "work").mkdir(parents=True, exist_ok=True)
    lock = open(root / "work" / (name + ".lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print("another build of %s is running (lock %s); waiting for it" % (name, lock.name),
              flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
        if already_built(prefix, args.version, args.variant):
            print("already built (by the other run): %s" % prefix)
            return 0
    log = Log(root / "logs" / (name + ".log"))
    log("build_python %s" % " ".join(sys.argv[1:] if argv is None else argv))
    print("building %s into %s (log: %s)" % (name, prefix, log.path), flush=True)
    try:
        prefix, record = build(args, root, log)
    except (cpython_tarballs.TarballError, debian_source.DebianSourceError) as error:
        log(str(error))
        print("build_python: %s" % error, file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        print("build_python: %s failed with status %d. Nothing was installed into %s.\n"
              "Log: %s\n--- last 40 lines ---\n%s\n--- fix the cause shown in the log (often a "
              "missing -dev package) and run again ---"
              % (" ".join(map(str, error.cmd)), error.returncode, prefix, log.path, log.tail()),
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("build_python: interrupted; nothing was installed into %s" % prefix, file=sys.stderr)
        return 130
    print("built %s in %.0f s: %s/bin/python3"
          % (name, record["duration_seconds"], prefix))
    return 0


if __name__ == "__main__":
    sys.exit(main())
