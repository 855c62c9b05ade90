"""The tables. The database is the source of truth; queues carry only ids.

Times are stored in UTC (`UTCDateTime`); the zone a person entered a time in is kept beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import JSON, Column, Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (no zones) and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: balise stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _time(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True)
    name: str
    timezone: str = "America/Toronto"
    phone: str | None = None
    required_signoffs: int = 1
    policy_override: str | None = None  # an organization's own policy TOML, validated on save
    calendar_generation: int = 1  # part of the calendar's secret address: +1 makes the old one stop working
    # Guarded CLI commands act as the logged-in member only; None: yes when BALISE_SMTP_URL is set.
    require_login: bool | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Member(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("org_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    name: str
    email: str
    role: str  # author | approver | admin
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Post(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_post_state_scheduled", "state", "scheduled_at"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    author_id: int = Field(foreign_key="member.id")
    text: str
    link: str | None = None
    topic: str | None = None
    state: str = Field(default="pending_check")
    scheduled_at: datetime = Field(sa_type=UTCDateTime)
    entered_timezone: str = "America/Toronto"
    content_hash: str
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = _time()


class PostCount(SQLModel, table=True):
    """How many posts of an organization are in each state, kept by `states` in the same
    transaction as each change, so `balise status` reads a few rows instead of counting them all."""

    org_id: int = Field(foreign_key="organization.id", primary_key=True)
    state: str = Field(primary_key=True)
    count: int = 0


class Target(SQLModel, table=True):
    """One post on one platform, with its own state, lease and retry schedule."""

    __table_args__ = (
        sa.UniqueConstraint("post_id", "platform"),
        sa.Index("ix_target_due", "state", "due_at"),
        sa.Index("ix_target_state_updated", "state", "updated_at"),  # status: failed recently
    )
    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    platform: str
    state: str = "pending"  # pending | publishing | published | failed | deleted
    due_at: datetime = Field(sa_type=UTCDateTime)
    remote_id: str | None = None
    url: str | None = None
    attempts: int = 0
    last_error: str | None = None
    error_kind: str | None = None  # retry_later | needs_person | permanent | uncertain
    lease_until: datetime | None = _time()
    claimed_by: str | None = None
    needs_reconcile: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Photo(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    position: int = 0
    sha256: str
    stored_path: str
    original_name: str
    mime: str


class Person(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("org_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    name: str
    is_minor: bool = False
    guardian_name: str | None = None
    guardian_email: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PhotoPerson(SQLModel, table=True):
    photo_id: int = Field(foreign_key="photo.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)


class Consent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    platforms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    given_by: str  # "self" or "guardian"
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    valid_until: datetime | None = _time()
    revoked_at: datetime | None = _time()
    revoke_reason: str | None = None
    evidence_sha256: str | None = None


class PostAuthor(SQLModel, table=True):
    """A member who wrote part of a post (its creator, and whoever edited its content since):
    none of them may sign it off."""

    post_id: int = Field(foreign_key="post.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)


class Approval(SQLModel, table=True):
    """A sign-off covers one exact content hash; an edit voids it."""

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    content_hash: str
    channel: str  # cli | email | demo
    comment: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    voided_at: datetime | None = _time()


class ComplianceResult(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    content_hash: str
    policy_version: str
    verdict: str
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GateExample(SQLModel, table=True):
    """A person's decision on the gate's verdict (an override, a refusal at sign-off), kept as a
    labelled draft of the organization: its own test case, and training data if it chooses."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    post_id: int = Field(foreign_key="post.id")
    text: str
    platforms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    gate_verdict: str
    expected: str
    codes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    decision: str  # override | refusal
    decided_by: str
    reason: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditEvent(SQLModel, table=True):
    """An append-only, hash-chained log (per organization) of everything that changed a post."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    post_id: int | None = Field(default=None, index=True)
    actor: str
    channel: str  # cli | email | worker | cron | demo | system
    action: str
    from_state: str | None = None
    to_state: str | None = None
    reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    prev_hash: str = ""
    hash: str = ""


class Heartbeat(SQLModel, table=True):
    """When `publish-due` and each worker last showed signs of life."""

    name: str = Field(primary_key=True)
    kind: str  # cron | worker
    last_seen: datetime = Field(sa_type=UTCDateTime)
    detail: str | None = None


class Notice(SQLModel, table=True):
    """A notification already sent, so the same news is sent once, not every minute."""

    __table_args__ = (sa.UniqueConstraint("post_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id")
    kind: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OutboxMail(SQLModel, table=True):
    """A notice waiting to be mailed: who, about which post, what kind of news and its parameters.
    Inserted by the deciding transaction (`balise.notify`); the mail job (`balise.mail.outbox`)
    puts it in words and sends it after the commit, at most once.

    States: pending (waiting, or retrying at `send_after`) -> sending (handed to the mail server
    now) -> sent; dropped (no longer needed, or its address refused); uncertain (the hand-over was
    cut: the server may have the mail, so it is never sent again)."""

    id: int | None = Field(default=None, primary_key=True)
    post_id: int | None = Field(default=None, foreign_key="post.id")  # None: news of no post (a meeting)
    version: int  # the post's version the news is about; a sign-off request for an older one is dropped
    member_id: int = Field(foreign_key="member.id")
    kind: str  # signoff | reminder | author | attention | meeting (`balise.notify`)
    news: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # `notify.News`
    state: str = Field(default="pending", index=True)
    attempts: int = 0  # claims so far; a claim's number is its token
    last_error: str | None = None
    claimed_until: datetime | None = _time()
    send_after: datetime | None = _time()  # the next try after a failure
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = _time()


class UsedToken(SQLModel, table=True):
    """An emailed sign-off link already used for a decision: a link decides once."""

    token_id: str = Field(primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    used_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LoginCode(SQLModel, table=True):
    """A single-use code mailed by `balise login`: only its keyed hash is kept, it expires within
    minutes and allows a few attempts, so neither the database nor guessing gives a session."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    code_hash: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = _time()
    attempts: int = 0


class SignInLink(SQLModel, table=True):
    """A web sign-in link asked for on the sign-in page: the single-use store of its token (`used_at`)
    and the record the limits count, per email and per address, including asks for unknown emails."""

    id: int | None = Field(default=None, primary_key=True)
    token_id: str | None = Field(default=None, unique=True)  # None: no active member has this email
    member_id: int | None = Field(default=None, foreign_key="member.id")
    email: str = Field(index=True)  # as typed, lowercased
    address: str = Field(index=True)  # the asking browser's IP address
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    used_at: datetime | None = _time()


class WebSession(SQLModel, table=True):
    """A signed-in browser: its cookie carries `id`, signed; ending the row signs it out everywhere
    the cookie went, and inactivity (`last_seen`) ends it too."""

    id: str = Field(primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = _time()


class AccountSnapshot(SQLModel, table=True):
    """An account's audience at one moment; kept for years (annual reports), never pruned."""

    __table_args__ = (sa.Index("ix_accountsnapshot_org_taken", "org_id", "taken_at"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id")
    platform: str
    taken_at: datetime = Field(sa_type=UTCDateTime)
    followers: int | None = None
    likes: int | None = None  # Facebook Page likes; X gives none for an account
    notes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # message keys


class PostSnapshot(SQLModel, table=True):
    """One published post's engagement on one platform at one moment; None where not given."""

    __table_args__ = (
        sa.Index("ix_postsnapshot_target_taken", "target_id", "taken_at"),
        sa.Index("ix_postsnapshot_org_taken", "org_id", "taken_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id")
    post_id: int = Field(foreign_key="post.id")
    target_id: int = Field(foreign_key="target.id")
    platform: str
    remote_id: str
    taken_at: datetime = Field(sa_type=UTCDateTime)
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    reach: int | None = None
    notes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Comment(SQLModel, table=True):
    """A comment or reply under one of the organization's published posts, fetched from its
    platform, triaged once, then acted on by a person (`balise.comments`).

    States: new -> replied | hidden | deleted | done; hidden -> done (shown again). `answered_at`
    is the first time a person acted: the response time the activity report and the meeting show.
    """

    __table_args__ = (
        sa.UniqueConstraint("org_id", "platform", "remote_id"),
        sa.Index("ix_comment_org_state", "org_id", "state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id")
    post_id: int = Field(foreign_key="post.id", index=True)
    target_id: int = Field(foreign_key="target.id")
    platform: str
    remote_id: str
    author: str
    text: str
    written_at: datetime = Field(sa_type=UTCDateTime)
    fetched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    category: str  # balise.comments.triage.CATEGORIES
    urgent: bool = False
    clause: str = ""
    proposed: str = "none"  # reply | hide | none: what the triage proposes
    evidence: str = ""
    state: str = "new"  # new | replied | hidden | deleted | done
    hidden_on_platform: bool = False
    gone_at: datetime | None = _time()  # seen deleted on the platform
    answered_at: datetime | None = _time()
    reply_remote_id: str | None = None


class CommentFetch(SQLModel, table=True):
    """When an organization's comments were last read on one platform, and when the platform
    allows the next read (its rate limit's reset): the periodic fetch waits for it."""

    org_id: int = Field(foreign_key="organization.id", primary_key=True)
    platform: str = Field(primary_key=True)
    last_at: datetime | None = _time()
    not_before: datetime | None = _time()


class Meeting(SQLModel, table=True):
    """A team meeting's « point médias sociaux », once produced (`balise meeting`): the next one
    starts where this one ended."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    since: datetime = Field(sa_type=UTCDateTime)
    held_at: datetime = Field(sa_type=UTCDateTime)
