"""pytest fixtures for the fake platforms, and the real adapters pointed at them.

Wire them into a conftest.py with: `from tests.fakes.fixtures import *  # noqa: F403`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from balise.publisher.base import Platform
from balise.publisher.platforms.facebook import FacebookPlatform
from balise.publisher.platforms.x import XPlatform
from tests.fakes import facebook_server as fb
from tests.fakes import x_server as xs
from tests.fakes.base import FakePlatform
from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.x_server import FakeX

__all__ = ["fake_facebook", "fake_x", "fake_platform", "FakeAccount"]

# Short client timeouts, so a "timeout" failure costs a second, not thirty.
CLIENT_TIMEOUT = (2.0, 1.0)
STALL_SECONDS = 2.5
# Credentials by what they do: "valid", "expired" (expired or revoked), "limited" (may not post).
FACEBOOK_TOKENS = {
    "valid": fb.VALID_TOKEN,
    "expired": fb.EXPIRED_TOKEN,
    "limited": fb.LIMITED_TOKEN,
}
X_TOKENS = {
    "valid": (xs.VALID_TOKEN, xs.VALID_SECRET),
    "expired": (xs.REVOKED_TOKEN, xs.REVOKED_SECRET),
    "limited": (xs.READ_ONLY_TOKEN, xs.READ_ONLY_SECRET),
}


@dataclass
class FakeAccount:
    """A fake platform and how to reach it: as an adapter, or as balise's settings."""

    name: str
    server: FakePlatform

    def adapter(self, credentials: str = "valid", *, url: str | None = None) -> Platform:
        """balise's real adapter for this platform, talking to the fake server (or to `url`)."""
        url = url or self.server.url
        if isinstance(self.server, FakeFacebook):
            return FacebookPlatform(
                self.server.page_id,
                FACEBOOK_TOKENS[credentials],
                graph_url=url,
                version="v25.0",
                timeout=CLIENT_TIMEOUT,
            )
        token, secret = X_TOKENS[credentials]
        return XPlatform(xs.CONSUMER_KEY, xs.CONSUMER_SECRET, token, secret, api_url=url, timeout=CLIENT_TIMEOUT)

    def env(self, credentials: str = "valid") -> dict[str, str]:
        """The environment that configures balise for this account."""
        if isinstance(self.server, FakeFacebook):
            return {
                "BALISE_FACEBOOK_GRAPH_URL": self.server.url,
                "BALISE_FACEBOOK_GRAPH_VERSION": "v25.0",
                "BALISE_FACEBOOK_PAGE_ID": self.server.page_id,
                "BALISE_FACEBOOK_PAGE_TOKEN": FACEBOOK_TOKENS[credentials],
            }
        token, secret = X_TOKENS[credentials]
        return {
            "BALISE_X_API_URL": self.server.url,
            "BALISE_X_API_KEY": xs.CONSUMER_KEY,
            "BALISE_X_API_SECRET": xs.CONSUMER_SECRET,
            "BALISE_X_ACCESS_TOKEN": token,
            "BALISE_X_ACCESS_SECRET": secret,
        }


@pytest.fixture
def fake_facebook() -> Iterator[FakeFacebook]:
    with FakeFacebook(stall_seconds=STALL_SECONDS) as server:
        yield server


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    with FakeX(stall_seconds=STALL_SECONDS) as server:
        yield server


@pytest.fixture(params=["facebook", "x"])
def fake_platform(request: pytest.FixtureRequest) -> FakeAccount:
    """Each fake platform in turn, for behaviour both adapters must share."""
    name = str(request.param)
    return FakeAccount(name, request.getfixturevalue(f"fake_{name}"))
