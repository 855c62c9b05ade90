"""The platform names people type, and the one canonical name each stands for."""

from __future__ import annotations

from balise.errors import InvalidInput

PLATFORMS = ("facebook", "x", "sandbox")
ALIASES = {"twitter": "x"}


def canonical_platform(name: str) -> str:
    """`twitter` and `X` are `x`; an unknown name raises `InvalidInput` listing the known ones."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in PLATFORMS:
        raise InvalidInput("cli.unknown_platform", name=name, known="facebook, x (twitter), sandbox")
    return key


def canonical_platforms(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Canonical names, without repeats, in the order given."""
    seen: dict[str, None] = {}
    for name in names:
        seen[canonical_platform(name)] = None
    return tuple(seen)
