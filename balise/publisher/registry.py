"""Platform adapters by name: adding a platform is one module and one line here."""

from __future__ import annotations

from collections.abc import Callable

from balise.config import Settings
from balise.platform_names import canonical_platform
from balise.publisher.base import Platform
from balise.publisher.platforms import facebook, sandbox, x

Factory = Callable[[Settings], Platform]

FACTORIES: dict[str, Factory] = {
    "sandbox": sandbox.SandboxPlatform.from_settings,
    "facebook": facebook.FacebookPlatform.from_settings,
    "x": x.XPlatform.from_settings,
}


_made: dict[str, tuple[Settings, Platform]] = {}


def get_platform(name: str, settings: Settings) -> Platform:
    """The adapter for `name` (`twitter` is `x`), configured from `settings`.

    Kept for the next call with the same settings: a worker's jobs then share its HTTP
    connections and what it learned of the account (X's username, asked once, not per post)."""
    name = canonical_platform(name)
    made = _made.get(name)
    if made is None or made[0] is not settings:
        made = _made[name] = (settings, FACTORIES[name](settings))
    return made[1]
