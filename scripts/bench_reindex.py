"""Before and after of a change to the full reindex: two versions of the code, timed in turns.

On a shared machine the same work takes a quarter more or less time from one minute to the next,
so two versions timed minutes apart cannot be compared. This script checks out `--base` (a git
revision) into a temporary worktree beside this checkout and runs `cnnt search reindex` into the
embedded index of the same catalog (`--data-dir`, built by `bench_search.py --data-dir` or `cnnt
demo --synthetic`) with each version in turn, ABBA over the rounds, in the same virtualenv. Each
run's wall time and CPU time (its process and the index builder's second process) are measured;
the figures are medians, and the ratio is the median of each round's ratio (this code / base).
Writes the section between the reindex-ab markers with `--write BENCHMARKS.md`. Not a test.

    .venv/bin/python scripts/bench_reindex.py --data-dir /tmp/cat100k --base c9cdfa5 --write BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import BenchError, clean_env  # scripts/bench.py: shared harness
from benchmarks_md import write_section  # scripts/benchmarks_md.py: one writer for every section

ROOT = Path(__file__).resolve().parent.parent
MAX_ROUNDS = 20


@dataclass(frozen=True)
class Run:
    """One `cnnt search reindex`: wall and CPU seconds (the command and the processes it waited for)."""

    wall: float
    cpu: float


def reindex(code: Path, data_dir: Path) -> Run:
    """A full reindex of `data_dir`'s catalog into its embedded index with the code at `code`."""
    env = {**clean_env(data_dir), "PYTHONPATH": str(code)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from app.cli import main; main()", "search", "reindex"],
                          env=env, cwd=data_dir, capture_output=True, text=True, timeout=3600, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise BenchError(f"reindex with {code} failed (exit {done.returncode}): {done.stdout[-200:]}"
                         f"{done.stderr[-200:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu)


def measure(base: str, data_dir: Path, rounds: int) -> tuple[list[Run], list[Run]]:
    """(base runs, this code's runs), taking turns: ABBA over the rounds."""
    runs: dict[str, list[Run]] = {"base": [], "head": []}
    with tempfile.TemporaryDirectory(prefix="cnnt-base-") as folder:
        worktree = Path(folder) / "code"
        git = ["git", "-C", str(ROOT), "worktree"]
        subprocess.run([*git, "add", "--detach", "--quiet", str(worktree), base], check=True)
        try:
            codes = {"base": worktree, "head": ROOT}
            for number in range(rounds):
                order = ["base", "head"] if number % 2 == 0 else ["head", "base"]
                for name in order:
                    run = runs[name]
                    run.append(reindex(codes[name], data_dir))
                    print(f"round {number + 1} {name}: {run[-1].wall:.1f} s wall, {run[-1].cpu:.1f} s CPU",
                          file=sys.stderr, flush=True)
        finally:
            subprocess.run([*git, "remove", "--force", str(worktree)], check=False)
    return runs["base"], runs["head"]


def render(base: str, head: str, data_dir: Path, base_runs: list[Run], head_runs: list[Run]) -> str:
    """The Markdown section."""
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M +07")
    command = (f"`.venv/bin/python scripts/bench_reindex.py --data-dir {data_dir} --base {base} "
               f"--rounds {len(head_runs)} --write BENCHMARKS.md`")

    def row(label: str, pick: str) -> str:
        old = [getattr(run, pick) for run in base_runs]
        new = [getattr(run, pick) for run in head_runs]
        ratio = statistics.median(n / o for n, o in zip(new, old, strict=True))
        each = " / ".join(f"{o:.1f}→{n:.1f}" for o, n in zip(old, new, strict=True))
        return (f"| {label} | {statistics.median(old):.1f} | {statistics.median(new):.1f} | {ratio:.2f}× "
                f"| {each} |")

    return "\n".join([
        f"Measured {now} on {os.cpu_count()} CPUs ({platform.machine()}, Linux {platform.release()}), "
        f"Python {platform.python_version()}.",
        f"Command: {command}. The catalog in {data_dir} (100,000 synthetic products when built by "
        f"`bench_search.py --data-dir`); each round runs `cnnt search reindex` into its embedded index "
        f"with the base revision ({base}, a temporary git worktree) and with this code ({head}), ABBA. "
        "CPU: the command and its second process. Medians over rounds; the ratio is the median of the "
        "rounds' ratios.",
        "",
        "| full reindex | base | this code | this / base | each round (base→this) |",
        "|---|---:|---:|---:|---|",
        row("wall time, s", "wall"),
        row("CPU time, s", "cpu"),
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a built catalog (CNNT_DATA_DIR)")
    parser.add_argument("--base", required=True, help="the git revision to compare with")
    parser.add_argument("--rounds", type=int, default=4,
                        help=f"rounds, each runs both versions (default 4, at most {MAX_ROUNDS})")
    parser.add_argument("--write", type=Path, help="update this Markdown file between the section markers")
    args = parser.parse_args()
    if not 1 <= args.rounds <= MAX_ROUNDS:
        parser.error(f"--rounds: 1 to {MAX_ROUNDS}")
    data_dir = args.data_dir.resolve()
    if not (data_dir / "cnnt.sqlite3").is_file():
        parser.error(f"--data-dir: no catalog in {data_dir} (build one with bench_search.py --data-dir)")
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    try:
        base_runs, head_runs = measure(args.base, data_dir, args.rounds)
    except (BenchError, subprocess.CalledProcessError) as error:
        print(f"bench_reindex: {error}", file=sys.stderr)
        return 1
    body = render(args.base, head, data_dir, base_runs, head_runs)
    print(body)
    if args.write:
        write_section(args.write, "reindex-ab", body, heading="Full reindex: before and after, in turns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
