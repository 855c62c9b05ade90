"""Chaos: signed-off posts published while the platforms fail, workers crash and Redis forgets.

The fake X and Facebook (127.0.0.1) fail a share of calls (5xx, 429 with a reset time, timeouts
before and after creating the post, slow answers) and refuse a few posts for good; real
`balise worker --with-scheduler` processes are SIGKILLed at random moments and restarted;
`publish-due` runs every few seconds as cron would; Redis is flushed once mid-run. At the end
each (post, platform) must exist exactly once on its fake, or be explained: refused for good by
the fake, or waiting for a person with a reason.

Usage: python benchmarks/chaos.py [--posts 1000] [--database sqlite|postgresql] [--workers 3]
The last line reads `posts=N faults=N kills=N duplicates=N lost=N seconds=S`.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Self

import redis
from sqlmodel import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `tests.fakes` when run as a script

from balise.db import session_scope  # noqa: E402
from balise.models import Post, Target, utcnow  # noqa: E402
from balise.pipeline.due import publish_due  # noqa: E402
from benchmarks._common import Worker, drafts, gate, installation, load_note, sign_off, workers  # noqa: E402
from tests.fakes.base import TRANSIENT, FakePlatform  # noqa: E402
from tests.fakes.facebook_server import FakeFacebook  # noqa: E402
from tests.fakes.fixtures import FakeAccount  # noqa: E402
from tests.fakes.x_server import FakeX  # noqa: E402

PLATFORMS = ("facebook", "x")
WAITING = {"pending", "publishing"}


@dataclass(frozen=True)
class ChaosConfig:
    posts: int = 1000
    database: str = "sqlite"
    workers: int = 3
    fail_ratio: float = 0.08  # of every call to a fake, across the transient kinds
    refusals: int = 5  # posts each fake refuses for good ("invalid"): failed, and explained
    kill_every: float = 10.0  # seconds between crashes, on average
    kill_window: float = 30.0  # crashes stop this long after the last post fell due, so the run ends
    max_kills: int = 1000
    cron_every: float = 3.0
    spread: float = 120.0  # seconds over which the posts fall due
    lease: int = 15  # BALISE_PUBLISH_LEASE_SECONDS: a crashed worker's target waits this long
    retry_max: int = 8  # BALISE_PUBLISH_RETRY_MAX_SECONDS
    settle: float = 600.0  # seconds after the last post falls due before giving up
    facebook_kinds: tuple[str, ...] = TRANSIENT  # Facebook's 429 says "come back in a minute"
    seed: int = 1
    redis_url: str | None = None  # a Redis database already claimed (the test suite's)
    log: Path | None = None


@dataclass
class ChaosResult:
    posts: int
    faults: int
    kills: int
    duplicates: int
    lost: int
    seconds: float
    flushed: bool
    states: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"posts={self.posts} faults={self.faults} kills={self.kills} "
            f"duplicates={self.duplicates} lost={self.lost} seconds={self.seconds:.0f}"
        )


class CountingFaults(FakePlatform):
    """A fake that counts the failures it served, by kind."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.faults: Counter[str] = Counter()

    def start(self) -> Self:
        super().start()
        assert self._server is not None
        self._server.handle_error = lambda *_: None  # type: ignore[method-assign]  # a killed client's reset
        return self

    def _take_failure(self, operation: str) -> str | None:
        kind = super()._take_failure(operation)
        if kind is not None:
            with self.lock:
                self.faults[kind] += 1
        return kind


class ChaosX(CountingFaults, FakeX):
    pass


class ChaosFacebook(CountingFaults, FakeFacebook):
    pass


@contextmanager
def fakes(config: ChaosConfig) -> Iterator[dict[str, CountingFaults]]:
    common = {"fail_ratio": config.fail_ratio, "stall_seconds": 2.0, "slow_seconds": 0.3, "rate_limit_seconds": 3}
    with (
        ChaosX(seed=config.seed, **common) as x,
        ChaosFacebook(seed=config.seed + 1, chaos_kinds=config.facebook_kinds, **common) as facebook,
    ):
        yield {"x": x, "facebook": facebook}


def run_chaos(config: ChaosConfig) -> ChaosResult:
    """Seed the posts, run the chaos until every target settles (or `settle` runs out), tally."""
    rng = random.Random(config.seed)
    with ExitStack() as stack:
        servers = stack.enter_context(fakes(config))
        settings = {
            **FakeAccount("x", servers["x"]).env(),
            **FakeAccount("facebook", servers["facebook"]).env(),
            "BALISE_HTTP_TIMEOUT": "1",
            "BALISE_PUBLISH_LEASE_SECONDS": str(config.lease),
            "BALISE_PUBLISH_RETRY_MAX_SECONDS": str(config.retry_max),
        }
        setup = stack.enter_context(installation(config.database, settings, redis_url=config.redis_url))
        started = time.monotonic()
        lead = 5 + config.posts * 0.08  # time to draft, gate and sign off before the first is due
        first_due = utcnow() + timedelta(seconds=lead)
        times = [first_due + timedelta(seconds=config.spread * i / config.posts) for i in range(config.posts)]
        post_ids = drafts(times, PLATFORMS)
        gate(post_ids)
        sign_off(post_ids)
        for fake in servers.values():
            fake.fail_next("invalid", config.refusals, on="create")
        crew = stack.enter_context(workers(setup.env, config.workers, "--with-scheduler", log=config.log))
        last_due = started + lead + config.spread
        kills, flushed = _chaos(config, rng, crew, setup.redis_url, last_due)
        result = tally(post_ids, servers)
        result.kills, result.flushed = kills, flushed
        result.seconds = time.monotonic() - started
        return result


def _chaos(
    config: ChaosConfig, rng: random.Random, crew: list[Worker], redis_url: str, last_due: float
) -> tuple[int, bool]:
    """Crash workers, run cron and flush Redis once, until every target settles; (kills, flushed)."""
    kills, flushed = 0, False
    next_cron = next_kill = time.monotonic()
    next_kill += rng.expovariate(1 / config.kill_every)
    deadline = last_due + config.settle
    while time.monotonic() < deadline:
        now = time.monotonic()
        waiting, settled = _progress()
        if not waiting:
            break
        if now >= next_cron:
            publish_due()
            next_cron = now + config.cron_every
        if now >= next_kill and kills < config.max_kills and now < last_due + config.kill_window:
            victim = rng.choice(crew)
            victim.kill()
            victim.start()
            kills += 1
            next_kill = now + rng.expovariate(1 / config.kill_every)
        if not flushed and settled >= waiting:  # about half-way
            redis.Redis.from_url(redis_url).flushdb()
            flushed = True
        time.sleep(0.5)
    return kills, flushed


def _progress() -> tuple[int, int]:
    """Targets still waiting to be published (not counting those a person must settle), and settled."""
    with session_scope() as session:
        rows = session.exec(select(Target.state, Target.error_kind)).all()
    waiting = sum(1 for state, kind in rows if state in WAITING and kind != "needs_person")
    return waiting, len(rows) - waiting


def tally(post_ids: list[int], servers: dict[str, CountingFaults]) -> ChaosResult:
    """Compare the database with what each fake platform really received."""
    with session_scope() as session:
        posts = {p.id: p for p in session.exec(select(Post).where(Post.id.in_(post_ids)))}  # type: ignore[union-attr]
        targets = list(session.exec(select(Target).where(Target.post_id.in_(post_ids))))  # type: ignore[attr-defined]
    received = {name: Counter(p.text for p in fake.posts) for name, fake in servers.items()}
    refused = {name: fake.faults["invalid"] for name, fake in servers.items()}
    faults = sum(sum(fake.faults.values()) for fake in servers.values())
    result = ChaosResult(len(post_ids), faults, 0, 0, 0, 0.0, False)
    expected: dict[str, set[str]] = {name: set() for name in servers}
    for target in targets:
        text = posts[target.post_id].text
        expected[target.platform].add(text)
        copies = received[target.platform][text]
        result.states[f"{target.state}:{target.error_kind or '-'}"] += 1
        result.duplicates += max(copies - 1, 0)
        if copies > 1:
            result.problems.append(_duplicate(servers[target.platform], target, text))
        remote = servers[target.platform].post(target.remote_id or "")
        if target.state == "published" and copies >= 1 and remote is not None and remote.text == text:
            continue
        if target.state == "failed" and target.error_kind == "permanent" and copies == 0:
            refused[target.platform] -= 1  # explained only as often as the fake was told to refuse
            if refused[target.platform] >= 0:
                continue
        if target.state == "publishing" and target.error_kind == "needs_person" and target.last_error:
            continue
        result.lost += 1
        result.problems.append(
            f"post {target.post_id} {target.platform}: {target.state}/{target.error_kind} copies={copies} "
            f"attempts={target.attempts} {target.last_error or ''}"
        )
    for name, counts in received.items():  # anything on a platform that no target stands for
        result.duplicates += sum(n for text, n in counts.items() if text not in expected[name])
    return result


def _duplicate(fake: FakePlatform, target: Target, text: str) -> str:
    """A post the platform received twice, and how many others it received in between."""
    with fake.lock:
        times = [p.created_at for p in fake.posts if p.text == text]
        between = sum(1 for p in fake.posts if times[0] < p.created_at < times[-1])
    return (
        f"post {target.post_id} {target.platform}: {len(times)} copies {(times[-1] - times[0]).total_seconds():.0f} s "
        f"apart, {between} other posts in between; attempts={target.attempts}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log", type=Path, help="where the workers' output goes (default: nowhere)")
    args = parser.parse_args()
    config = ChaosConfig(posts=args.posts, database=args.database, workers=args.workers, seed=args.seed, log=args.log)
    result = run_chaos(config)
    print(f"database={config.database} workers={config.workers} flushed={result.flushed}; {load_note()}")
    print("targets: " + ", ".join(f"{k}={v}" for k, v in sorted(result.states.items())))
    for problem in result.problems[:20]:
        print("  " + problem)
    print(result.line())


if __name__ == "__main__":
    main()
