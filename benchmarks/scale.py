"""Scale: `publish-due`'s selection and `balise status` with 10k and 1M posts, SQLite and PostgreSQL.

History grows (published, failed long ago, cancelled...), the live set does not: the same few
hundred posts are due, running, scheduled or recently failed whatever the size, so a query that
reads only what it needs (an index range, O(log n)) takes the same time at both sizes. Rows are
bulk-inserted (executemany on SQLite, COPY on PostgreSQL). Prints each query's plan.

Usage: python benchmarks/scale.py [--sizes 10000 1000000] [--database sqlite postgresql] [--quick]
Target: at 1M, each within 2x its 10k time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from balise.db import get_engine, session_scope  # noqa: E402
from balise.models import Organization, Post, PostCount, Target, utcnow  # noqa: E402
from balise.pipeline.due import due_work  # noqa: E402
from balise.status import build_status  # noqa: E402
from benchmarks._common import installation, load_note  # noqa: E402
from tests.helpers import make_org  # noqa: E402

# The live set, the same at every size.
LIVE = {"due": 50, "scheduled": 200, "publishing": 10, "failed_recently": 20, "pending_check": 20}
HISTORY = (("published", 0.96), ("failed", 0.01), ("cancelled", 0.02), ("rejected", 0.01))
REPEAT = 7


def _rows(size: int, org_id: int, author_id: int, now: datetime) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(post, target) rows: `size` posts in all, the live set first, then years of history."""
    rng = random.Random(size)

    def post(n: int, state: str, at: datetime) -> dict[str, Any]:
        return {
            "org_id": org_id, "author_id": author_id, "text": f"Publication n° {n}", "link": None, "topic": None,
            "state": state, "scheduled_at": at, "entered_timezone": "America/Toronto", "content_hash": f"{n:064x}",
            "version": 1, "created_at": at - timedelta(days=3), "updated_at": at, "published_at": None,
        }  # fmt: skip

    def target(state: str, at: datetime, **values: Any) -> dict[str, Any]:
        row = {
            "platform": "facebook", "state": state, "due_at": at, "remote_id": None, "url": None, "attempts": 0,
            "last_error": None, "error_kind": None, "lease_until": None, "claimed_by": None,
            "needs_reconcile": False, "updated_at": at,
        }  # fmt: skip
        return row | values

    n = 0
    for _ in range(LIVE["due"]):
        at = now - timedelta(seconds=rng.uniform(0, 300))
        yield post(n, "scheduled", at), target("pending", at)
        n += 1
    for _ in range(LIVE["scheduled"]):
        at = now + timedelta(days=rng.uniform(0, 60))
        yield post(n, "scheduled", at), target("pending", at)
        n += 1
    for i in range(LIVE["publishing"]):
        at = now - timedelta(seconds=60)
        lease = now + timedelta(seconds=240 if i % 2 else -30)
        yield post(n, "publishing", at), target("publishing", at, attempts=1, lease_until=lease)
        n += 1
    for _ in range(LIVE["failed_recently"]):
        at = now - timedelta(days=rng.uniform(0, 20))
        yield post(n, "failed", at), target("failed", at, error_kind="permanent", last_error="refusée")
        n += 1
    for _ in range(LIVE["pending_check"]):
        at = now + timedelta(days=2)
        yield post(n, "pending_check", at), target("pending", at)
        n += 1
    states = [s for s, _ in HISTORY]
    weights = [w for _, w in HISTORY]
    while n < size:
        at = now - timedelta(days=40 + rng.uniform(0, 3 * 365))
        state = rng.choices(states, weights)[0]
        target_state = {"published": "published", "failed": "failed"}.get(state, "pending")
        yield post(n, state, at), target(target_state, at, remote_id=str(n) if state == "published" else None)
        n += 1


def fill(size: int) -> None:
    """Insert `size` posts with one target each, in bulk."""
    org_id, author_id, _ = make_org()
    now = utcnow()
    engine = get_engine()
    batch: list[tuple[dict[str, Any], dict[str, Any]]] = []
    counts: Counter[str] = Counter()
    for row in _rows(size, org_id, author_id, now):
        batch.append(row)
        counts[row[0]["state"]] += 1
        if len(batch) == 20_000:
            _insert(engine, batch)
            batch = []
    if batch:
        _insert(engine, batch)
    with engine.begin() as conn:  # what `states` keeps up to date as posts are created and move
        rows = [{"org_id": org_id, "state": state, "count": n} for state, n in counts.items()]
        conn.execute(PostCount.__table__.insert(), rows)  # type: ignore[attr-defined]
        conn.exec_driver_sql("ANALYZE")


def _insert(engine: sa.Engine, batch: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    posts = [p for p, _ in batch]
    with engine.begin() as conn:
        first = int(conn.execute(sa.select(sa.func.max(col(Post.id)))).scalar() or 0) + 1
        ids = range(first, first + len(posts))
        post_table, target_table = Post.__table__, Target.__table__  # type: ignore[attr-defined]
        if engine.dialect.name == "postgresql":
            _copy(conn, post_table, [{"id": i, **p} for i, p in zip(ids, posts, strict=True)])
            _copy(conn, target_table, [{"post_id": i, **t} for i, (_, t) in zip(ids, batch, strict=True)])
        else:
            conn.execute(post_table.insert(), [{"id": i, **p} for i, p in zip(ids, posts, strict=True)])
            conn.execute(target_table.insert(), [{"post_id": i, **t} for i, (_, t) in zip(ids, batch, strict=True)])
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('post', 'id'), (SELECT max(id) FROM post))")


def _copy(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


@contextmanager
def captured() -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement the engine runs inside the block, with its parameters."""
    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    engine = get_engine()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def plans(statements: list[tuple[str, Any]]) -> list[str]:
    """EXPLAIN (QUERY PLAN) of each statement, as the database will run it."""
    engine = get_engine()
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    out = []
    with engine.connect() as conn:
        for statement, parameters in statements:
            rows = conn.exec_driver_sql(prefix + statement, parameters).all()
            lines = [str(r[-1]) for r in rows]
            out.append(" ".join(statement.split())[:160] + "\n      " + "\n      ".join(lines))
    return out


def timed(action: Callable[[], object]) -> float:
    """Median of REPEAT runs, in milliseconds (after one warm-up run)."""
    action()
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(show_plans: bool) -> dict[str, float]:
    now = utcnow()

    def selection() -> None:
        with session_scope() as session:
            work = due_work(session, now)
            assert len(work.due) == LIVE["due"], len(work.due)

    def status() -> None:
        with session_scope() as session:
            org = session.exec(sa.select(Organization)).scalar_one()  # type: ignore[call-overload]
            build_status(session, org)

    if show_plans:
        for name, action in (("publish-due selection", selection), ("balise status", status)):
            with captured() as statements:
                action()
            print(f"  plans of {name}:")
            for plan in plans(statements):
                print("    " + plan)
    return {"publish-due selection": timed(selection), "balise status": timed(status)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--database", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--quick", action="store_true", help="10k and 100k posts")
    args = parser.parse_args()
    sizes = [10_000, 100_000] if args.quick else args.sizes
    print(load_note())
    for kind in args.database:
        figures: dict[int, dict[str, float]] = {}
        for size in sizes:
            with installation(kind):
                started = time.perf_counter()
                fill(size)
                print(f"{kind} {size:>9,} posts: inserted in {time.perf_counter() - started:.1f} s")
                figures[size] = measure(show_plans=size == sizes[-1])
            for name, ms in figures[size].items():
                print(f"{kind} {size:>9,} posts: {name:<22} {ms:8.2f} ms (median of {REPEAT})")
        small, large = figures[sizes[0]], figures[sizes[-1]]
        for name in small:
            ratio = large[name] / small[name]
            verdict = "ok" if ratio <= 2 else "MISSED"
            print(f"{kind}: {name} {sizes[-1]:,} vs {sizes[0]:,}: x{ratio:.2f} (target <= 2: {verdict})")


if __name__ == "__main__":
    main()
