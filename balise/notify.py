"""Telling people: approvers when a draft waits for them (and a reminder when it waits too long),
the responsible person when something needs a hand, the author when a decision is made.

Each piece of news is decided once (the `Notice` table) and always visible in `balise status`
and the audit log. When SMTP is configured, the deciding transaction also inserts one small
notice row per person (`OutboxMail`: who, which post, what kind of news and its parameters) and
nothing more: no words are put together, no template read, no mail server reached. The mail job
(`balise.mail.outbox`) does that after the commit, so a slow mail server never holds the
database, and a decision rolled back sends nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from balise.config import get_settings
from balise.errors import BaliseError
from balise.i18n import t
from balise.models import Approval, Meeting, Member, Notice, OutboxMail, Post, PostAuthor, utcnow
from balise.states import State

REMIND_AFTER = timedelta(hours=24)
# What a notice row asks the mail job to write (`balise.mail.compose`).
SIGNOFF, REMINDER, AUTHOR, ATTENTION, MEETING = "signoff", "reminder", "author", "attention", "meeting"


@dataclass(frozen=True)
class News:
    """A sentence kept as data, a message key and its parameters (a parameter may itself be
    news, such as a platform's error inside a sentence): put in words when the mail is made."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def of(cls, error: BaliseError) -> News:
        return cls(error.key, error.params)

    def as_data(self) -> dict[str, Any]:
        """What the notice row keeps (JSON)."""
        return {"key": self.key, "params": {name: _plain(value) for name, value in self.params.items()}}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> News:
        params = data.get("params", {})
        return cls(data["key"], {k: cls.from_data(v) if isinstance(v, dict) else v for k, v in params.items()})

    def words(self) -> str:
        """In the language of whoever makes the mail (`BALISE_LANG`)."""
        return t(self.key, lang=None, **{k: v.words() if isinstance(v, News) else v for k, v in self.params.items()})


def _plain(value: object) -> object:
    if isinstance(value, News):
        return value.as_data()
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def once(session: Session, post_id: int, kind: str) -> bool:
    """Claim the right to send news `kind` about a post; False if it was already sent. One
    statement: the unique (post, kind) decides, even between two workers at the same moment."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    claim = insert(Notice).values(post_id=post_id, kind=kind, created_at=utcnow()).on_conflict_do_nothing()
    return session.execute(claim.returning(col(Notice.id))).first() is not None


def _members(session: Session, org_id: int, roles: tuple[str, ...]) -> list[int]:
    query = select(Member.id).where(Member.org_id == org_id, Member.active, col(Member.role).in_(roles))
    return [member_id for member_id in session.exec(query.order_by(col(Member.id))) if member_id is not None]


def _notify(session: Session, post: Post, member_ids: list[int], kind: str, news: News | None = None) -> None:
    """One notice row per person, in the caller's transaction; none without SMTP."""
    if not get_settings().smtp_url:
        return
    assert post.id is not None
    data = news.as_data() if news is not None else {}
    for member_id in member_ids:
        session.add(OutboxMail(post_id=post.id, version=post.version, member_id=member_id, kind=kind, news=data))


def waiting_on(session: Session, post: Post) -> list[Member]:
    """Who the post still waits for: active approvers and admins, never one who wrote part of it,
    not those who already signed this exact version off."""
    signed = select(Approval.member_id).where(
        Approval.post_id == post.id, Approval.content_hash == post.content_hash, col(Approval.voided_at).is_(None)
    )
    wrote = select(PostAuthor.member_id).where(PostAuthor.post_id == post.id)
    query = select(Member).where(
        Member.org_id == post.org_id,
        Member.active,
        col(Member.role).in_(("approver", "admin")),
        Member.id != post.author_id,
        col(Member.id).not_in(signed),
        col(Member.id).not_in(wrote),
    )
    return list(session.exec(query.order_by(col(Member.id))))


def announce_awaiting_signoff(session: Session, post: Post) -> None:
    """Each approver gets the post, the gate's findings and their own approve/reject links (made
    when the mail is: personal and signed, never stored)."""
    assert post.id is not None
    if not once(session, post.id, f"awaiting_signoff-v{post.version}"):
        return
    _notify(session, post, [m.id for m in waiting_on(session, post) if m.id is not None], SIGNOFF)


def remind_waiting(session: Session, after: timedelta = REMIND_AFTER) -> int:
    """Remind approvers of drafts waiting longer than `after`: once per version and approver."""
    waiting = session.exec(
        select(Post).where(Post.state == State.AWAITING_SIGNOFF.value, Post.updated_at <= utcnow() - after)
    )
    sent = 0
    for post in list(waiting):
        assert post.id is not None
        for member in waiting_on(session, post):
            assert member.id is not None
            if once(session, post.id, f"remind-v{post.version}-m{member.id}"):
                _notify(session, post, [member.id], REMINDER)
                sent += 1
    return sent


def tell_responsible(session: Session, post: Post, kind: str, problem: News) -> None:
    """A post needs a person (token expired, outcome uncertain, late): admins hear it once."""
    assert post.id is not None
    if not once(session, post.id, kind):
        return
    who = _members(session, post.org_id, ("admin",)) or _members(session, post.org_id, ("approver",))
    _notify(session, post, who, ATTENTION, problem)


def tell_author(session: Session, post: Post, kind: str, news: News) -> None:
    assert post.id is not None
    if not once(session, post.id, kind):
        return
    author = session.get(Member, post.author_id)
    if author is not None and author.active:  # a removed member receives no more mail
        _notify(session, post, [post.author_id], AUTHOR, news)


def tell_team(session: Session, meeting: Meeting, member_ids: list[int]) -> None:
    """The team meeting's point for each member: a notice of no post, put in words when mailed."""
    if not get_settings().smtp_url:
        return
    news = News("meeting.mail_subject", {"meeting_id": meeting.id}).as_data()
    for member_id in member_ids:
        session.add(OutboxMail(post_id=None, version=0, member_id=member_id, kind=MEETING, news=news))
