"""Small builders shared by the tests: an organization with an author and an approver."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, SQLModel, col, select
from typer.testing import CliRunner

from balise.cli.main import main
from balise.compliance import Verdict
from balise.config import get_settings
from balise.db import session_scope
from balise.login import SESSION_LIFETIME, open_session
from balise.models import AuditEvent, Member, Organization, Post, Target, utcnow
from balise.organizations import add_member, create_organization
from balise.pipeline.check import record_verdict
from balise.pipeline.draft import DraftInput, create_post
from balise.posts import targets_of
from balise.queue.queues import COMPLIANCE, enqueue_check
from balise.queue.worker import run_worker

# Tests publish "now" at whatever hour they run; the quiet hours have tests of their own.
NO_QUIET_HOURS = '[quiet_hours]\nstart = "00:00"\nend = "00:00"\n'


def make_org(quiet_hours: bool = False) -> tuple[int, int, int]:
    """Organization, author and approver ids; the organization keeps ROEQ's quiet hours only if asked."""
    with session_scope() as session:
        org = create_organization(session, slug="espace-test", name="ESPACE Test", timezone="America/Toronto")
        org.policy_override = None if quiet_hours else NO_QUIET_HOURS
        author = add_member(session, org, name="Marie", email="marie@exemple.org", role="author", actor="test")
        approver = add_member(session, org, name="Julie", email="julie@exemple.org", role="approver", actor="test")
        assert org.id and author.id and approver.id
        return org.id, author.id, approver.id


def make_post(
    org_id: int,
    author_id: int,
    text: str = "Offre d'emploi : animatrice recherchée",
    platforms: tuple[str, ...] = ("sandbox",),
    in_minutes: int = 0,
) -> int:
    with session_scope() as session:
        org = session.get(Organization, org_id)
        author = session.get(Member, author_id)
        assert org and author
        draft = DraftInput(text=text, platforms=platforms, scheduled_at=utcnow() + timedelta(minutes=in_minutes))
        post = create_post(session, org, author, draft, get_settings().data_path / "media")
        assert post.id
        return post.id


def log_in_as(member_id: int, lifetime: timedelta = SESSION_LIFETIME) -> None:
    """Open this account's session for the member, as `balise login` does once the mailed code is
    typed (tests/test_login.py goes through the mail; other tests only need someone logged in)."""
    with session_scope() as session:
        member = session.get(Member, member_id)
        assert member
        org = session.get(Organization, member.org_id)
        assert org
        open_session(org, member, lifetime)


def force_state(model: type[Post] | type[Target], row_id: int, state: str) -> None:
    """Put a post or a target straight into `state`, past the machine: the start of a test of a later move."""
    with session_scope() as session:
        row = session.get(model, row_id)
        assert row
        row.state = state
        session.add(row)


def state_of(post_id: int) -> str:
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        return post.state


def targets_by_platform(post_id: int) -> dict[str, Target]:
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        return {t.platform: t for t in targets_of(session, post)}


def gate_passed(session: Session, post: Post) -> None:
    """Stand in for the compliance worker: its approving verdict on the post's current content."""
    assert post.id
    record_verdict(session, post.id, post.content_hash, Verdict("approved", (), "test"))


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, and each organization's audit chain head: what a refused command
    must leave exactly as it found it."""
    with session_scope() as session:
        tables = {
            table.name: sorted(map(tuple, session.execute(select(table)).all()), key=repr)
            for table in SQLModel.metadata.sorted_tables
        }
        chain = session.exec(select(AuditEvent.org_id, AuditEvent.hash).order_by(col(AuditEvent.id))).all()
    tables["audit chain heads"] = sorted({org: head for org, head in chain}.items())  # the last event wins
    return tables


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def run_in_process(args: list[str]) -> Outcome:
    """`balise ARGS` in this process, stdin empty (a prompt reads end of file), output captured."""
    with CliRunner().isolation(input="") as (stdout, stderr, _):
        code = main(args)
        sys.stdout.flush()  # `print` (JSON output) writes through a buffer that getvalue does not see
        sys.stderr.flush()
        sys_out, sys_err = stdout.getvalue(), stderr.getvalue()
    return Outcome(code, sys_out.decode("utf-8", "replace"), sys_err.decode("utf-8", "replace"))


def gate(post_id: int) -> None:
    """Queue the post's current version for the gate and let a real worker check it."""
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        enqueue_check(post_id, post.version)
    run_worker([COMPLIANCE], burst=True, with_scheduler=False)
