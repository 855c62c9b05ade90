"""Keys derived from BALISE_SECRET_KEY, one per purpose, so that what one signs (the audit chain,
a login session, a login code's hash) cannot pass for another."""

from __future__ import annotations

import hashlib
import hmac

from balise.config import get_settings


def derived_key(purpose: bytes) -> bytes | None:
    """The key for `purpose`; None when BALISE_SECRET_KEY is not set."""
    secret = get_settings().secret_key
    return hmac.new(secret.encode(), purpose, hashlib.sha256).digest() if secret else None
