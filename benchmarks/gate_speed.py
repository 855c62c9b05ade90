"""Speed of the compliance gate: drafts per second on one core, and cold start of `balise check`.

Usage: python benchmarks/gate_speed.py [--rounds N] [--cold-runs N]
Targets: >= 1,000 drafts/second/core in batch; `balise check --text` <= 1.5 s cold.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from balise.compliance import Draft, check_draft, load_policy

ROOT = Path(__file__).resolve().parent.parent
MAX_BENCH_CHARS = 5_000  # the few limit-test drafts of 60 kB would measure counting, not gating


def _drafts() -> list[Draft]:
    drafts = []
    for path in sorted((ROOT / "tests" / "data").glob("corpus*.jsonl")):
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
            check_draft(
                Draft(f"{draft.text} {round_number}", draft.platforms, draft.category), policy
            )
            count += 1
    return count / (time.perf_counter() - started)


def cold_start(runs: int) -> list[float]:
    """Wall time of `balise check --text` for one draft, as a new process each time."""
    command = [
        sys.executable,
        "-c",
        "from balise.cli.main import run; run()",
        "check",
        "--text",
        "Joyeux anniversaire à notre animatrice Julie!",
    ]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--cold-runs", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    load_policy()
    print(
        f"policy load (compile, once per process): {1000 * (time.perf_counter() - started):.0f} ms"
    )
    rate = batch(args.rounds)
    print(f"batch: {rate:,.0f} drafts/second on one core (target >= 1,000)")
    times = cold_start(args.cold_runs)
    print(
        f"cold start of `balise check --text`: median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s over {len(times)} runs (target <= 1.5 s)"
    )


if __name__ == "__main__":
    main()
