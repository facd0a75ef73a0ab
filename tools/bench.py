#!/usr/bin/env python3
"""Times the checker, in one run per interpreter, as three ratios:

- harness: a forced check (every block run) against the bare floor, the same sessions
  run with no harness (pycon: ``python -q -i`` fed the statements; console: one bash fed
  the commands), with the same environment and number of parallel workers;
- no change: a warm check with nothing changed (unchanged blocks are not run again)
  against the cold one (empty example cache and results);
- one page: re-checking the page with the most blocks (as after editing it) against the
  forced check of the whole book.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tools"))
from bookcheck.blocklist import from_json  # noqa: E402
from bookcheck.check import applicability  # noqa: E402
from bookcheck.sessions import Runner  # noqa: E402
from bookcheck.transcript import steps_of  # noqa: E402
import interpreters  # noqa: E402


def checker(python: str, env: str, scratch: Path, *extra: str) -> tuple[float, int]:
    """Seconds for one `bookcheck run`, and how many modules it compiled."""
    started = time.perf_counter()
    done = subprocess.run([python, "-m", "bookcheck", "--results", str(scratch / "results"),
                           "run", "--env", env, "--blocks", str(scratch / "blocks.json"),
                           *extra], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src"),
                               "BOOKCHECK_CACHE": str(scratch / "cache")})
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"bench: the checker failed on {env}:\n{done.stdout}{done.stderr}")
    return seconds, done.stderr.count("compiled ")


def bare_floor(python: str, blocks: list, build_dir: Path) -> float:
    """Seconds to run the same sessions directly, as fast as the harness could."""
    runner = Runner(python, build_dir)  # only for its environment and PATH set-up

    def bare(block):
        cwd = Path(tempfile.mkdtemp(prefix="block-", dir=runner.workdir))
        env = runner.environment(block, cwd)
        _, steps = steps_of(block.kind, block.content)
        text = "".join(line + "\n" for step in steps for line in step.source)
        if block.kind == "pycon":
            subprocess.run([python, *block.interpreter_options, "-q", "-i"], input=text,
                           env=env, cwd=cwd, capture_output=True, text=True,
                           timeout=block.timeout)
            return
        script = cwd / "session.sh"  # as the checker does: stdin stays the terminal's
        script.write_text(text)
        subprocess.run(["bash", "--noprofile", "--norc", str(script)], env=env, cwd=cwd,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=block.timeout)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(bare, blocks))
    shutil.rmtree(runner.workdir, ignore_errors=True)
    return time.perf_counter() - started


def applicable(python: str, scratch: Path) -> tuple[list, Path]:
    info = json.loads(subprocess.run(
        [python, "-m", "bookcheck", "identify", "--json"], cwd=REPO, check=True,
        capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src"),
             "BOOKCHECK_CACHE": str(scratch / "cache")}).stdout)
    build_dir = next((scratch / "cache").iterdir())
    listing = from_json(json.loads((scratch / "blocks.json").read_text()))
    return [b for b in listing.blocks if applicability(b, info)[0]], build_dir


def measure(env: str, python: str) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    subprocess.run([sys.executable, "-m", "bookcheck", "--root", str(REPO), "read", "--out",
                    str(scratch / "blocks.json")], check=True)
    cold, compiled = checker(python, env, scratch)
    warm, recompiled = checker(python, env, scratch)
    forced, _ = checker(python, env, scratch, "--force")
    blocks, build_dir = applicable(python, scratch)
    floor = bare_floor(python, blocks, build_dir)
    pages = [b.path for b in blocks]
    page = max(set(pages), key=pages.count) if pages else ""
    one_page, _ = checker(python, env, scratch, "--force", page) if page else (0.0, 0)
    shutil.rmtree(scratch, ignore_errors=True)
    return {"env": env, "blocks": len(blocks), "cold": cold, "warm": warm, "forced": forced,
            "floor": floor, "page": page, "one_page": one_page, "compiled": compiled,
            "recompiled": recompiled}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--envs", required=True, help="comma-separated tox environment names")
    args = parser.parse_args()
    for env in filter(None, args.envs.split(",")):
        found = interpreters.find(env)
        if not found.path:
            print(f"{env}: no interpreter, skipped ({found.build_command})")
            continue
        if found.root:
            # The bare floor runs sessions from this process, which cannot enter the sandbox.
            print(f"{env}: not measured: its interpreter runs inside {found.root}; the bench "
                  "measures interpreters of this machine (py311-*, py312-release, the source "
                  "builds)")
            continue
        m = measure(env, str(found.path))
        print(f"{env}: {m['blocks']} applicable blocks; compiled {m['compiled']} cold, "
              f"{m['recompiled']} warm")
        print(f"  harness   forced check {m['forced']:.2f}s / bare floor {m['floor']:.2f}s"
              f" = {m['forced'] / m['floor']:.2f}x")
        print(f"  no change warm check {m['warm']:.2f}s / cold check {m['cold']:.2f}s"
              f" = {100 * m['warm'] / m['cold']:.0f}%")
        print(f"  one page  {m['page']} {m['one_page']:.2f}s / full forced check "
              f"{m['forced']:.2f}s = {100 * m['one_page'] / m['forced']:.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
