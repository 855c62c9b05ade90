"""The sign-off link a mail carries: a token naming one post, one approver, the content hash they
were shown and an expiry, signed with BALISE_SECRET_KEY, and the address it opens.

The mail makes it, the web app reads it back (`read_token`) and checks it against the database
(`balise.web.links.open_link`); both sides of the token's format live here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

from balise.config import get_settings
from balise.errors import ConfigError
from balise.models import Member, Post, utcnow

LINK_LIFETIME = timedelta(days=7)
LINK_SALT = "balise.signoff-link"


@dataclass(frozen=True)
class Link:
    """What a valid link grants: this approver may decide on this exact version of this post."""

    post_id: int
    member_id: int
    content_hash: str
    token_id: str


class BadLink(Exception):
    """A token that is not one balise signed (`expired` False), or one past its expiry."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def require_secret() -> str:
    """BALISE_SECRET_KEY signs links and forms; `balise init` generates it."""
    secret = get_settings().secret_key
    if not secret:
        raise ConfigError("web.no_secret_key")
    return secret


def make_token(post: Post, member: Member, lifetime: timedelta = LINK_LIFETIME) -> str:
    """A new single-use link token for `member` to decide on `post` as it is now."""
    expires = int((utcnow() + lifetime).timestamp())
    payload = {"p": post.id, "m": member.id, "h": post.content_hash, "j": secrets.token_urlsafe(12), "x": expires}
    return URLSafeSerializer(require_secret(), salt=LINK_SALT).dumps(payload)


def read_token(token: str) -> Link:
    """The link's claims; a tampered or expired token is refused before the database is read."""
    try:
        data: Any = URLSafeSerializer(require_secret(), salt=LINK_SALT).loads(token)
        link = Link(int(data["p"]), int(data["m"]), str(data["h"]), str(data["j"]))
        expires = int(data["x"])
    except (BadData, KeyError, TypeError, ValueError) as exc:
        raise BadLink(expired=False) from exc
    if utcnow().timestamp() > expires:
        raise BadLink(expired=True)
    return link


def decision_url(post_id: int, token: str, action: str) -> str:
    """The address of a decision page, as people reach `balise serve` (BALISE_PUBLIC_URL)."""
    return f"{get_settings().public_url.rstrip('/')}/signature/{post_id}/{token}/{action}"
