"""The Facebook Page adapter, through facebook-sdk and the Graph API.

Graph API references: Page feed and photos (developers.facebook.com/docs/pages-api/posts,
/docs/graph-api/reference/page/photos), error codes (/docs/graph-api/guides/error-handling),
rate limits (/docs/graph-api/overview/rate-limiting), access tokens
(/docs/facebook-login/guides/access-tokens/debugging).
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import facebook
import requests

from balise.config import OrganizationAccounts, Settings
from balise.errors import NeedsPerson, Permanent, PlatformError, RetryLater
from balise.i18n import t
from balise.platforms import text_with_link
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

PLATFORM = "facebook"
NAME = "Facebook"
NEEDED_PERMISSIONS = ("pages_manage_posts", "pages_read_engagement", "pages_show_list")
# `post_impressions_unique` was removed from Page Insights in 2025; this is its replacement
# (docs/platforminsights/page/deprecated-metrics). Reading it needs `read_insights`.
REACH_METRIC = "post_total_media_view_unique"
FEED_FIELDS = "id,message,created_time,permalink_url"
MAX_FEED_PAGES = 10
# `from` is given to the Page for comments on its own posts (graph-api/reference/comment).
COMMENT_FIELDS = "id,from,message,created_time,is_hidden,can_hide,parent"
MAX_COMMENT_PAGES = 20
GRAPH_TIME = "%Y-%m-%dT%H:%M:%S%z"

# Graph API error codes (guides/error-handling, overview/rate-limiting):
RATE_LIMIT_CODES = {4, 17, 32, 613, 80001}  # app, user, Page, call-type, Page business use case
TRANSIENT_CODES = {1, 2}  # unknown error, service temporarily unavailable
TOKEN_CODES = {102, 190}  # session key invalid, access token invalid or expired
TOKEN_EXPIRED_SUBCODE = 463
POLICY_BLOCK_CODES = {368}  # temporarily blocked for policy violations
DUPLICATE_CODES = {506}  # duplicate post
MISSING_OBJECT_SUBCODE = 33  # code 100: the object does not exist (or cannot be loaded)
USAGE_HEADERS = ("x-business-use-case-usage", "x-page-usage", "x-app-usage")


class GraphSession(PlatformSession):
    """Moves the access token out of URLs and form bodies into the Authorization header.

    facebook-sdk puts the token in the query string, where requests repeats it in its
    exception messages and urllib3 in its debug log. The Graph API accepts an OAuth 2.0
    bearer token in the header too (RFC 6750, section 2.1).
    """

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        for field in ("params", "data"):
            values = kwargs.get(field)
            if isinstance(values, dict) and "access_token" in values:
                values = dict(values)
                token = values.pop("access_token")
                kwargs[field] = values
                headers = kwargs.get("headers") or {}
                kwargs["headers"] = {**headers, "Authorization": f"Bearer {token}"}
        return super().request(method, url, *args, **kwargs)


class FacebookPlatform:
    """One Facebook Page, published to with its long-lived Page access token."""

    name = PLATFORM

    def __init__(
        self,
        page_id: str,
        token: str,
        *,
        graph_url: str = "https://graph.facebook.com",
        version: str = "v25.0",
        timeout: Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.page_id = page_id
        self.session = GraphSession({facebook.FACEBOOK_GRAPH_URL: graph_url}, timeout)
        self.graph = facebook.GraphAPI(access_token=token, session=self.session)
        # facebook-sdk 3.1.0 refuses any version above 3.1 in its constructor, and Meta turned
        # those off in 2020. The SDK only uses `version` as the first path segment, so the
        # configured (current) version is set after construction.
        self.graph.version = version

    @classmethod
    def from_accounts(cls, accounts: OrganizationAccounts, settings: Settings) -> FacebookPlatform | None:
        """The organization's Page; None when it has none."""
        account = accounts.facebook
        if account is None:
            return None
        return cls(
            account.page_id,
            account.page_token,
            graph_url=account.graph_url,
            version=account.graph_version,
            timeout=(5.0, settings.http_timeout),
        )

    def _errors(self, *, creating: bool = False, missing_ok: bool = False) -> AbstractContextManager[None]:
        """facebook-sdk's and the network's errors as balise's; `missing_ok`: gone is fine."""
        return translated(
            (facebook.GraphAPIError, requests.RequestException),
            lambda exc, creating: classify(exc, self.session.last_response, creating=creating),
            creating=creating,
            gone=_is_gone if missing_ok else None,
        )

    def publish(self, publication: Publication) -> RemotePost:
        message = _message(publication)
        photos = publication.photos
        if not photos:
            fields = {"message": message}
            if publication.link:
                fields["link"] = publication.link
            with self._errors(creating=True):
                result = self.graph.put_object(self.page_id, "feed", **fields)
            return _remote(result["id"])
        if len(photos) == 1:
            with self._errors(creating=True):
                result = self._upload(photos[0], caption=message)
            return _remote(result.get("post_id") or result["id"])
        # Several photos: upload each unpublished, then one feed post attaching them all
        # (pages-api/posts, "Publish multiple photos"). Unpublished photos are not posts, so
        # a failure before the last call is certain not to have published anything.
        with self._errors():
            photo_ids = [self._upload(photo, published="false")["id"] for photo in photos]
        attached = {
            f"attached_media[{i}]": json.dumps({"media_fbid": photo_id}) for i, photo_id in enumerate(photo_ids)
        }
        with self._errors(creating=True):
            result = self.graph.put_object(self.page_id, "feed", message=message, **attached)
        return _remote(result["id"])

    def _upload(self, photo: MediaFile, **fields: str) -> dict[str, Any]:
        with photo.path.open("rb") as image:
            result: dict[str, Any] = self.graph.put_photo(
                image=(photo.path.name, image, photo.mime),
                album_path=f"{self.page_id}/photos",
                **fields,
            )
        return result

    def find(self, publication: Publication) -> RemotePost | None:
        wanted = comparable(_message(publication))
        args: dict[str, Any] = {"fields": FEED_FIELDS, "limit": 100}
        if publication.not_before is not None:
            args["since"] = int(publication.not_before.timestamp())
        for _ in range(MAX_FEED_PAGES):
            with self._errors():
                page = self.graph.get_connections(self.page_id, "feed", **args)
            for item in page.get("data", []):
                if comparable(item.get("message", "")) == wanted:
                    return RemotePost(item["id"], item.get("permalink_url") or _url(item["id"]))
            next_url = page.get("paging", {}).get("next")
            if not next_url:
                return None
            args = _next_args(next_url)
        # Pages left unread may hold the post: "not there" would re-post it. Say "cannot tell".
        raise RetryLater("publisher.search_incomplete", platform=PLATFORM, name=NAME, pages=MAX_FEED_PAGES)

    def delete(self, remote_id: str) -> None:
        # Already deleted (by hand on Facebook, or by an earlier attempt) is the goal reached.
        with self._errors(missing_ok=True):
            self.graph.delete_object(remote_id)

    def account_metrics(self) -> AccountMetrics:
        with self._errors():
            page = self.graph.get_object(self.page_id, fields="fan_count,followers_count")
        return AccountMetrics(followers=page.get("followers_count"), likes=page.get("fan_count"))

    def post_metrics(self, remote_id: str) -> PostMetrics:
        fields = "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares"
        post: dict[str, Any] = {}
        with self._errors(missing_ok=True):
            post = self.graph.get_object(remote_id, fields=fields)
        if not post:  # deleted on Facebook
            return PostMetrics(notes=("publisher.post_gone",))
        reach, notes = self._reach(remote_id)
        return PostMetrics(
            reactions=post.get("reactions", {}).get("summary", {}).get("total_count"),
            comments=post.get("comments", {}).get("summary", {}).get("total_count"),
            shares=post.get("shares", {}).get("count", 0),  # Graph omits `shares` when none
            reach=reach,
            notes=notes,
        )

    def _reach(self, remote_id: str) -> tuple[int | None, tuple[str, ...]]:
        """Reach needs `read_insights`; without it the other figures are still worth keeping."""
        try:
            with self._errors():
                data = self.graph.get_connections(remote_id, "insights", metric=REACH_METRIC)
        except (NeedsPerson, Permanent):
            return None, ("publisher.facebook_reach_unavailable",)
        for metric in data.get("data", []):
            values = metric.get("values") or [{}]
            return values[-1].get("value"), ()
        return None, ("publisher.facebook_reach_unavailable",)

    def check_credentials(self) -> CredentialReport:
        try:
            with self._errors():
                # A token may inspect itself (access-tokens/debugging); the input token is the
                # one call where it must travel in the query string.
                info = self.graph.request(
                    f"{self.graph.version}/debug_token", {"input_token": self.graph.access_token}
                )["data"]
                page = self.graph.get_object(self.page_id, fields="name")
        except PlatformError as exc:
            return CredentialReport(platform=self.name, ok=False, problem=exc.message())
        scopes = tuple(info.get("scopes") or ())
        missing = tuple(p for p in NEEDED_PERMISSIONS if p not in scopes)
        problem = None
        if not info.get("is_valid", False):
            problem = t("publisher.facebook_token_invalid", detail="debug_token: is_valid=false")
        elif info.get("type", "PAGE") != "PAGE":
            problem = t("publisher.facebook_not_page_token", type=info.get("type"))
        elif missing:
            problem = t("publisher.facebook_permission_missing", detail=", ".join(missing))
        expires = int(info.get("expires_at") or 0)  # 0: a Page token that never expires
        return CredentialReport(
            platform=self.name,
            ok=problem is None,
            account=f"{page.get('name', '?')} ({self.page_id})",
            permissions=scopes,
            missing_permissions=missing,
            expires_at=datetime.fromtimestamp(expires, UTC) if expires else None,
            problem=problem,
        )

    def _comment_errors(self, *, creating: bool = False, hiding: bool = False) -> AbstractContextManager[None]:
        """As `_errors`, but a comment deleted meanwhile, or one the Page may not hide, is named."""

        def classify_comment(exc: Exception, creating: bool) -> PlatformError:
            error = {} if isinstance(exc, requests.RequestException) else _graph_error(exc)
            detail = str(error.get("message") or "")[:300]
            if error.get("error_subcode") == MISSING_OBJECT_SUBCODE:
                return Permanent("publisher.comment_gone", platform=PLATFORM, name=NAME, detail=detail)
            if hiding and error.get("code") == 100:
                return Permanent("publisher.comment_cannot_hide", platform=PLATFORM, name=NAME, detail=detail)
            return classify(exc, self.session.last_response, creating=creating)

        return translated((facebook.GraphAPIError, requests.RequestException), classify_comment, creating=creating)

    def comments(self, remote_id: str) -> CommentThread:
        # `filter=stream`: every comment of the thread, replies included, in time order.
        args: dict[str, Any] = {"filter": "stream", "fields": COMMENT_FIELDS, "limit": 100}
        found: list[RemoteComment] = []
        for _ in range(MAX_COMMENT_PAGES):
            with self._comment_errors():
                page = self.graph.get_connections(remote_id, "comments", **args)
            for item in page.get("data", []):
                author = item.get("from") or {}
                if author.get("id") == self.page_id:  # the Page's own answers
                    continue
                found.append(
                    RemoteComment(
                        remote_id=str(item["id"]),
                        author=str(author.get("name") or ""),
                        text=str(item.get("message") or ""),  # a sticker or a photo has none
                        written_at=datetime.strptime(item["created_time"], GRAPH_TIME),
                        hidden=bool(item.get("is_hidden")),
                    )
                )
            next_url = page.get("paging", {}).get("next")
            if not next_url:
                return CommentThread(tuple(found))
            args = _next_args(next_url)
        return CommentThread(tuple(found), complete=False)

    def hide_comment(self, remote_id: str, hidden: bool) -> None:
        with self._comment_errors(hiding=True):
            self.graph.request(
                f"{self.graph.version}/{remote_id}", post_args={"is_hidden": "true" if hidden else "false"}
            )

    def delete_comment(self, remote_id: str) -> None:
        self.delete(remote_id)

    def reply_comment(self, remote_id: str, text: str) -> str:
        with self._comment_errors(creating=True):
            result = self.graph.put_object(remote_id, "comments", message=text)
        return str(result["id"])


ADAPTER = FacebookPlatform  # what `publisher.registry` builds for "facebook"


def _message(publication: Publication) -> str:
    """The text sent: a feed post carries its link apart, a photo caption carries it inline."""
    return text_with_link(publication.text, publication.link) if publication.photos else publication.text


def comparable(text: str) -> str:
    """Text as Facebook gives it back, for matching: same characters, spacing aside."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _next_args(next_url: str) -> dict[str, Any]:
    """The query of a Graph `paging.next` address, its token left out (the session sends it)."""
    query = parse_qs(urlparse(next_url).query)
    return {key: values[-1] for key, values in query.items() if key != "access_token"}


def _url(post_id: str) -> str:
    return f"https://www.facebook.com/{post_id}"


def _remote(post_id: str) -> RemotePost:
    # The permalink would cost one more call after Facebook accepted the post; an address
    # built from the id needs none, so nothing can fail once the post exists.
    return RemotePost(post_id, _url(post_id))


def _is_gone(exc: Exception) -> bool:
    return _graph_error(exc).get("error_subcode") == MISSING_OBJECT_SUBCODE


def _graph_error(exc: Exception) -> dict[str, Any]:
    result = getattr(exc, "result", None)
    error = result.get("error") if isinstance(result, dict) else None
    return error if isinstance(error, dict) else {}


def classify(
    exc: facebook.GraphAPIError | requests.RequestException,
    response: requests.Response | None,
    *,
    creating: bool,
) -> PlatformError:
    """The one place where a Graph API failure becomes retry-later, needs-a-person or permanent.

    `creating` says whether the failed call could have created a post: a 5xx or a lost answer
    on such a call leaves the outcome uncertain.
    """
    if isinstance(exc, requests.RequestException):
        return network_error(exc, PLATFORM, NAME, creating=creating)
    error = _graph_error(exc)
    status = response.status_code if response is not None else 0
    code = int(error.get("code") or 0)
    detail = str(error.get("message") or exc)[:300]

    def make(kind: type[PlatformError], key: str, **params: Any) -> PlatformError:
        return kind(f"publisher.{key}", platform=PLATFORM, name=NAME, detail=detail, **params)

    if code in RATE_LIMIT_CODES:
        return make(RetryLater, "rate_limited", retry_at=regain_access_at(response))
    if code in TOKEN_CODES:
        expired = error.get("error_subcode") == TOKEN_EXPIRED_SUBCODE
        return make(NeedsPerson, "facebook_token_expired" if expired else "facebook_token_invalid")
    if code == 10 or 200 <= code <= 299:
        return make(NeedsPerson, "facebook_permission_missing")
    if code in POLICY_BLOCK_CODES:
        return make(NeedsPerson, "facebook_blocked")
    if code in DUPLICATE_CODES:
        return make(Permanent, "duplicate")
    if code in TRANSIENT_CODES or error.get("is_transient") or status >= 500 or status == 0:
        return make(RetryLater, "server_error", uncertain=creating)
    if not error:  # an answer that is not the Graph API's (a proxy's error page)
        return make(Permanent, "refused")
    return make(Permanent, "invalid_content")


def regain_access_at(response: requests.Response | None) -> datetime | None:
    """When Facebook says calls will be accepted again, from its usage headers (in minutes).

    Page tokens are under business use case limits (`X-Business-Use-Case-Usage`, one list per
    business object); the older `X-Page-Usage` is a flat object. None: the publisher's backoff.
    """
    if response is None:
        return None
    minutes: list[float] = []
    for header in USAGE_HEADERS:
        raw = response.headers.get(header)
        if raw:
            try:
                minutes.extend(_regain_minutes(json.loads(raw)))
            except ValueError:
                continue
    wait = max(minutes, default=0)
    if wait <= 0:
        return None
    return datetime.now(UTC) + timedelta(minutes=math.ceil(wait))


def _regain_minutes(usage: object) -> Iterator[float]:
    if isinstance(usage, dict):
        value = usage.get("estimated_time_to_regain_access")
        if isinstance(value, int | float):
            yield float(value)
        for nested in usage.values():
            yield from _regain_minutes(nested)
    elif isinstance(usage, list):
        for nested in usage:
            yield from _regain_minutes(nested)
