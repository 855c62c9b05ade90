"""Memory: RSS of a `balise worker` idle, and busy publishing (its supervisor, the worker the
supervisor forked, and RQ's scheduler process, a fork of the worker).

The worker is a fork of the supervisor: most of its pages are shared with it, so each process's
USS (memory only it holds) is printed beside its RSS. Busy means publishing to a fake X whose
answers take `--slow` seconds, sampled every 50 ms; the largest figures are printed.

Usage: python benchmarks/memory.py [--posts 40] [--database sqlite|postgresql] [--quick]
Target: <= 150 MB RSS per process.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from balise.models import utcnow  # noqa: E402
from benchmarks._common import drafts, gate, installation, load_note, sign_off, wait_for, workers, x_account  # noqa: E402,E501
from tests.fakes.x_server import FakeX  # noqa: E402

MB = 1024 * 1024


def _sizes(process: psutil.Process) -> tuple[float, float]:
    info = process.memory_full_info()
    return info.rss / MB, info.uss / MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=40)
    parser.add_argument("--slow", type=float, default=0.5, help="seconds the fake takes to answer a call")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="10 posts")
    args = parser.parse_args()
    posts = 10 if args.quick else args.posts
    with (
        FakeX(fail_ratio=1.0, chaos_kinds=("slow",), slow_seconds=args.slow) as fake,
        installation(args.database, x_account(fake, 10)) as setup,
    ):
        print(f"{load_note()}")
        with workers(setup.env, 1, "--with-scheduler") as (worker,):
            wait_for(lambda: len(worker.family()) >= 3, timeout=60)  # the scheduler process is up
            time.sleep(5)
            for process in worker.family():
                rss, uss = _sizes(process)
                print(f"idle  {_role(process, worker.pid):<10} RSS {rss:6.1f} MB  USS {uss:6.1f} MB")
            post_ids = drafts([utcnow()] * posts, ("x",))
            gate(post_ids)
            sign_off(post_ids)
            peaks: dict[str, tuple[float, float]] = {}
            deadline = time.monotonic() + posts * (3 * args.slow + 2) + 30
            while len(fake.posts) < posts and time.monotonic() < deadline:
                for process in worker.family():
                    try:
                        role = _role(process, worker.pid)
                        rss, uss = _sizes(process)
                    except (psutil.NoSuchProcess, ProcessLookupError):  # one being replaced
                        continue
                    peaks[role] = max(peaks.get(role, (0.0, 0.0)), (rss, uss))
                time.sleep(0.05)
        for role, (rss, uss) in sorted(peaks.items()):
            verdict = "ok" if rss <= 150 else "MISSED"
            print(f"busy  {role:<10} RSS {rss:6.1f} MB  USS {uss:6.1f} MB (peak; target <= 150 MB: {verdict})")
        print(f"published {len(fake.posts)} of {posts}; {load_note()}")


def _role(process: psutil.Process, supervisor: int) -> str:
    """The worker is the supervisor's child (its own process group); the scheduler, the worker's."""
    if process.pid == supervisor:
        return "supervisor"
    return "worker" if os.getpgid(process.pid) == process.pid else "scheduler"


if __name__ == "__main__":
    main()
