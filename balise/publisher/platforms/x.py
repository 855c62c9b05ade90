"""The X adapter, through tweepy's API v2 client with OAuth 1.0a user context.

X API references (docs.x.com/x-api): POST /2/tweets, DELETE /2/tweets/:id, GET /2/users/me,
GET /2/users/:id/tweets, GET /2/tweets/:id, POST /2/media/upload (media/upload-media), rate
limits (fundamentals/rate-limits). tweepy 4.17: tweepy/client.py, BaseClient.request.
"""

from __future__ import annotations

import html
import re
import unicodedata
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy
from tweepy.auth import OAuth1UserHandler

from balise.config import OrganizationAccounts, Settings
from balise.errors import NeedsPerson, Permanent, PlatformError, RetryLater
from balise.i18n import t
from balise.platforms import text_with_link
from balise.platforms.x_length import MAX_WEIGHTED_LENGTH, weighted_length
from balise.publisher.base import (
    AccountMetrics,
    CommentThread,
    CredentialReport,
    MediaFile,
    PostMetrics,
    Publication,
    RemoteComment,
    RemotePost,
)
from balise.publisher.http import (
    DEFAULT_TIMEOUT,
    PlatformSession,
    Timeout,
    network_error,
    translated,
)

PLATFORM = "x"
NAME = "X"
TWEEPY_HOST = "https://api.twitter.com"  # hardcoded in tweepy.client.BaseClient.request
MAX_TIMELINE_PAGES = 5
URL = re.compile(r"https?://\S+")
# Recent search covers the last 7 days (posts/search/introduction); an hour of margin.
SEARCH_WINDOW = timedelta(days=7) - timedelta(hours=1)


class XPlatform:
    """One X account, published to with the app's keys and the account's access token."""

    name = PLATFORM

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        access_token: str,
        access_secret: str,
        *,
        api_url: str = "https://api.x.com",
        upload_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.client = tweepy.Client(
            consumer_key=api_key,
            consumer_secret=api_secret,
            access_token=access_token,
            access_token_secret=access_secret,
        )
        # tweepy's Client makes its own requests.Session in __init__ and sends every call
        # through `self.session`: replacing it sends tweepy's fixed host to the configured one.
        self.session = PlatformSession({TWEEPY_HOST: api_url}, timeout)
        self.client.session = self.session
        self.upload_url = (upload_url or api_url).rstrip("/") + "/2/media/upload"
        self._user: tweepy.User | None = None

    @classmethod
    def from_accounts(cls, accounts: OrganizationAccounts, settings: Settings) -> XPlatform | None:
        """The organization's X account; None when it has none."""
        account = accounts.x
        if account is None:
            return None
        return cls(
            account.api_key,
            account.api_secret,
            account.access_token,
            account.access_secret,
            api_url=account.api_url,
            upload_url=account.upload_url,
            timeout=(5.0, settings.http_timeout),
        )

    def _errors(self, *, creating: bool = False, missing_ok: bool = False) -> AbstractContextManager[None]:
        """tweepy's and the network's errors as balise's; `missing_ok`: a gone post is fine."""
        return translated(
            (tweepy.HTTPException, requests.RequestException),
            lambda exc, creating: classify(exc, creating=creating),
            creating=creating,
            gone=(lambda exc: isinstance(exc, tweepy.NotFound)) if missing_ok else None,
        )

    def _account(self, *, refresh: bool = False) -> tweepy.User:
        """The authenticated account (id for the timeline, username for post addresses)."""
        if self._user is None or refresh:
            with self._errors():
                self._user = self.client.get_me(user_fields=["username", "public_metrics"]).data
        return self._user

    def publish(self, publication: Publication) -> RemotePost:
        text = _text(publication)
        # The gate counts the same text; this guards a post that skipped a newer gate.
        if (length := weighted_length(text)) > MAX_WEIGHTED_LENGTH:
            limit = MAX_WEIGHTED_LENGTH
            raise Permanent("publisher.x_too_long", platform=PLATFORM, length=length, limit=limit)
        # Asked before sending: once X has accepted the post, no further call may fail.
        user = self._account()
        media_ids = [self._upload(photo) for photo in publication.photos] or None
        with self._errors(creating=True):
            response = self.client.create_tweet(text=text, media_ids=media_ids)
        return _remote(user, str(response.data["id"]))

    def _upload(self, photo: MediaFile) -> str:
        """Upload one photo through X API v2's one-request image upload.

        tweepy 4.17 only has API v1.1's `media/upload`, which X retired in 2025 (tweepy issue
        #2217). docs.x.com/x-api/media/upload-media: POST /2/media/upload, multipart with the
        raw bytes in `media` and `media_category=tweet_image`, answers `{"data": {"id": ...}}`.
        The chunked initialize/append/finalize endpoints are for video and large files.
        Signed with tweepy's own OAuth 1.0a handler; multipart bodies are not signed.
        """
        auth = OAuth1UserHandler(
            self.client.consumer_key,
            self.client.consumer_secret,
            self.client.access_token,
            self.client.access_token_secret,
        ).apply_auth()
        with self._errors(), photo.path.open("rb") as image:
            response = self.session.post(
                self.upload_url,
                files={"media": (photo.path.name, image, photo.mime)},
                data={"media_category": "tweet_image", "media_type": photo.mime},
                auth=auth,
            )
            if not response.ok:
                raise tweepy.HTTPException(response)
            return str(response.json()["data"]["id"])

    def find(self, publication: Publication) -> RemotePost | None:
        user = self._account()
        wanted = comparable(_text(publication))
        params: dict[str, Any] = {"max_results": 100, "tweet_fields": ["created_at"]}
        if publication.not_before is not None:
            params["start_time"] = publication.not_before
        for _ in range(MAX_TIMELINE_PAGES):
            with self._errors():
                response = self.client.get_users_tweets(user.id, user_auth=True, **params)
            for tweet in response.data or []:
                if comparable(tweet.text) == wanted:
                    return _remote(user, str(tweet.id))
            next_token = response.meta.get("next_token")
            if not next_token:
                return None
            params["pagination_token"] = next_token
        # Pages left unread may hold the post: "not there" would re-post it. Say "cannot tell".
        raise RetryLater("publisher.search_incomplete", platform=PLATFORM, name=NAME, pages=MAX_TIMELINE_PAGES)

    def delete(self, remote_id: str) -> None:
        # Already deleted (by hand on X, or by an earlier attempt) is the goal reached.
        with self._errors(missing_ok=True):
            self.client.delete_tweet(remote_id)

    def account_metrics(self) -> AccountMetrics:
        metrics = self._account(refresh=True).public_metrics or {}
        # X's user `like_count` counts likes the account gave, not likes it received.
        return AccountMetrics(followers=metrics.get("followers_count"))

    def post_metrics(self, remote_id: str) -> PostMetrics:
        with self._errors():
            tweet = self.client.get_tweet(remote_id, tweet_fields=["public_metrics"], user_auth=True)
        if tweet.data is None:  # X answers 200 with an `errors` list for a deleted post
            return PostMetrics(notes=("publisher.post_gone",))
        metrics = tweet.data.public_metrics or {}
        impressions = metrics.get("impression_count")
        return PostMetrics(
            reactions=metrics.get("like_count"),
            comments=metrics.get("reply_count"),
            shares=metrics.get("retweet_count", 0) + metrics.get("quote_count", 0),
            reach=impressions,
            notes=("publisher.x_reach_is_impressions",)
            if impressions is not None
            else ("publisher.x_impressions_unavailable",),
        )

    def check_credentials(self) -> CredentialReport:
        try:
            user = self._account(refresh=True)
        except PlatformError as exc:
            return CredentialReport(platform=self.name, ok=False, problem=exc.message())
        # X tells an OAuth 1.0a token's access level in the `x-access-level` header (here of
        # get_me's answer): read, read-write or read-write-directmessages. Absent, balise
        # cannot tell and does not complain.
        response = self.session.last_response
        level = response.headers.get("x-access-level", "") if response is not None else ""
        permissions = tuple(level.split("-")) if level else ()
        missing = ("write",) if permissions and "write" not in permissions else ()
        problem = None
        if missing:
            problem = t("publisher.x_permission_missing", detail=f"x-access-level: {level}")
        return CredentialReport(
            platform=self.name,
            ok=problem is None,
            account=f"@{user.username}",
            permissions=permissions,
            missing_permissions=missing,
            expires_at=None,  # OAuth 1.0a access tokens do not expire; they can be revoked
            problem=problem,
        )

    def _comment_errors(self, *, creating: bool = False) -> AbstractContextManager[None]:
        """As `_errors`, but a reply deleted meanwhile, or one the account may not hide, is named."""

        def classify_comment(exc: Exception, creating: bool) -> PlatformError:
            if isinstance(exc, tweepy.NotFound) or (
                isinstance(exc, tweepy.Forbidden) and "deleted or not visible" in str(exc)
            ):
                return Permanent("publisher.comment_gone", platform=PLATFORM, name=NAME, detail="")
            if isinstance(exc, tweepy.Forbidden) and "hide" in str(exc):
                return Permanent("publisher.comment_cannot_hide", platform=PLATFORM, name=NAME, detail="")
            return classify(exc, creating=creating)

        return translated((tweepy.HTTPException, requests.RequestException), classify_comment, creating=creating)

    def comments(self, remote_id: str) -> CommentThread:
        """The replies of the post's conversation, through recent search (the last 7 days)."""
        user = self._account()
        params: dict[str, Any] = {
            "max_results": 100,
            "tweet_fields": ["author_id", "created_at", "conversation_id"],
            "expansions": ["author_id"],
            "user_fields": ["name", "username"],
        }
        found: list[RemoteComment] = []
        for _ in range(MAX_TIMELINE_PAGES):
            with self._errors():
                response = self.client.search_recent_tweets(f"conversation_id:{remote_id}", user_auth=True, **params)
            users = {str(u.id): u for u in response.includes.get("users", [])}
            for tweet in response.data or []:
                if str(tweet.author_id) == str(user.id):  # the account's own answers
                    continue
                author = users.get(str(tweet.author_id))
                found.append(
                    RemoteComment(
                        remote_id=str(tweet.id),
                        author=author.name if author is not None else "",
                        text=html.unescape(tweet.text),
                        written_at=tweet.created_at,
                    )
                )
            next_token = response.meta.get("next_token")
            if not next_token:
                return CommentThread(tuple(found), since=datetime.now(UTC) - SEARCH_WINDOW)
            params["next_token"] = next_token
        return CommentThread(tuple(found), complete=False)

    def hide_comment(self, remote_id: str, hidden: bool) -> None:
        with self._comment_errors():
            if hidden:
                self.client.hide_reply(remote_id)
            else:
                self.client.unhide_reply(remote_id)

    def delete_comment(self, remote_id: str) -> None:
        # X lets an account delete only its own posts: someone's reply can be hidden, not deleted.
        raise Permanent("publisher.x_cannot_delete_reply", platform=PLATFORM, name=NAME)

    def reply_comment(self, remote_id: str, text: str) -> str:
        if (length := weighted_length(text)) > MAX_WEIGHTED_LENGTH:
            limit = MAX_WEIGHTED_LENGTH
            raise Permanent("publisher.x_too_long", platform=PLATFORM, length=length, limit=limit)
        with self._comment_errors(creating=True):
            response = self.client.create_tweet(text=text, in_reply_to_tweet_id=remote_id)
        return str(response.data["id"])


ADAPTER = XPlatform  # what `publisher.registry` builds for "x"


def _text(publication: Publication) -> str:
    return text_with_link(publication.text, publication.link)


def _remote(user: tweepy.User, tweet_id: str) -> RemotePost:
    return RemotePost(tweet_id, f"https://x.com/{user.username}/status/{tweet_id}")


def comparable(text: str) -> str:
    """Text as X gives it back, for matching: X escapes &, < and > as HTML entities, shortens
    every link to a t.co address and appends one for attached photos, so links are left out."""
    text = URL.sub(" ", html.unescape(unicodedata.normalize("NFC", text)))
    return " ".join(text.split())


def classify(exc: tweepy.HTTPException | requests.RequestException, *, creating: bool) -> PlatformError:
    """The one place where an X failure becomes retry-later, needs-a-person or permanent.

    `creating` says whether the failed call could have created a post: a 5xx or a lost answer
    on such a call leaves the outcome uncertain.
    """
    if isinstance(exc, requests.RequestException):
        return network_error(exc, PLATFORM, NAME, creating=creating)
    status = exc.response.status_code
    detail = "; ".join(str(m) for m in exc.api_messages)[:300] or f"HTTP {status}"
    lowered = detail.lower()

    def make(kind: type[PlatformError], key: str, **params: Any) -> PlatformError:
        return kind(f"publisher.{key}", platform=PLATFORM, name=NAME, detail=detail, **params)

    if status == 429:
        reset = exc.response.headers.get("x-rate-limit-reset", "")  # epoch seconds
        retry_at = datetime.fromtimestamp(int(reset), UTC) if reset.isdigit() else None
        return make(RetryLater, "rate_limited", retry_at=retry_at)
    if status >= 500:
        return make(RetryLater, "server_error", uncertain=creating)
    if status == 401:
        return make(NeedsPerson, "x_credentials_rejected")
    if status == 403 and "duplicate content" in lowered:
        return make(Permanent, "duplicate")
    if status == 403 and "permission" in lowered:
        return make(NeedsPerson, "x_permission_missing")
    if status == 403:  # suspended, locked or restricted account, or app not enrolled
        return make(NeedsPerson, "x_blocked")
    return make(Permanent, "invalid_content")
