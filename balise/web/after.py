"""What a web page runs once its transaction is committed: the step's `AfterCommit`, through
`pipeline.after_commit.run_after_commit` as every caller does. A queue out of reach loses
nothing (the decision or the draft is committed, and `balise tick` finds its work in the
database), so the page still answers and the trouble goes to the log."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from balise.errors import BaliseError
from balise.pipeline.after_commit import AfterCommit, run_after_commit

log = logging.getLogger(__name__)


def run_after(after: AfterCommit) -> None:
    """Enqueue what a committed step left; a failure is logged, never shown as the page's failure."""
    try:
        run_after_commit(after)
    except (BaliseError, RedisError, OSError) as exc:
        log.warning("file d'attente injoignable après le travail d'une page : %s", exc)
