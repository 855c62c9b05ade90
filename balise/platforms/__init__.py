"""The platforms balise publishes to, as facts the gate and the adapters both read.

One entry per platform in `PLATFORMS`: its name, the names people may type for it, its limits,
whether its link goes out inside the text. Adding a platform is one entry here plus its adapter,
`balise/publisher/platforms/<name>.py`. This package imports nothing of the gate, the publisher,
the database, the queue, the web or the CLI (`tests/test_import_layers.py`), so both sides can
share it without reaching into each other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from balise.errors import InvalidInput
from balise.platforms.x_length import MAX_WEIGHTED_LENGTH


@dataclass(frozen=True)
class Limits:
    """What one post may carry on a platform; None where the platform sets no such limit."""

    max_chars: int | None = None  # characters as Python counts them
    weighted_max: int | None = None  # X's count (`x_length.weighted_length`)
    photo_max_bytes: int | None = None  # balise shrinks a heavier photo before sending it
    photo_max_side: int | None = None  # in pixels, the longer side

    def table(self) -> dict[str, int]:
        """The limits set, as a policy's `[limits.<platform>]` table writes them."""
        return {key: value for key, value in asdict(self).items() if value is not None}


LIMIT_KEYS = tuple(f.name for f in fields(Limits))


@dataclass(frozen=True)
class PlatformFacts:
    """One platform, apart from how to talk to it (that is its adapter's business)."""

    name: str  # canonical: stored in targets and consents, typed on the command line
    aliases: tuple[str, ...] = ()  # other names people type for it
    limits: Limits = field(default_factory=Limits)
    link_in_text: bool = False  # the link is sent inside the text, and counts in its length
    public: bool = True  # someone reads it (the sandbox: nobody); `balise check` checks these by default
    colour: str = "#8e8e8e"  # its curves on the annual report's charts


PLATFORMS: dict[str, PlatformFacts] = {
    facts.name: facts
    for facts in (
        PlatformFacts(
            "facebook",
            # A post's message: 63,206 characters. A Page's photo: 4 MB at most
            # (developers.facebook.com/docs/graph-api/reference/page/photos).
            limits=Limits(max_chars=63206, photo_max_bytes=4 * 1024 * 1024, photo_max_side=2048),
            colour="#1565c0",
        ),
        PlatformFacts(
            "x",
            aliases=("twitter",),
            # 280 weighted characters; a photo: 5 MB at most (docs.x.com, media/upload).
            limits=Limits(weighted_max=MAX_WEIGHTED_LENGTH, photo_max_bytes=5 * 1024 * 1024, photo_max_side=4096),
            link_in_text=True,
            colour="#212121",
        ),
        PlatformFacts("sandbox", public=False),
    )
}
ALIASES = {alias: facts.name for facts in PLATFORMS.values() for alias in facts.aliases}
PUBLIC = tuple(name for name, facts in PLATFORMS.items() if facts.public)
# How the names are listed to people: "facebook, x (twitter), sandbox".
SPELLED = ", ".join(name + (f" ({', '.join(f.aliases)})" if f.aliases else "") for name, f in PLATFORMS.items())


def canonical_platform(name: str) -> str:
    """`twitter` and `X` are `x`; an unknown name raises `InvalidInput` listing the known ones."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in PLATFORMS:
        raise InvalidInput("cli.unknown_platform", name=name, known=SPELLED)
    return key


def canonical_platforms(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Canonical names, without repeats, in the order given."""
    seen: dict[str, None] = {}
    for name in names:
        seen[canonical_platform(name)] = None
    return tuple(seen)


def text_with_link(text: str, link: str | None) -> str:
    """The text as it goes out where the link is part of it (X): what the gate must count."""
    if link and link not in text:
        return f"{text}\n\n{link}"
    return text
