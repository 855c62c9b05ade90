"""Speed of the compliance gate: drafts per second on one core, cold start of `balise check`, and
the memory of a worker with the gate loaded, each beside its baseline measured in the same run
(a bare `import typer` process; a bare `import rq` process), since this machine's times drift.

Usage: python benchmarks/gate_speed.py [--rounds N] [--cold-runs N]
Targets (issue 16): >= 200 drafts/second/core in batch; `balise check --text` <= 2 s cold;
a worker with the gate loaded <= 250 MB resident; a megabyte of text answered within 1 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from balise.compliance import Draft, load_policy
from balise.compliance.gate import check_draft

ROOT = Path(__file__).resolve().parent.parent
MAX_BENCH_CHARS = 5_000  # the few limit-test drafts of 60 kB would measure counting, not gating


def _drafts() -> list[Draft]:
    drafts = []
    data = ROOT / "tests" / "data"
    for path in [*sorted(data.glob("corpus*.jsonl")), *sorted((data / "writers").glob("*.jsonl"))]:
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            if len(case["text"]) <= MAX_BENCH_CHARS:
                drafts.append(Draft(case["text"], tuple(case["platforms"]), case.get("category")))
    return drafts


def batch(rounds: int) -> float:
    """Drafts per second, each round with texts made unique so no cache helps."""
    policy = load_policy()
    drafts = _drafts()
    count = 0
    started = time.perf_counter()
    for round_number in range(rounds):
        for draft in drafts:
            check_draft(Draft(f"{draft.text} {round_number}", draft.platforms, draft.category), policy)
            count += 1
    return count / (time.perf_counter() - started)


CHECK = ["-c", "from balise.cli.main import run; run()", "check", "--text", "Bonne fête à notre animatrice Julie!"]
# A worker's process once warm: the job modules and the gate's policy and model loaded, one draft checked.
WORKER = (
    "import psutil, balise.queue.jobs, balise.queue.worker\n"
    "from balise.compliance import Draft\nfrom balise.compliance.gate import check_draft\n"
    "check_draft(Draft('Bonjour, voici notre atelier.'))\n"
    "print(psutil.Process().memory_info().rss)"
)
BARE_RQ = "import psutil, rq\nprint(psutil.Process().memory_info().rss)"


def wall_times(arguments: list[str], runs: int) -> list[float]:
    """Wall time of `python ARGUMENTS`, a new process each time."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, *arguments], capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return times


def resident_mb(code: str) -> float:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(done.stdout.strip().splitlines()[-1]) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--cold-runs", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    load_policy()
    print(f"policy load (compile, once per process): {1000 * (time.perf_counter() - started):.0f} ms")
    rate = batch(args.rounds)
    print(f"batch: {rate:,.0f} drafts/second on one core (target >= 200: {'ok' if rate >= 200 else 'not ok'})")
    started = time.perf_counter()
    check_draft(Draft("Joyeux anniversaire à notre collègue! " * 28_000))
    megabyte = time.perf_counter() - started
    verdict = "ok" if megabyte <= 1 else "not ok"
    print(f"a megabyte of text (only measured): {megabyte:.2f} s (target <= 1 s: {verdict})")
    bare = statistics.median(wall_times(["-c", "import typer"], args.cold_runs))
    times = wall_times(CHECK, args.cold_runs)
    cold = statistics.median(times)
    print(
        f"cold start of `balise check --text`: median {cold:.2f} s, max {max(times):.2f} s over {len(times)} runs, "
        f"x{cold / bare:.1f} a bare `import typer` ({bare:.2f} s) (target <= 2 s: {'ok' if cold <= 2 else 'not ok'})"
    )
    worker, rq_only = resident_mb(WORKER), resident_mb(BARE_RQ)
    print(
        f"worker with the gate loaded: {worker:.0f} MB resident, x{worker / rq_only:.1f} a bare `import rq` "
        f"({rq_only:.0f} MB) (target <= 250 MB: {'ok' if worker <= 250 else 'not ok'})"
    )


if __name__ == "__main__":
    main()
