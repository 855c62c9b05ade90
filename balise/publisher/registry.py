"""Platform adapters by name: the platforms of `balise.platforms.PLATFORMS`, each built by its
module `balise/publisher/platforms/<name>.py` (its `ADAPTER`). Adding a platform is one entry
there and that module: nothing to list here."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from balise.config import AccountOwner, OrganizationAccounts, Settings, account_not_configured
from balise.platforms import PLATFORMS, canonical_platform
from balise.publisher import platforms
from balise.publisher.base import Platform

# An organization's accounts and the settings in, its adapter out; None: no account on that platform.
Factory = Callable[[OrganizationAccounts, Settings], Platform | None]


def _factory(name: str) -> Factory:
    """The adapter module is named after its platform: one place lists the platforms."""
    module = importlib.import_module(f"{platforms.__name__}.{name}")
    factory: Factory = module.ADAPTER.from_accounts
    return factory


FACTORIES: dict[str, Factory] = {name: _factory(name) for name in PLATFORMS}


_made: dict[tuple[AccountOwner, str], tuple[Settings, Platform]] = {}


def get_platform(organization: AccountOwner, name: str, settings: Settings) -> Platform:
    """The adapter for `name` (`twitter` is `x`) on `organization`'s own account.

    An organization with no account there gets a `ConfigError` saying which keys to add, never
    another organization's account. Kept for the next call with the same organization and
    settings: a worker's jobs then share its HTTP connections and what it learned of the account
    (X's username, asked once, not per post)."""
    name = canonical_platform(name)
    made = _made.get((organization, name))
    if made is None or made[0] is not settings:
        adapter = FACTORIES[name](settings.accounts(organization), settings)
        if adapter is None:
            raise account_not_configured(organization, name)
        made = _made[(organization, name)] = (settings, adapter)
    return made[1]
