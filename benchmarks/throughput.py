"""Throughput: the whole pipeline against bare RQ, two workers each, on the same Redis, same run.

Bare RQ: `rq worker` processes running no-op jobs (`os.getpid`). balise: `balise worker`
processes running the gate on each draft, the approver signing off in this process as drafts
arrive, then one publish job per post to the fake X on 127.0.0.1, in a process of its own as the
real X is (in this one it would share the approver's interpreter lock). Both figures are jobs per
second from the first enqueue to the last job done; a post is two jobs (gate, publish).

Usage: python benchmarks/throughput.py [--posts 300] [--workers 2] [--database sqlite|postgresql] [--quick]
Target: balise >= 50% of bare RQ, in jobs per second.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rq import Queue, Worker
from sqlmodel import col, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from balise.db import session_scope  # noqa: E402
from balise.models import Post, Target, utcnow  # noqa: E402
from balise.queue.connection import get_redis  # noqa: E402
from balise.queue.queues import enqueue_check  # noqa: E402
from balise.states import State  # noqa: E402
from benchmarks._common import ROOT, drafts, installation, load_note, sign_off, wait_for, workers, x_account  # noqa: E402,E501
from tests.fakes.x_server import FakeX  # noqa: E402

TIMEOUT = 900


def bare_rq(jobs: int, worker_count: int, redis_url: str) -> float:
    """No-op jobs per second through RQ's own forking worker."""
    noop = Queue("noop", connection=get_redis())
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "rq.cli", "worker", "--quiet", "--url", redis_url, "noop"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(worker_count)
    ]
    try:
        wait_for(lambda: Worker.count(queue=noop) >= worker_count, timeout=60)
        started = time.perf_counter()
        for _ in range(jobs):
            noop.enqueue("os.getpid")
        wait_for(lambda: noop.finished_job_registry.count >= jobs, timeout=TIMEOUT, every=0.05)
        return jobs / (time.perf_counter() - started)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def fake_x_process() -> Iterator[FakeX]:
    """`python -m tests.fakes.x_server` on a free port; what it answers is read from the database."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.x_server"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]  # "FakeX listening on http://127.0.0.1:PORT"
        yield FakeX(port=int(url.rsplit(":", 1)[1]))  # not started here: only its address and keys
    finally:
        process.terminate()
        process.wait(timeout=30)


def pipeline(posts: int, worker_count: int, env: dict[str, str]) -> float:
    """Gate, sign-off and publish jobs per second through `balise worker`."""
    post_ids = drafts([utcnow()] * posts, ("x",))
    with workers(env, worker_count):
        wait_for(lambda: Worker.count(queue=Queue("publish", connection=get_redis())) >= worker_count, 60)
        started = time.perf_counter()
        for post_id in post_ids:
            enqueue_check(post_id, 1)
        signed: set[int] = set()
        deadline = time.monotonic() + TIMEOUT
        while len(signed) < posts and time.monotonic() < deadline:
            ready = _awaiting() - signed
            if ready:
                for post_id in sorted(ready):  # one approval per transaction, as `balise approve` and the web page do
                    sign_off([post_id])
                signed |= ready
            else:
                time.sleep(0.05)
        wait_for(lambda: _published() >= posts, timeout=TIMEOUT, every=0.05)
        elapsed = time.perf_counter() - started
    if _published() < posts:
        raise SystemExit(f"only {_published()} of {posts} posts published in {TIMEOUT} s")
    return 2 * posts / elapsed


def _awaiting() -> set[int]:
    with session_scope() as session:
        ids = session.exec(select(Post.id).where(Post.state == State.AWAITING_SIGNOFF.value)).all()
    return {i for i in ids if i is not None}


def _published() -> int:
    with session_scope() as session:
        return len(session.exec(select(Target.id).where(col(Target.state) == "published")).all())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="100 posts")
    args = parser.parse_args()
    posts = 100 if args.quick else args.posts
    with fake_x_process() as fake, installation(args.database, x_account(fake)) as s:
        print(f"{posts} posts, {args.workers} workers, {args.database}; {load_note()}")
        bare = bare_rq(2 * posts, args.workers, s.redis_url)
        print(f"bare RQ no-op jobs:           {bare:7.1f} jobs/s")
        ours = pipeline(posts, args.workers, s.env)
        print(f"balise gate+sign-off+publish: {ours:7.1f} jobs/s ({ours / 2:.1f} posts/s)")
        verdict = "ok" if ours >= bare / 2 else "MISSED"
        print(f"ratio {ours / bare:.0%} (target >= 50%: {verdict}); {load_note()}")


if __name__ == "__main__":
    main()
