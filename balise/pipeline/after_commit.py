"""What a pipeline step leaves for after its commit, and the one function that does it.

A step changes the database inside its caller's transaction and returns an `AfterCommit`: the
jobs its change calls for. Its notices are already rows of the outbox, written in the same
transaction. Only once the transaction is committed does the caller (a command, the web app, a
job, `balise tick`) call `run_after_commit`: a rolled-back step queues nothing and mails nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from redis.exceptions import RedisError

from balise.errors import BaliseError
from balise.mail.outbox import queue_waiting
from balise.models import Post
from balise.queue.queues import enqueue_check, enqueue_publish, enqueue_takedown


@dataclass(frozen=True)
class Publish:
    """One attempt at one platform target, now or at `at` (RQ's scheduler)."""

    target_id: int
    attempts: int
    at: datetime | None = None


@dataclass(frozen=True)
class Takedown:
    """One published target to delete on its platform, now or at `at` (a platform's reset time)."""

    target_id: int
    at: datetime | None = None


@dataclass
class AfterCommit:
    """The jobs a committed step calls for; the database holds the same work, so `balise tick`
    queues it again if they are lost."""

    checks: list[tuple[int, int]] = field(default_factory=list)  # (post id, version) for the gate
    publishes: list[Publish] = field(default_factory=list)
    takedowns: list[Takedown] = field(default_factory=list)

    def __add__(self, other: AfterCommit) -> AfterCommit:
        return AfterCommit(
            [*self.checks, *other.checks], [*self.publishes, *other.publishes], [*self.takedowns, *other.takedowns]
        )

    @classmethod
    def check(cls, post: Post) -> AfterCommit:
        """The gate, for the version of `post` the step just wrote."""
        assert post.id is not None
        return cls(checks=[(post.id, post.version)])


def run_after_commit(after: AfterCommit) -> None:
    """Enqueue every job (through `queue.queues`, the one way), then a mail job for each notice
    that may go now (`mail.outbox.queue_waiting`). Every part is tried even when one fails;
    then the first failure is raised (the step stands: the caller says so or logs it)."""
    parts: list[Callable[[], object]] = [
        *(partial(enqueue_check, post_id, version) for post_id, version in after.checks),
        *(partial(enqueue_publish, job.target_id, job.attempts, job.at) for job in after.publishes),
        *(partial(enqueue_takedown, job.target_id, job.at) for job in after.takedowns),
        queue_waiting,
    ]
    failure: Exception | None = None
    for enqueue in parts:
        try:
            enqueue()
        except (BaliseError, RedisError, OSError) as exc:
            failure = failure or exc
    if failure is not None:
        raise failure
