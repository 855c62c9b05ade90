"""The platforms balise publishes to, as facts the gate and the adapters both read.

One entry per platform in `PLATFORMS`: its name, the names people may type for it, whether its
link goes out inside the text. This package imports nothing of the gate, the publisher, the
database, the queue, the web or the CLI, so both sides can share it without reaching into each
other.
"""

from __future__ import annotations

from dataclasses import dataclass

from balise.errors import InvalidInput


@dataclass(frozen=True)
class PlatformFacts:
    """One platform, apart from how to talk to it (that is its adapter's business)."""

    name: str  # canonical: stored in targets and consents, typed on the command line
    aliases: tuple[str, ...] = ()  # other names people type for it
    link_in_text: bool = False  # the link is sent inside the text, and counts in its length


PLATFORMS: dict[str, PlatformFacts] = {
    facts.name: facts
    for facts in (
        PlatformFacts("facebook"),
        PlatformFacts("x", aliases=("twitter",), link_in_text=True),
        PlatformFacts("sandbox"),
    )
}
ALIASES = {alias: facts.name for facts in PLATFORMS.values() for alias in facts.aliases}
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
