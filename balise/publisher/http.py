"""The HTTP session both platform libraries use, and what a network failure means for a post.

facebook-sdk and tweepy build their URLs from fixed hosts (`https://graph.facebook.com/`,
`https://api.twitter.com`). Both send every call through a `requests.Session` they accept or
expose, so a subclass of it sends the fixed host to the configured base URL (a fake platform
in tests, a proxy in production), without patching either library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError

from balise.errors import PlatformError, RetryLater

# (connect, read) seconds. tweepy's Client passes no timeout at all, so without this default a
# stalled platform would hold a worker forever.
DEFAULT_TIMEOUT = (5.0, 30.0)
Timeout = float | tuple[float, float]


class PlatformSession(requests.Session):
    """A session that rewrites fixed hosts, applies a default timeout and keeps the last response.

    The last response is kept because facebook-sdk raises its errors without the HTTP status
    or headers, and the rate-limit reset time is only in the headers. An adapter owns its
    session; do not share one between threads.
    """

    def __init__(self, hosts: Mapping[str, str], timeout: Timeout = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.hosts = {fixed.rstrip("/"): base.rstrip("/") for fixed, base in hosts.items()}
        self.timeout = timeout
        self.last_response: requests.Response | None = None

    def rewrite(self, url: str) -> str:
        for fixed, base in self.hosts.items():
            if url == fixed or url.startswith(fixed + "/"):
                return base + url[len(fixed) :]
        return url

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        # Rewrite before `super().request` prepares the request: OAuth 1.0a signs the URL
        # actually sent (tweepy's auth is applied while preparing).
        if isinstance(url, bytes):
            url = url.decode()
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        self.last_response = None
        response = super().request(method, self.rewrite(url), *args, **kwargs)
        self.last_response = response
        return response


@contextmanager
def translated(
    catch: tuple[type[Exception], ...],
    classify: Callable[[Any, bool], PlatformError],
    *,
    creating: bool,
    gone: Callable[[Exception], bool] | None = None,
) -> Iterator[None]:
    """Raise `classify(exc, creating)` for a library's or the network's exception `catch`es.

    `gone` says whether the exception means the object is already gone (fine for a delete).
    """
    try:
        yield
    except catch as exc:
        if gone is not None and gone(exc):
            return
        raise classify(exc, creating) from exc


def may_have_been_received(exc: requests.RequestException) -> bool:
    """False only when the request certainly never reached the platform (no connection made)."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return False
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
        # NewConnectionError (refused, DNS failure) is a ConnectTimeoutError in urllib3 2.
        return not isinstance(reason, ConnectTimeoutError)
    return True  # read timeout, connection reset or truncated answer after sending


def network_error(exc: requests.RequestException, platform: str, name: str, *, creating: bool) -> RetryLater:
    """A network failure: retry later; uncertain if a create call may have reached the platform.

    The detail is the exception's class name only: requests puts the URL in its messages.
    """
    uncertain = creating and may_have_been_received(exc)
    key = "publisher.network_uncertain" if uncertain else "publisher.network_down"
    detail = type(exc).__name__
    return RetryLater(key, platform=platform, name=name, detail=detail, uncertain=uncertain)
