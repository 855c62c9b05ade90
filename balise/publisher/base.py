"""The one small interface every platform adapter implements.

An adapter knows one platform's API and nothing of balise's database or states: the
publisher hands it a `Publication` and records what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class MediaFile:
    """A photo already in balise's media store, stripped of location metadata."""

    path: Path
    mime: str
    sha256: str


@dataclass(frozen=True)
class Publication:
    """What to publish on one platform for one post."""

    post_id: int
    target_id: int
    text: str
    link: str | None = None
    photos: tuple[MediaFile, ...] = ()
    not_before: datetime | None = None  # reconciliation only looks at posts created after this


@dataclass(frozen=True)
class RemotePost:
    """The platform's own id of a published post, and its public address."""

    remote_id: str
    url: str


@dataclass(frozen=True)
class CredentialReport:
    """What `balise accounts check` prints for one platform."""

    platform: str
    ok: bool
    account: str | None = None
    permissions: tuple[str, ...] = ()
    missing_permissions: tuple[str, ...] = ()
    expires_at: datetime | None = None
    problem: str | None = None


@dataclass(frozen=True)
class AccountMetrics:
    """Audience of the account at one moment (likes and followers for the annual report)."""

    followers: int | None = None
    likes: int | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PostMetrics:
    """Engagement of one published post; None where the platform does not give it."""

    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    reach: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RemoteComment:
    """A comment or reply someone wrote under one of the account's posts."""

    remote_id: str
    author: str  # the public name the platform shows; "" when it gives none
    text: str
    written_at: datetime
    hidden: bool = False


@dataclass(frozen=True)
class CommentThread:
    """Every comment the platform gave for one post. A comment missing from it was deleted, unless
    pages were left unread (`complete` False) or it is older than what the platform searches."""

    comments: tuple[RemoteComment, ...]
    complete: bool = True
    since: datetime | None = None  # the platform only answers for comments written after this


class Platform(Protocol):
    """One social network. Errors are raised as `RetryLater`, `NeedsPerson` or `Permanent`."""

    name: str

    def publish(self, publication: Publication) -> RemotePost: ...

    def find(self, publication: Publication) -> RemotePost | None:
        """Look for a post already made for `publication` (after a crash or a timeout)."""
        ...

    def delete(self, remote_id: str) -> None: ...

    def account_metrics(self) -> AccountMetrics: ...

    def post_metrics(self, remote_id: str) -> PostMetrics: ...

    def check_credentials(self) -> CredentialReport: ...

    def comments(self, remote_id: str) -> CommentThread:
        """The comments and replies under the post `remote_id`, the account's own left out."""
        ...

    def hide_comment(self, remote_id: str, hidden: bool) -> None:
        """Hide (reversibly) or show again; `Permanent` `publisher.comment_gone` if deleted."""
        ...

    def delete_comment(self, remote_id: str) -> None:
        """Delete someone's comment; already gone is the goal reached."""
        ...

    def reply_comment(self, remote_id: str, text: str) -> str:
        """Answer the comment as the account, in its thread; the answer's id."""
        ...
