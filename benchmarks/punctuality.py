"""Punctuality: how late 1,000 posts due in the same minute reach the platform (fake X, 127.0.0.1).

Two modes, as deployed: `balise worker --with-scheduler` (RQ's scheduler moves each job at its
second), and cron (`balise publish-due` at each minute boundary, workers without a scheduler).
Lateness is when the platform's id was recorded minus the time the post was due.

Usage: python benchmarks/punctuality.py [--posts 1000] [--workers 2] [--mode scheduler cron] [--quick]
Targets: p99 <= 2 s with the scheduler, <= 65 s with cron.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from balise.db import session_scope  # noqa: E402
from balise.models import Target, utcnow  # noqa: E402
from balise.pipeline.due import publish_due  # noqa: E402
from benchmarks._common import (  # noqa: E402
    drafts,
    gate,
    installation,
    load_note,
    percentiles,
    sign_off,
    wait_for,
    workers,
    x_account,
)
from tests.fakes.x_server import FakeX  # noqa: E402

SECONDS_PER_POST_TO_PREPARE = 0.04  # drafting, gating and signing off, before the minute begins


def _next_minute(after: datetime) -> datetime:
    return after.replace(second=0, microsecond=0) + timedelta(minutes=1)


def run(mode: str, posts: int, worker_count: int, database: str) -> list[float]:
    """Lateness in seconds of each post, in one mode."""
    with FakeX() as fake, installation(database, x_account(fake)) as setup:
        minute = _next_minute(utcnow() + timedelta(seconds=10 + posts * SECONDS_PER_POST_TO_PREPARE))
        times = [minute + timedelta(seconds=60 * i / posts) for i in range(posts)]
        post_ids = drafts(times, ("x",))
        gate(post_ids)
        sign_off(post_ids)  # as `balise approve` does: each target on RQ's schedule for its time
        args = ("--with-scheduler",) if mode == "scheduler" else ()
        with workers(setup.env, worker_count, *args):
            if utcnow() > minute:
                raise SystemExit("preparing the posts took past their minute; use fewer --posts")
            deadline = time.monotonic() + 60 + (minute - utcnow()).total_seconds() + 300
            while time.monotonic() < deadline and not _all_published(posts):
                if mode == "cron":
                    _cron_tick()
                else:
                    time.sleep(0.5)
            with session_scope() as session:
                rows = session.exec(select(Target.due_at, Target.updated_at).where(Target.state == "published")).all()
        if len(rows) < posts:
            print(f"  {mode}: only {len(rows)} of {posts} published before the deadline")
        return [(done - due).total_seconds() for due, done in rows]


def _cron_tick() -> None:
    """Sleep to the next minute boundary (as cron does, to the second) and run publish-due."""
    now = utcnow()
    wait_for(lambda: utcnow() >= _next_minute(now), timeout=61, every=0.05)
    publish_due()


def _all_published(posts: int) -> bool:
    with session_scope() as session:
        return len(session.exec(select(Target.id).where(Target.state == "published")).all()) >= posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mode", nargs="+", choices=("scheduler", "cron"), default=["scheduler", "cron"])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="200 posts")
    args = parser.parse_args()
    posts = 200 if args.quick else args.posts
    print(f"{posts} posts due within one minute, {args.workers} workers, {args.database}; {load_note()}")
    for mode in args.mode:
        late = run(mode, posts, args.workers, args.database)
        figures = percentiles(late)
        target = 2 if mode == "scheduler" else 65
        verdict = "ok" if figures["p99"] <= target else "MISSED"
        print(
            f"{mode:<9} lateness p50={figures['p50']:.2f} s p99={figures['p99']:.2f} s max={figures['max']:.2f} s "
            f"(target p99 <= {target} s: {verdict}); {load_note()}"
        )


if __name__ == "__main__":
    main()
