"""A fake X API v2 for one account: the endpoints balise's adapter calls, with X's JSON shapes,
problem documents, rate-limit headers and OAuth 1.0a signatures checked for real.

References: docs.x.com/x-api (posts/manage-tweets, posts/timelines, users/lookup, media/
upload-media, fundamentals/rate-limits, fundamentals/response-codes-and-errors).
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from oauthlib.oauth1.rfc5849 import signature, utils

from tests.fakes.base import (
    FakePlatform,
    RecordedComment,
    RecordedPost,
    Reply,
    Request,
    UploadedFile,
    now,
    serve_forever,
)

CONSUMER_KEY = "balise-consumer-key"
CONSUMER_SECRET = "balise-consumer-secret"
USER_ID = "1587654321098765432"
USERNAME = "maisonfamille_bl"
VALID_TOKEN, VALID_SECRET = f"{USER_ID}-validAccessToken", "valid-access-secret"
REVOKED_TOKEN, REVOKED_SECRET = f"{USER_ID}-revokedAccessToken", "revoked-access-secret"
READ_ONLY_TOKEN, READ_ONLY_SECRET = f"{USER_ID}-readOnlyAccessToken", "read-only-access-secret"
# The PIN-based OAuth 1.0a flow (`balise accounts connect x`): the PIN X shows once the person has
# authorized the app (the fake authorizes every request token at once).
PIN = "7034125"
OAUTH_KEYS = {
    "oauth_consumer_key",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_token",
    "oauth_version",
}
URL = re.compile(r"https?://\S+")
TWEET_ID = re.compile(r"^/2/tweets/(\d+)$")
TIMELINE = re.compile(r"^/2/users/(\d+)/tweets$")
HIDDEN = re.compile(r"^/2/tweets/(\d+)/hidden$")
CONVERSATION = re.compile(r"^conversation_id:(\d+)$")


@dataclass(frozen=True)
class XToken:
    secret: str
    access_level: str = "read-write"  # X's x-access-level header: read, read-write, ...
    revoked: bool = False


def default_tokens() -> dict[str, XToken]:
    return {
        VALID_TOKEN: XToken(VALID_SECRET),
        REVOKED_TOKEN: XToken(REVOKED_SECRET, revoked=True),
        READ_ONLY_TOKEN: XToken(READ_ONLY_SECRET, access_level="read"),
    }


def problem(status: int, title: str, detail: str, type_: str = "about:blank", **extra: Any) -> Reply:
    """X API v2's error document (RFC 7807 problem details)."""
    return Reply(status, {"title": title, "detail": detail, "type": type_, "status": status, **extra})


def invalid_request(parameter: str, value: Any, message: str) -> Reply:
    return Reply(
        400,
        {
            "errors": [{"parameters": {parameter: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )


def tweet_not_found(tweet_id: str) -> Reply:
    return problem(
        404,
        "Not Found Error",
        f"Could not find tweet with id: [{tweet_id}].",
        "https://api.twitter.com/2/problems/resource-not-found",
    )


UNAUTHORIZED = ("Unauthorized", "Unauthorized")
APP_PERMISSIONS = "Your client app is not configured with the appropriate oauth1 app permissions for this endpoint."


def x_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def oauth_params(request: Request) -> dict[str, str] | None:
    """The OAuth 1.0a parameters of the Authorization header, if it is an HMAC-SHA1 one."""
    header = str(request.headers.get("Authorization", ""))
    if not header.startswith("OAuth "):
        return None
    params = {k: utils.unescape(v) for k, v in utils.parse_authorization_header(header)}
    if params.get("oauth_signature_method") != "HMAC-SHA1" or params.get("oauth_consumer_key") != CONSUMER_KEY:
        return None
    return params if "oauth_signature" in params else None


def signed(request: Request, params: dict[str, str], token_secret: str) -> bool:
    """Whether the app and `token_secret` signed this request.

    RFC 5849 section 3.4: the signature covers the URL as sent, the query and, for a
    form-encoded body only, its fields (not JSON or multipart bodies)."""
    header = str(request.headers.get("Authorization", ""))
    form_body = request.body.decode() if request.form and not request.files else ""
    collected = signature.collect_parameters(
        uri_query=request.raw_query, body=form_body, headers={"Authorization": header}
    )
    base = signature.signature_base_string(
        request.method,
        signature.base_string_uri(f"http://{request.host}{request.path}"),
        signature.normalize_parameters(collected),
    )
    secrets_ = SimpleNamespace(client_secret=CONSUMER_SECRET, resource_owner_secret=token_secret)
    expected = signature.sign_hmac_sha1_with_client(base, secrets_)
    return secrets.compare_digest(expected, params["oauth_signature"])


def form_reply(status: int = 200, text: str = "", **values: str) -> Reply:
    """OAuth 1.0a's answers: form-encoded text (or a plain error line), not JSON."""
    return Reply(status, text or urlencode(values), {"Content-Type": "text/html; charset=utf-8"})


class FakeX(FakePlatform):
    """One X account; access tokens map to their secret, access level and state."""

    def __init__(
        self,
        *,
        user_id: str = USER_ID,
        username: str = USERNAME,
        tokens: dict[str, XToken] | None = None,
        followers: int = 812,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.user_id = user_id
        self.username = username
        self.tokens = default_tokens() if tokens is None else tokens
        self.followers = followers
        self.media: dict[str, UploadedFile] = {}
        self.request_tokens: dict[str, str] = {}  # the PIN flow's request tokens: their secrets

    def operation(self, request: Request) -> str:
        if request.method == "POST" and request.path == "/2/tweets":
            return "create"
        if request.method == "POST" and request.path == "/2/media/upload":
            return "upload"
        if request.method == "PUT":
            return "hide"
        return "delete" if request.method == "DELETE" else "read"

    # -- OAuth 1.0a ------------------------------------------------------------------------

    def _token(self, request: Request) -> XToken | None:
        params = oauth_params(request)
        if params is None or not OAUTH_KEYS <= params.keys():
            return None
        token = self.tokens.get(params["oauth_token"])
        if token is None or not signed(request, params, token.secret):
            return None
        return token

    def authenticate(self, request: Request) -> Reply | None:
        if request.path.startswith("/oauth/"):  # the OAuth flow signs its own way (below)
            return None
        token = self._token(request)
        if token is None or token.revoked:
            return problem(401, *UNAUTHORIZED)
        return None

    def access_level(self, request: Request) -> str:
        token = self._token(request)
        return token.access_level if token else ""

    # -- failures and headers --------------------------------------------------------------

    def failure(self, kind: str, request: Request) -> Reply:
        if kind == "5xx":
            return problem(503, "Service Unavailable", "Service Unavailable")
        if kind == "rate_limit":
            reset = int(now().timestamp()) + self.rate_limit_seconds
            self.reset_at = datetime.fromtimestamp(reset, now().tzinfo)
            reply = problem(429, "Too Many Requests", "Too Many Requests")
            reply.headers.update(
                {
                    "x-rate-limit-limit": "100",
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": str(reset),
                }
            )
            return reply
        if kind == "expired_token":
            return problem(401, *UNAUTHORIZED)
        if kind == "permission":
            return problem(403, "Forbidden", APP_PERMISSIONS)
        if kind == "duplicate":
            return problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        if kind == "invalid":
            return invalid_request("text", "", "The `text` field is invalid.")
        if kind == "policy_block":
            return problem(
                403,
                "Forbidden",
                "This request looks like it might be automated. To protect our users from spam "
                "and other malicious activity, we can't complete this action right now. Please "
                "try again later.",
            )
        raise ValueError(kind)

    def decorate(self, reply: Reply) -> Reply:
        reset = int((now() + timedelta(minutes=15)).timestamp())
        for name, value in (
            ("x-rate-limit-limit", "100"),
            ("x-rate-limit-remaining", "99"),
            ("x-rate-limit-reset", str(reset)),
        ):
            reply.headers.setdefault(name, value)
        reply.headers.setdefault("x-transaction-id", secrets.token_hex(8))
        return reply

    # -- the API ---------------------------------------------------------------------------

    def route(self, request: Request) -> Reply:
        path, method = request.path, request.method
        if path == "/oauth/request_token" and method == "POST":
            return self.request_token(request)
        if path == "/oauth/access_token" and method == "POST":
            return self.access_token(request)
        if path == "/2/users/me" and method == "GET":
            return self.me(request)
        if path == "/2/tweets" and method == "POST":
            return self.create_tweet(request)
        if path == "/2/media/upload" and method == "POST":
            return self.upload(request)
        if path == "/2/tweets/search/recent" and method == "GET":
            return self.search(request)
        if (match := HIDDEN.match(path)) and method == "PUT":
            return self.hide(request, match.group(1))
        if (match := TIMELINE.match(path)) and method == "GET":
            return self.timeline(request, match.group(1))
        if (match := TWEET_ID.match(path)) and method == "GET":
            return self.lookup(request, match.group(1))
        if (match := TWEET_ID.match(path)) and method == "DELETE":
            return self.delete(request, match.group(1))
        return problem(
            404,
            "Not Found Error",
            f"Unknown endpoint {method} {path}",
            "https://api.twitter.com/2/problems/resource-not-found",
        )

    def request_token(self, request: Request) -> Reply:
        """POST oauth/request_token, signed by the app alone: a request token for the PIN flow."""
        params = oauth_params(request)
        if params is None or not signed(request, params, ""):
            return Reply(401, {"errors": [{"code": 32, "message": "Could not authenticate you."}]})
        if params.get("oauth_callback") != "oob":
            message = "Desktop applications only support the oauth_callback value 'oob'"
            return Reply(401, {"errors": [{"code": 417, "message": message}]})
        token, secret = secrets.token_urlsafe(20), secrets.token_urlsafe(30)
        with self.lock:
            self.request_tokens[token] = secret
        return form_reply(oauth_token=token, oauth_token_secret=secret, oauth_callback_confirmed="true")

    def access_token(self, request: Request) -> Reply:
        """POST oauth/access_token: the request token and the PIN for the account's access token."""
        params = oauth_params(request) or {}
        secret = self.request_tokens.get(params.get("oauth_token", ""))
        if secret is None or not signed(request, params, secret):
            return form_reply(401, "Invalid request token.")
        if params.get("oauth_verifier") != PIN:
            return form_reply(401, "Error processing your OAuth request: Invalid oauth_verifier parameter")
        with self.lock:
            del self.request_tokens[params["oauth_token"]]
        return form_reply(
            oauth_token=VALID_TOKEN, oauth_token_secret=VALID_SECRET, user_id=self.user_id, screen_name=self.username
        )

    def me(self, request: Request) -> Reply:
        user: dict[str, Any] = {
            "id": self.user_id,
            "name": "Maison de la famille BL",
            "username": self.username,
        }
        if "public_metrics" in request.query.get("user.fields", ""):
            user["public_metrics"] = {
                "followers_count": self.followers,
                "following_count": 97,
                "tweet_count": len(self.posts),
                "listed_count": 4,
                "like_count": 150,
            }
        reply = Reply(200, {"data": user})
        reply.headers["x-access-level"] = self.access_level(request)
        return reply

    def create_tweet(self, request: Request) -> Reply:
        if "write" not in self.access_level(request):
            return problem(403, "Forbidden", APP_PERMISSIONS)
        body = request.json if isinstance(request.json, dict) else {}
        text = body.get("text", "")
        media_ids = [str(m) for m in body.get("media", {}).get("media_ids", [])]
        if not text and not media_ids:
            return invalid_request("text", text, "Post text or media is required.")
        if len(media_ids) > 4:
            return invalid_request("media.media_ids", media_ids, "A post may have at most 4 media.")
        unknown = [m for m in media_ids if m not in self.media]
        if unknown:
            return invalid_request("media.media_ids", unknown[0], "Your media IDs are invalid.")
        reply_to = body.get("reply", {}).get("in_reply_to_tweet_id")
        if reply_to is not None and not self._visible(str(reply_to)):
            return problem(
                403,
                "Forbidden",
                "You attempted to reply to a Tweet that is deleted or not visible to you.",
            )
        post = RecordedPost(self.new_id(), text, now(), media_ids, reply_to=reply_to)
        self.record(post)
        return Reply(
            201,
            {
                "data": {
                    "id": post.id,
                    "text": self.rendered(post),
                    "edit_history_tweet_ids": [post.id],
                }
            },
        )

    def rendered(self, post: RecordedPost) -> str:
        """The text as X gives it back: entities escaped, links shortened, a link per photo set."""
        text = html.escape(post.text, quote=False)
        text = URL.sub(lambda _: f"https://t.co/{secrets.token_urlsafe(7)[:10]}", text)
        if post.media:
            text += f" https://t.co/{secrets.token_urlsafe(7)[:10]}"
        return text

    def upload(self, request: Request) -> Reply:
        media = request.files.get("media")
        if media is None or not media.data:
            return invalid_request("media", None, "The media field is required.")
        category = request.form.get("media_category", "")
        if category not in ("tweet_image", "dm_image", "subtitles"):
            return invalid_request("media_category", category, "Invalid media_category.")
        media_id = self.new_id()
        with self.lock:
            self.media[media_id] = media
        return Reply(
            200,
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(media.data),
                    "expires_after_secs": 86_400,
                    "image": {"image_type": media.content_type, "w": 1200, "h": 800},
                }
            },
        )

    def timeline(self, request: Request, user_id: str) -> Reply:
        if user_id != self.user_id:
            return problem(
                404,
                "Not Found Error",
                f"Could not find user with id: [{user_id}].",
                "https://api.twitter.com/2/problems/resource-not-found",
            )
        query = request.query
        limit = int(query.get("max_results", 10))
        if not 5 <= limit <= 100:
            return invalid_request(
                "max_results",
                str(limit),
                "The `max_results` query parameter value is not between 5 and 100",
            )
        posts = sorted(self.live_posts, key=lambda p: (p.created_at, p.id), reverse=True)
        if query.get("start_time"):
            start = datetime.fromisoformat(query["start_time"].replace("Z", "+00:00"))
            posts = [p for p in posts if p.created_at >= start]
        offset = int(query.get("pagination_token") or 0)
        page = posts[offset : offset + limit]
        if not page:
            return Reply(200, {"meta": {"result_count": 0}})
        fields = query.get("tweet.fields", "")
        data = [self.tweet(post, fields) for post in page]
        meta: dict[str, Any] = {
            "result_count": len(data),
            "newest_id": page[0].id,
            "oldest_id": page[-1].id,
        }
        if offset + limit < len(posts):
            meta["next_token"] = str(offset + limit)
        return Reply(200, {"data": data, "meta": meta})

    def tweet(self, post: RecordedPost, fields: str) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": post.id,
            "text": self.rendered(post),
            "edit_history_tweet_ids": [post.id],
        }
        if "created_at" in fields:
            item["created_at"] = x_time(post.created_at)
        if "public_metrics" in fields:
            m = post.metrics
            item["public_metrics"] = {
                "retweet_count": m.get("shares", 0),
                "reply_count": m.get("comments", 0),
                "like_count": m.get("reactions", 0),
                "quote_count": m.get("quotes", 0),
                "bookmark_count": 0,
                "impression_count": m.get("reach", 0),
            }
        return item

    def lookup(self, request: Request, tweet_id: str) -> Reply:
        post = self.post(tweet_id)
        if post is None or post.deleted:
            return Reply(
                200,
                {
                    "errors": [
                        {
                            "value": tweet_id,
                            "detail": f"Could not find tweet with id: [{tweet_id}].",
                            "title": "Not Found Error",
                            "resource_type": "tweet",
                            "parameter": "id",
                            "resource_id": tweet_id,
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    ]
                },
            )
        return Reply(200, {"data": self.tweet(post, request.query.get("tweet.fields", ""))})

    def delete(self, request: Request, tweet_id: str) -> Reply:
        if "write" not in self.access_level(request):
            return problem(403, "Forbidden", APP_PERMISSIONS)
        post = self.post(tweet_id)
        if post is None or post.deleted:
            return tweet_not_found(tweet_id)
        with self.lock:
            post.deleted = True
        return Reply(200, {"data": {"deleted": True}})

    # -- replies (posts/search/api-reference/get-tweets-search-recent, posts/hide-replies) ---

    def _visible(self, tweet_id: str) -> bool:
        post, comment = self.post(tweet_id), self.comment(tweet_id)
        return (post is not None and not post.deleted) or (comment is not None and not comment.deleted)

    def _conversation(self, comment: RecordedComment) -> str:
        parent = self.comment(comment.parent_id)
        return comment.parent_id if parent is None else self._conversation(parent)

    def search(self, request: Request) -> Reply:
        """Recent search, as balise uses it: `conversation_id:<id>`, every reply in the thread."""
        query = request.query
        match = CONVERSATION.match(query.get("query", "").strip())
        if match is None:
            return invalid_request("query", query.get("query"), "This fake serves only conversation_id:<id> queries.")
        limit = int(query.get("max_results", 10))
        if not 10 <= limit <= 100:
            return invalid_request(
                "max_results",
                str(limit),
                f"The `max_results` query parameter value [{limit}] is not between 10 and 100",
            )
        with self.lock:
            found = [
                c for c in self.comments
                if not c.deleted and self._conversation(c) == match.group(1)
            ]  # fmt: skip
        found.sort(key=lambda c: (c.created_at, c.id), reverse=True)  # newest first, as X
        offset = int(query.get("next_token") or 0)
        page = found[offset : offset + limit]
        if not page:
            return Reply(200, {"meta": {"result_count": 0}})
        data = [
            {
                "id": c.id,
                "text": html.escape(c.text, quote=False),
                "edit_history_tweet_ids": [c.id],
                "author_id": c.author_id,
                "conversation_id": match.group(1),
                "created_at": x_time(c.created_at),
                "in_reply_to_user_id": self.user_id,
                "referenced_tweets": [{"type": "replied_to", "id": c.parent_id}],
            }
            for c in page
        ]
        users = {
            c.author_id: {"id": c.author_id, "name": c.author, "username": c.author.lower().replace(" ", "_")}
            for c in page
        }
        meta: dict[str, Any] = {
            "newest_id": page[0].id,
            "oldest_id": page[-1].id,
            "result_count": len(data),
        }
        if offset + limit < len(found):
            meta["next_token"] = str(offset + limit)
        return Reply(200, {"data": data, "includes": {"users": list(users.values())}, "meta": meta})

    def hide(self, request: Request, tweet_id: str) -> Reply:
        """`PUT /2/tweets/:id/hidden`: only a reply in a conversation the account started."""
        if "write" not in self.access_level(request):
            return problem(403, "Forbidden", APP_PERMISSIONS)
        comment = self.comment(tweet_id)
        if comment is None or comment.deleted:
            return tweet_not_found(tweet_id)
        if not comment.can_hide:
            return problem(403, "Forbidden", "You cannot hide or unhide replies to a conversation you do not own.")
        body = request.json if isinstance(request.json, dict) else {}
        if not isinstance(body.get("hidden"), bool):
            return invalid_request("hidden", body.get("hidden"), "The `hidden` field must be a boolean.")
        with self.lock:
            comment.hidden = body["hidden"]
        return Reply(200, {"data": {"hidden": comment.hidden}})


if __name__ == "__main__":
    serve_forever(
        FakeX,
        f"BALISE_X_API_URL={{url}} BALISE_X_API_KEY={CONSUMER_KEY} "
        f"BALISE_X_API_SECRET={CONSUMER_SECRET} BALISE_X_ACCESS_TOKEN={VALID_TOKEN} "
        f"BALISE_X_ACCESS_SECRET={VALID_SECRET}",
    )
