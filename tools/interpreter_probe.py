"""What an interpreter is, asked of the interpreter itself: its version and the build traits
that tell the kinds of ``tools/interpreters.py`` apart, and whether it is the kind a name
asks for."""

import json
import subprocess

import sandbox

# The probe: the version, and the build traits a kind is told apart by.
PROBE = ("import json,sys,sysconfig; v=sysconfig.get_config_var; c=v('CFLAGS') or ''; "
         "print(json.dumps(dict(version='%d.%d' % sys.version_info[:2], debug=bool(v('Py_DEBUG')), "
         "full_version='%d.%d.%d' % sys.version_info[:3], "
         "trace_refs=bool(v('Py_TRACE_REFS')), pymalloc=v('WITH_PYMALLOC') not in (0, None), "
         "asan='-fsanitize=address' in c, tsan='-fsanitize=thread' in c, "
         "free_threading=bool(v('Py_GIL_DISABLED')))))")
TRAITS = ("debug", "trace_refs", "pymalloc", "asan", "tsan", "free_threading")


def probe(argv):
    """{'version': '3.X', trait: bool for each of TRAITS}, or a string: what went wrong."""
    try:
        result = subprocess.run(list(argv) + ["-c", PROBE], capture_output=True, text=True,
                                errors="replace", timeout=60)
    except (OSError, subprocess.SubprocessError, sandbox.SandboxError) as error:
        return "does not run (%s)" % error
    try:
        traits = json.loads(result.stdout.strip().splitlines()[-1])
        if result.returncode or set(traits) != {"version", "full_version", *TRAITS}:
            raise ValueError
    except (ValueError, IndexError):
        return "does not run (status %d: %s)" % (result.returncode,
                                                 (result.stderr or result.stdout).strip()[-200:])
    return traits


WANTED = {"release": dict(debug=False, trace_refs=False, free_threading=False),
          "debug": dict(debug=True, trace_refs=False, pymalloc=True, free_threading=False),
          "tracerefs": dict(debug=True, trace_refs=True),
          "nopymalloc": dict(debug=True, trace_refs=False, pymalloc=False, free_threading=False),
          "asan": dict(debug=True, asan=True, free_threading=False),
          "freethreading": dict(debug=True, free_threading=True, tsan=False),
          "tsan": dict(tsan=True, free_threading=True)}


def mismatch(traits, minor, kind):
    """Why an interpreter with ``traits`` is not one for (minor, kind); '' if it is."""
    if isinstance(traits, str):
        return traits
    if traits["version"] != minor:
        return "is Python %s, not %s" % (traits["version"], minor)
    have = {k: traits[k] for k in TRAITS}
    wrong = ["%s%s" % ("" if have[k] else "no ", k.replace("_", " "))
             for k, v in WANTED[kind].items() if have[k] != v]
    return "has %s, so it is not a %s build" % (", ".join(wrong), kind) if wrong else ""
