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


def get_platform(name: str, settings: Settings) -> Platform:
    """The adapter for `name` (`twitter` is `x`), configured from `settings`."""
    return FACTORIES[canonical_platform(name)](settings)
