"""Settings: the environment first, then the TOML file, then defaults.

Nothing else in balise reads `os.environ`, but `balise.i18n.fallback_lang` (BALISE_LANG, for `--help` and for a message
about settings that cannot be read). The names are fixed by the design (users' scripts
and the compose file rely on them), so each field lists its exact environment name.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import platformdirs
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from balise.errors import ConfigError
from balise.i18n import t
from balise.masking import mask_url_password
from balise.private import write_private

APP = "balise"


def _env(name: str) -> Any:
    # The environment name, and the same name in lower case without BALISE_ for the TOML file.
    toml_name = name.removeprefix("BALISE_").lower()
    return Field(default=None, validation_alias=AliasChoices(name, toml_name))


def config_path() -> Path:
    """Where the TOML file is: `BALISE_CONFIG`, or `balise.toml` in the user's config dir."""
    explicit = os.environ.get("BALISE_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    return Path(platformdirs.user_config_dir(APP)) / "balise.toml"


class FacebookAccount(BaseModel):
    """One Facebook Page and its long-lived Page token."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    page_id: str = Field(min_length=1)
    page_token: str = Field(min_length=1)
    graph_url: str = "https://graph.facebook.com"
    graph_version: str = "v25.0"


class XAccount(BaseModel):
    """One X account: the app's keys and the account's OAuth 1.0a access token."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_key: str = Field(min_length=1)
    api_secret: str = Field(min_length=1)
    access_token: str = Field(min_length=1)
    access_secret: str = Field(min_length=1)
    api_url: str = "https://api.x.com"
    upload_url: str | None = None


class OrganizationAccounts(BaseModel):
    """`[organizations.SLUG.facebook]` and `[organizations.SLUG.x]` of the TOML file.

    A table is complete on its own: nothing of it comes from the environment, which holds the
    default organization's accounts only."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    facebook: FacebookAccount | None = None
    x: XAccount | None = None


ACCOUNT_KINDS: dict[str, type[BaseModel]] = {"facebook": FacebookAccount, "x": XAccount}


def required_keys(platform: str) -> list[str]:
    """The keys an organization's `[organizations.SLUG.<platform>]` table must have."""
    return [key for key, field in ACCOUNT_KINDS[platform].model_fields.items() if field.is_required()]


@dataclass(frozen=True)
class AccountOwner:
    """The organization a platform call acts for: `slug` names its TOML table, `name` is for
    messages, `default` says whether the environment's accounts are its own."""

    slug: str
    name: str
    default: bool


class Settings(BaseSettings):
    """Effective settings of one run."""

    model_config = SettingsConfigDict(extra="forbid", case_sensitive=True)

    database_url: str | None = _env("BALISE_DATABASE_URL")
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL", "redis_url"))
    lang: Literal["fr", "en"] = Field(default="fr", validation_alias=AliasChoices("BALISE_LANG", "lang"))
    user: str | None = _env("BALISE_USER")
    timezone: str = Field(default="America/Toronto", validation_alias=AliasChoices("BALISE_TIMEZONE", "timezone"))
    data_dir: Path | None = _env("BALISE_DATA_DIR")
    secret_key: str | None = _env("BALISE_SECRET_KEY")
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        validation_alias=AliasChoices("BALISE_PUBLIC_URL", "public_url"),
    )
    smtp_url: str | None = _env("BALISE_SMTP_URL")
    session_file: Path | None = _env("BALISE_SESSION_FILE")  # `balise login`'s session; default below
    mail_from: str | None = _env("BALISE_MAIL_FROM")
    facebook_page_id: str | None = _env("BALISE_FACEBOOK_PAGE_ID")
    facebook_page_token: str | None = _env("BALISE_FACEBOOK_PAGE_TOKEN")
    facebook_graph_url: str = Field(
        default="https://graph.facebook.com",
        validation_alias=AliasChoices("BALISE_FACEBOOK_GRAPH_URL", "facebook_graph_url"),
    )
    facebook_graph_version: str = Field(
        default="v25.0",
        validation_alias=AliasChoices("BALISE_FACEBOOK_GRAPH_VERSION", "facebook_graph_version"),
    )
    facebook_app_id: str | None = _env("BALISE_FACEBOOK_APP_ID")  # the Meta app `accounts connect` exchanges through
    facebook_app_secret: str | None = _env("BALISE_FACEBOOK_APP_SECRET")
    x_api_key: str | None = _env("BALISE_X_API_KEY")
    x_api_secret: str | None = _env("BALISE_X_API_SECRET")
    x_access_token: str | None = _env("BALISE_X_ACCESS_TOKEN")
    x_access_secret: str | None = _env("BALISE_X_ACCESS_SECRET")
    x_api_url: str = Field(default="https://api.x.com", validation_alias=AliasChoices("BALISE_X_API_URL", "x_api_url"))
    x_upload_url: str | None = _env("BALISE_X_UPLOAD_URL")
    http_timeout: float = Field(
        default=30.0, gt=0, validation_alias=AliasChoices("BALISE_HTTP_TIMEOUT", "http_timeout")
    )  # seconds to wait for a platform's answer; past it the outcome is uncertain
    embedded_redis_idle: int = Field(
        default=1800, ge=5, validation_alias=AliasChoices("BALISE_EMBEDDED_REDIS_IDLE", "embedded_redis_idle")
    )  # seconds without any client before the embedded Redis shuts itself down (its queue is kept on disk)
    publish_lease_seconds: int = Field(
        default=300, ge=10, validation_alias=AliasChoices("BALISE_PUBLISH_LEASE_SECONDS", "publish_lease_seconds")
    )  # how long a claimed target belongs to its worker; past it, it is reconciled as abandoned
    publish_retry_max_seconds: int = Field(
        default=3600,
        ge=1,
        validation_alias=AliasChoices("BALISE_PUBLISH_RETRY_MAX_SECONDS", "publish_retry_max_seconds"),
    )  # the longest back-off between two attempts (a platform's own reset time still wins)
    organizations: dict[str, OrganizationAccounts] = Field(default_factory=dict)  # by organization slug

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from balise.timeparse import known_zone

        if known_zone(value) is None:
            raise ValueError(f"fuseau horaire inconnu : {value}")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)

    @property
    def data_path(self) -> Path:
        return (self.data_dir or Path(platformdirs.user_data_dir(APP))).expanduser()

    @property
    def session_path(self) -> Path:
        """Where `balise login` keeps this account's session: its own config dir, beside balise.toml's
        default place (not beside BALISE_CONFIG, which a server may share between accounts)."""
        return (self.session_file or Path(platformdirs.user_config_dir(APP)) / "session.json").expanduser()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_path / 'balise.db'}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def accounts(self, owner: AccountOwner) -> OrganizationAccounts:
        """`owner`'s accounts: its own TOML table first, then, for the default organization alone,
        the environment's. Another organization never gets those: it would publish under the
        default organization's name."""
        own = self.organizations.get(owner.slug, OrganizationAccounts())
        if not owner.default:
            return own
        environment = self._environment_accounts()
        merged = {p: getattr(own, p) or getattr(environment, p) for p in ACCOUNT_KINDS}
        return OrganizationAccounts.model_validate(merged)

    def has_account(self, owner: AccountOwner, platform: str) -> bool:
        """Whether `owner` can publish on `platform` as far as the settings say (the sandbox needs
        no account); read without building the adapter, so a command stays fast."""
        return platform not in ACCOUNT_KINDS or getattr(self.accounts(owner), platform) is not None

    def _environment_accounts(self) -> OrganizationAccounts:
        """The accounts `BALISE_<PLATFORM>_<KEY>` (or `<platform>_<key>` at the file's top level) give."""
        found = {}
        for platform, kind in ACCOUNT_KINDS.items():
            values = {key: getattr(self, f"{platform}_{key}") for key in kind.model_fields}
            if all(values[key] for key in required_keys(platform)):
                found[platform] = kind(**{k: v for k, v in values.items() if v is not None})
        return OrganizationAccounts.model_validate(found)


SECRETS = {
    "secret_key",
    "facebook_page_token",
    "facebook_app_secret",
    "x_api_key",
    "x_api_secret",
    "x_access_token",
    "x_access_secret",
}

ENV_NAMES = {
    name: next(a for a in field.validation_alias.choices if isinstance(a, str) and a.isupper())  # type: ignore[union-attr]
    for name, field in Settings.model_fields.items()
    if name != "organizations"
}


def account_not_configured(owner: AccountOwner, platform: str) -> ConfigError:
    """Why `owner` has no account on `platform`, and the keys (and, for the default organization,
    the environment names) that would give it one."""
    keys = required_keys(platform)
    params = {
        "org": owner.name,
        "slug": owner.slug,
        "name": t(f"platforms.{platform}"),
        "table": f"[organizations.{owner.slug}.{platform}]",
        "keys": ", ".join(keys),
        "path": config_path(),
    }
    if owner.default:
        env = ", ".join(ENV_NAMES[f"{platform}_{key}"] for key in keys)
        key = "account_not_configured_default" if owner.slug else "account_not_configured_before_init"
        return ConfigError(f"publisher.{key}", env=env, **params)
    return ConfigError("publisher.account_not_configured", **params)


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:  # a folder, or a file this account may not read
        raise ConfigError("config.toml_not_a_file", path=path, detail=exc.strerror or str(exc)) from exc
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("config.toml_unreadable", path=path, detail=str(exc)) from exc


def _check_toml_names(data: dict[str, Any], path: Path) -> None:
    known = set(Settings.model_fields) | {n.removeprefix("BALISE_").lower() for n in ENV_NAMES.values()}
    for key in data:
        if key not in known:
            raise ConfigError("config.unknown_setting", name=key, path=path)


def load_settings() -> Settings:
    """Read settings now; a mistake raises `ConfigError` naming the setting and the fix."""
    path = config_path()
    file_values = _read_toml(path)
    _check_toml_names(file_values, path)
    env_given = {n for n, env in ENV_NAMES.items() if os.environ.get(env)}
    from_file = {k: v for k, v in file_values.items() if k not in env_given}
    try:
        settings = Settings(**from_file)
    except ValidationError as exc:
        errors = exc.errors()
        # A misspelt key is also a missing one: name the misspelling, the cause.
        raise _named(next((e for e in errors if e["type"] == "extra_forbidden"), errors[0]), path) from exc
    return settings


def _named(err: ErrorDetails, path: Path) -> ConfigError:
    """A validation error as a message naming the setting: its environment name, or its dotted
    place in the file (`organizations.espace-nord.x.access_token`). Never the value: it may be a secret."""
    loc = [str(part) for part in err["loc"]] or ["?"]
    if loc[0] != "organizations":
        return ConfigError("config.invalid_value", name=ENV_NAMES.get(loc[0], loc[0]), detail=err["msg"])
    name = ".".join(loc)
    if err["type"] in ("missing", "string_too_short"):
        return ConfigError("config.account_key_missing", name=name, path=path)
    if err["type"] == "extra_forbidden":
        return ConfigError("config.unknown_setting", name=name, path=path)
    return ConfigError("config.invalid_value", name=name, detail=err["msg"])


def store_settings(values: Mapping[str, str], table: tuple[str, ...] = ()) -> Path:
    """Write `values` into `table` of the TOML file (its top level when empty), keeping the rest of
    the file and its comments. The file holds secrets, so it is rewritten 0600 whatever it was."""
    import tomlkit

    path = config_path()
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    document = tomlkit.parse(existing)
    place: Any = document
    for name in table:
        if name not in place:
            place[name] = tomlkit.table(is_super_table=name != table[-1])
        place = place[name]
    for key, value in values.items():
        place[key] = value
    write_private(path, tomlkit.dumps(document).encode("utf-8"))
    reset_settings()
    return path


def store_account(owner: AccountOwner, platform: str, values: Mapping[str, str], settings: Settings) -> Path:
    """Keep `owner`'s credentials for `platform` in the TOML file: its organization's table (with
    this installation's API addresses where they are not the defaults, since a table is complete on
    its own), or, before `balise init`, the top-level keys the environment's names mirror."""
    if not owner.slug:
        return store_settings({f"{platform}_{key}": value for key, value in values.items()})
    table = dict(values)
    for key, field in ACCOUNT_KINDS[platform].model_fields.items():
        value = getattr(settings, f"{platform}_{key}", None)
        if key not in table and not field.is_required() and value is not None and value != field.default:
            table[key] = value
    return store_settings(table, ("organizations", owner.slug, platform))


@cache
def get_settings() -> Settings:
    return load_settings()


def reset_settings() -> None:
    """Forget cached settings (tests and `balise init` change the environment or the file)."""
    get_settings.cache_clear()


@dataclass(frozen=True)
class SettingLine:
    name: str
    value: str
    source: Literal["env", "file", "default"]


def describe_settings(settings: Settings) -> list[SettingLine]:
    """Each setting, its effective value (secrets masked) and where it came from."""
    file_values = _read_toml(config_path())
    lines = []
    for field_name, env_name in ENV_NAMES.items():
        toml_name = env_name.removeprefix("BALISE_").lower()
        if os.environ.get(env_name):
            source: Literal["env", "file", "default"] = "env"
        elif toml_name in file_values or field_name in file_values:
            source = "file"
        else:
            source = "default"
        value = getattr(settings, field_name)
        if field_name == "database_url" and value is None:
            value = settings.effective_database_url
        if field_name == "data_dir" and value is None:
            value = settings.data_path
        if field_name == "session_file" and value is None:
            value = settings.session_path
        shown = "" if value is None else str(value)
        if field_name in SECRETS:
            shown = _masked(shown)
        if field_name in {"database_url", "redis_url", "smtp_url"}:
            shown = mask_url_password(shown)
        lines.append(SettingLine(env_name, shown, source))
    return lines + _organization_lines(settings)


def _organization_lines(settings: Settings) -> list[SettingLine]:
    """Each key of each organization's accounts, by its dotted place in the file; a key is secret
    where the same key of the environment is (`page_token` as BALISE_FACEBOOK_PAGE_TOKEN)."""
    lines = []
    for slug, accounts in sorted(settings.organizations.items()):
        for platform in ACCOUNT_KINDS:
            account = getattr(accounts, platform)
            if account is None:
                continue
            for key, value in account.model_dump().items():
                shown = "" if value is None else str(value)
                if f"{platform}_{key}" in SECRETS:
                    shown = _masked(shown)
                source: Literal["file", "default"] = "file" if key in account.model_fields_set else "default"
                lines.append(SettingLine(f"organizations.{slug}.{platform}.{key}", shown, source))
    return lines


def _masked(secret: str) -> str:
    if not secret:
        return ""
    return "••••••" + secret[-2:] if len(secret) > 8 else "••••••"
