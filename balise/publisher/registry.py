"""Platform adapters by name: adding a platform is one module and one line here."""

from __future__ import annotations

from collections.abc import Callable

from balise.config import ENV_NAMES, AccountOwner, OrganizationAccounts, Settings, config_path, required_keys
from balise.errors import ConfigError
from balise.i18n import t
from balise.platform_names import canonical_platform
from balise.publisher.base import Platform
from balise.publisher.platforms import facebook, sandbox, x

# An organization's accounts and the settings in, its adapter out; None: no account on that platform.
Factory = Callable[[OrganizationAccounts, Settings], Platform | None]

FACTORIES: dict[str, Factory] = {
    "sandbox": sandbox.SandboxPlatform.from_accounts,
    "facebook": facebook.FacebookPlatform.from_accounts,
    "x": x.XPlatform.from_accounts,
}


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
            raise _not_configured(organization, name)
        made = _made[(organization, name)] = (settings, adapter)
    return made[1]


def _not_configured(organization: AccountOwner, platform: str) -> ConfigError:
    keys = required_keys(platform)
    params = {
        "org": organization.name,
        "slug": organization.slug,
        "name": t(f"platforms.{platform}"),
        "table": f"[organizations.{organization.slug}.{platform}]",
        "keys": ", ".join(keys),
        "path": config_path(),
    }
    if organization.default:
        env = ", ".join(ENV_NAMES[f"{platform}_{key}"] for key in keys)
        return ConfigError("publisher.account_not_configured_default", env=env, **params)
    return ConfigError("publisher.account_not_configured", **params)
