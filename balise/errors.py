"""The error hierarchy: every error a person can cause or fix carries a translated message.

The CLI turns a `BaliseError` into its message and exit code; any other exception is a bug.
"""

from __future__ import annotations

from datetime import datetime

from balise.i18n import t


class BaliseError(Exception):
    """Root of balise's errors; `key` names a message in `balise/i18n`."""

    exit_code = 1

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, lang: str | None = None) -> str:
        return t(self.key, lang=lang, **self.params)

    def __str__(self) -> str:
        return self.message()


class InvalidInput(BaliseError):
    """Something the user typed or gave is wrong; nothing was written."""

    exit_code = 2


class NotFound(InvalidInput):
    """An id or a name that does not exist."""


class ConfigError(BaliseError):
    """A setting is missing, malformed or unusable."""

    exit_code = 3


class PermissionDenied(BaliseError):
    """The acting member may not do this (role, or author approving their own post)."""

    exit_code = 4


class PolicyError(BaliseError):
    """The compliance policy file (ROEQ's or an organization's override) is invalid."""

    exit_code = 2


class TransitionRefused(BaliseError):
    """The post is not in a state that allows this action."""

    exit_code = 5


class PlatformError(BaliseError):
    """A platform refused or failed a call; subclasses say what to do next."""

    def __init__(self, key: str, *, platform: str, detail: str = "", **params: object) -> None:
        super().__init__(key, platform=platform, detail=detail, **params)
        self.platform = platform
        self.detail = detail


class RetryLater(PlatformError):
    """Transient: rate limit, 5xx, network. `uncertain` means the post may have gone out."""

    def __init__(
        self,
        key: str,
        *,
        platform: str,
        detail: str = "",
        retry_at: datetime | None = None,
        uncertain: bool = False,
        **params: object,
    ) -> None:
        super().__init__(key, platform=platform, detail=detail, **params)
        self.retry_at = retry_at
        self.uncertain = uncertain


class NeedsPerson(PlatformError):
    """Expired or revoked token, missing permission, account blocked: a person must act."""


class Permanent(PlatformError):
    """Duplicate or invalid content: retrying would never succeed."""
