"""Getting an account's credentials from its platform, for `balise accounts connect`.

Facebook: a user token, exchanged for a long-lived one (Graph API `oauth/access_token`,
grant_type=fb_exchange_token), whose `me/accounts` lists the Pages the person manages, each with
its own Page token; a Page token obtained from a long-lived user token does not expire
(developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived).
X: the PIN-based OAuth 1.0a flow (docs.x.com/resources/fundamentals/authentication/oauth-1-0a/
pin-based-oauth) through tweepy's `OAuth1UserHandler` with the callback `oob`.

Nothing here prints or logs a token: errors carry the platform's message or an exception's
class name only (requests puts URLs, with their query, in its messages).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import facebook
import requests
import tweepy
from tweepy.auth import OAuth1UserHandler

from balise.errors import ConfigError, InvalidInput
from balise.publisher.http import DEFAULT_TIMEOUT, Timeout
from balise.publisher.platforms.facebook import TOKEN_CODES, TOKEN_EXPIRED_SUBCODE, GraphSession

APP_CODES = {1, 101}  # "Error validating client secret", "Error validating application"


@dataclass(frozen=True)
class Page:
    """A Facebook Page the person manages, and the token that publishes on it."""

    id: str
    name: str
    token: str = field(repr=False)


def facebook_pages(
    user_token: str,
    app_id: str,
    app_secret: str,
    *,
    graph_url: str,
    version: str,
    timeout: Timeout = DEFAULT_TIMEOUT,
) -> list[Page]:
    """The Pages `user_token`'s person manages, with their long-lived Page tokens."""
    session = GraphSession({facebook.FACEBOOK_GRAPH_URL: graph_url}, timeout)

    def graph(token: str) -> facebook.GraphAPI:
        api = facebook.GraphAPI(access_token=token, session=session)
        api.version = version  # facebook-sdk 3.1.0 refuses current versions in its constructor
        return api

    try:
        long_lived = graph(user_token).extend_access_token(app_id, app_secret)["access_token"]
        found = graph(long_lived).get_all_connections("me", "accounts", fields="id,name,access_token")
        # A Page comes without a token when the person's role on it may not publish: it cannot be chosen.
        return [
            Page(str(page["id"]), str(page.get("name", page["id"])), str(page["access_token"]))
            for page in found
            if page.get("access_token")
        ]
    except facebook.GraphAPIError as exc:
        raise _graph_refusal(exc) from exc
    except requests.RequestException as exc:
        raise InvalidInput("publisher.connect_network", name="Facebook", detail=type(exc).__name__) from exc


def _graph_refusal(exc: facebook.GraphAPIError) -> InvalidInput | ConfigError:
    """What the person can do about a refusal of the exchange or of the Page list."""
    error = exc.result.get("error", {}) if isinstance(exc.result, dict) else {}
    code, subcode = error.get("code"), error.get("error_subcode")
    detail = str(error.get("message") or exc)
    if code in TOKEN_CODES and subcode == TOKEN_EXPIRED_SUBCODE:
        return InvalidInput("publisher.connect_facebook_expired", detail=detail)
    if code in TOKEN_CODES:
        return InvalidInput("publisher.connect_facebook_invalid", detail=detail)
    if code in APP_CODES:
        return ConfigError("publisher.connect_facebook_app", detail=detail)
    return InvalidInput("publisher.connect_refused", name="Facebook", detail=detail)


class XPinFlow:
    """X's PIN-based authorization: `start` gives the address where the person approves balise
    and reads a PIN; `finish` trades that PIN for the account's access token and secret."""

    def __init__(self, api_key: str, api_secret: str, *, api_url: str = "https://api.x.com") -> None:
        self.handler = _Handler(api_key, api_secret, api_url)

    def start(self) -> str:
        try:
            return str(self.handler.get_authorization_url())
        except tweepy.TweepyException as exc:
            raise _x_refusal(exc, "publisher.connect_x_app") from exc

    def finish(self, pin: str) -> tuple[str, str]:
        try:
            token, secret = self.handler.get_access_token(pin.strip())
        except tweepy.TweepyException as exc:
            raise _x_refusal(exc, "publisher.connect_x_pin") from exc
        return str(token), str(secret)


class _Handler(OAuth1UserHandler):
    """tweepy's handler, sent to the configured API host (tweepy writes api.twitter.com)."""

    def __init__(self, api_key: str, api_secret: str, api_url: str) -> None:
        super().__init__(api_key, api_secret, callback="oob")
        self.api_url = api_url.rstrip("/")

    def _get_oauth_url(self, endpoint: str) -> str:
        return f"{self.api_url}/oauth/{endpoint}"


def _x_refusal(exc: tweepy.TweepyException, refused_key: str) -> InvalidInput | ConfigError:
    """tweepy wraps requests-oauthlib's `TokenRequestDenied` (the platform said no) and the
    network's errors alike, once or twice (`get_authorization_url` wraps its own wrapping); only
    the first names the person's mistake."""
    cause: object = exc
    while isinstance(cause, tweepy.TweepyException) and cause.args:
        cause = cause.args[0]
    status = getattr(cause, "status_code", None)
    if status is None:
        return InvalidInput("publisher.connect_network", name="X", detail=type(cause).__name__)
    if refused_key == "publisher.connect_x_app":
        return ConfigError(refused_key, detail=status)
    return InvalidInput(refused_key, detail=status)
