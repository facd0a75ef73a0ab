#!/usr/bin/env python3
"""Times the checker against the bare floor: the same sessions run with no harness.

For each interpreter: a cold check (example cache empty, so it compiles), then warm
checks and bare runs of the same statements alternated, best of --repeat each. The bare
floor runs each applicable block's statements in a fresh interpreter process (pycon:
``python -q -i`` fed the statements; console: ``bash -c`` per command), with the same
environment and the same number of parallel workers, and compares nothing. Printed: each
figure and the ratios measured side by side in this run, never absolute targets.
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
from bookcheck.check import Book, applicability, collect_blocks  # noqa: E402
from bookcheck.runner import Runner, _strip_prompt  # noqa: E402
import interpreters  # noqa: E402


def checker(python: str, env: str, cache: Path, results: Path) -> tuple[float, int]:
    """Seconds for one full `bookcheck run`, and how many modules it compiled."""
    started = time.perf_counter()
    done = subprocess.run([python, "-m", "bookcheck", "--results", str(results), "run",
                           "--env", env], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src"),
                               "BOOKCHECK_CACHE": str(cache)})
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
        if block.kind == "pycon":
            statements = "".join(_strip_prompt(line) + "\n" for line in block.content
                                 if line.startswith((">>>", "...")))
            subprocess.run([python, *block.interpreter_options, "-q", "-i"], input=statements,
                           env=env, cwd=cwd, capture_output=True, text=True,
                           timeout=block.timeout)
            return
        for line in block.content:
            if line.startswith("$ "):
                subprocess.run(["bash", "--noprofile", "--norc", "-c", line[2:]], env=env,
                               cwd=cwd, capture_output=True, timeout=block.timeout)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(bare, blocks))
    return time.perf_counter() - started


def applicable(python: str, cache: Path) -> tuple[list, Path]:
    info = json.loads(subprocess.run(
        [python, "-m", "bookcheck", "identify", "--json"], cwd=REPO, check=True,
        capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src"), "BOOKCHECK_CACHE": str(cache)}).stdout)
    build_dir = next(cache.iterdir())
    book = Book(REPO, REPO / "doc/sphinx/source", REPO / "examples/c", [])
    blocks, _ = collect_blocks(book)
    return [b for b in blocks if applicability(b, info)[0]], build_dir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--envs", required=True, help="comma-separated tox environment names")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows, totals = [], [0.0, 0.0, 0.0]
    for env in filter(None, args.envs.split(",")):
        python = interpreters.find(env).path
        if not python:
            print(f"{env}: no interpreter, skipped")
            continue
        scratch = Path(tempfile.mkdtemp(prefix="bench-"))
        cache, results = scratch / "cache", scratch / "results"
        cold, compiled = checker(python, env, cache, results)
        blocks, build_dir = applicable(python, cache)
        warm, floor, recompiled = [], [], 0
        for _ in range(args.repeat):
            seconds, count = checker(python, env, cache, results)
            warm.append(seconds)
            recompiled += count
            floor.append(bare_floor(python, blocks, build_dir))
        shutil.rmtree(scratch, ignore_errors=True)
        row = (env, len(blocks), cold, min(warm), min(floor), compiled, recompiled)
        rows.append(row)
        totals = [totals[0] + cold, totals[1] + min(warm), totals[2] + min(floor)]
    print(f"{'environment':<17}{'blocks':>7}{'cold check':>12}{'warm check':>12}"
          f"{'bare floor':>12}{'warm/floor':>12}  compiled cold/warm")
    for env, count, cold, warm, floor, compiled, recompiled in rows:
        print(f"{env:<17}{count:>7}{cold:>11.2f}s{warm:>11.2f}s{floor:>11.2f}s"
              f"{warm / floor:>12.2f}  {compiled}/{recompiled}")
    cold, warm, floor = totals
    if rows:
        print(f"{'all':<17}{'':>7}{cold:>11.2f}s{warm:>11.2f}s{floor:>11.2f}s"
              f"{warm / floor:>12.2f}")
        print(f"harness overhead over the floor: {100 * (warm / floor - 1):.0f}% (warm); "
              f"compile time in the cold run: {cold - warm:.2f}s; "
              f"a warm run compiled {sum(r[6] for r in rows)} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
