"""A mail ready to send: what `mail.smtp` needs, apart from what composes it (templates, the
meeting, the platforms' figures), so that sending a sign-in code imports none of that."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InlineImage:
    """A photo shown inside the mail's HTML part (`cid:` address), read from the media store."""

    cid: str
    path: Path
    mime: str
    name: str


@dataclass(frozen=True)
class Letter:
    """One mail to one person, ready for `balise.mail.smtp`."""

    to: str
    subject: str
    text: str
    html: str | None = None
    images: Sequence[InlineImage] = ()
