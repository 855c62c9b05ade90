"""A fake Graph API serving one Facebook Page: the endpoints balise's adapter calls, with the
Graph API's JSON shapes, error bodies, status codes and usage headers.

References: developers.facebook.com/docs/pages-api/posts, /docs/graph-api/reference/page/photos,
/docs/graph-api/guides/error-handling, /docs/graph-api/overview/rate-limiting,
/docs/facebook-login/guides/access-tokens/debugging.
"""

from __future__ import annotations

import base64
import json
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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

PAGE_ID = "1122334455667788"
PAGE_NAME = "Maison de la famille des Basses-Laurentides"
ALL_SCOPES = ("pages_show_list", "pages_read_engagement", "pages_manage_posts", "read_insights")
VALID_TOKEN = "EAAB-valid-page-token"
EXPIRED_TOKEN = "EAAB-expired-page-token"
LIMITED_TOKEN = "EAAB-limited-page-token"  # may read the Page, may not post
REACH_METRIC = "post_total_media_view_unique"
# Facebook Login (`balise accounts connect facebook`): the Meta app, and people's user tokens.
APP_ID = "987654321012345"
APP_SECRET = "balise-app-secret"
USER_TOKEN = "EAAB-short-lived-user-token"  # a Page admin's, as the Graph API Explorer gives it
EXPIRED_USER_TOKEN = "EAAB-expired-user-token"
NO_PAGE_USER_TOKEN = "EAAB-user-token-without-page"  # a person who manages no Page
VERSION = re.compile(r"^/(v\d+\.\d+)/(.+)$")


@dataclass(frozen=True)
class GraphToken:
    scopes: tuple[str, ...]
    expired: bool = False
    type: str = "PAGE"
    expires_at: int = 0  # 0: never (a long-lived Page token)
    manages_page: bool = True  # a USER token: whether its person manages the Page


def default_tokens() -> dict[str, GraphToken]:
    return {
        VALID_TOKEN: GraphToken(ALL_SCOPES),
        EXPIRED_TOKEN: GraphToken(ALL_SCOPES, expired=True, expires_at=1_700_000_000),
        LIMITED_TOKEN: GraphToken(("pages_show_list", "pages_read_engagement")),
        USER_TOKEN: GraphToken(ALL_SCOPES, type="USER", expires_at=int(now().timestamp()) + 3600),
        EXPIRED_USER_TOKEN: GraphToken(ALL_SCOPES, expired=True, type="USER", expires_at=1_700_000_000),
        NO_PAGE_USER_TOKEN: GraphToken(ALL_SCOPES, type="USER", manages_page=False),
    }


def graph_error(status: int, code: int, message: str, *, subcode: int | None = None, **extra: Any) -> Reply:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    error["fbtrace_id"] = secrets.token_urlsafe(8)
    return Reply(status, {"error": error})


def unsupported(method: str, object_id: str) -> Reply:
    return graph_error(
        400,
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation. "
        "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        subcode=33,
    )


def missing_permission(message: str, code: int = 200) -> Reply:
    return graph_error(403, code, message)


def fb_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


class FakeFacebook(FakePlatform):
    """One Page; tokens map to their scopes and state (valid, expired, under-permitted)."""

    content_type = "application/json; charset=UTF-8"

    def __init__(
        self,
        *,
        page_id: str = PAGE_ID,
        page_name: str = PAGE_NAME,
        tokens: dict[str, GraphToken] | None = None,
        followers: int = 1342,
        fans: int = 1287,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.page_id = page_id
        self.page_name = page_name
        self.tokens = default_tokens() if tokens is None else tokens
        self.followers = followers
        self.fans = fans
        self.photos: dict[str, UploadedFile] = {}  # every uploaded photo, published or not
        self.unpublished: set[str] = set()
        self.versions: set[str] = set()

    # -- the request cycle -----------------------------------------------------------------

    def operation(self, request: Request) -> str:
        if request.method == "DELETE":
            return "delete"
        if request.method == "POST" and request.path.endswith("/photos"):
            return "upload" if request.form.get("published") == "false" else "create"
        if request.method == "POST" and request.path.endswith(("/feed", "/comments")):
            return "create"
        if request.method == "POST" and request.form.get("is_hidden") is not None:
            return "hide"
        return "read"

    def token_of(self, request: Request) -> str | None:
        header = str(request.headers.get("Authorization", ""))
        scheme, _, value = header.partition(" ")
        if scheme in ("Bearer", "OAuth") and value:
            return value
        return request.query.get("access_token") or request.form.get("access_token")

    def authenticate(self, request: Request) -> Reply | None:
        token = self.token_of(request)
        if not token:
            return graph_error(
                400,
                2500,
                "An active access token must be used to query information about the current user.",
            )
        info = self.tokens.get(token)
        if info is None:
            return self.token_error(expired=False)
        if info.expired:
            return self.token_error(expired=True)
        return None

    def token_error(self, *, expired: bool) -> Reply:
        if expired:
            message = (
                "Error validating access token: Session has expired on Friday, 13-Nov-26 "
                "09:00:00 PST. The current time is Monday, 16-Nov-26 10:12:45 PST."
            )
            reply = graph_error(400, 190, message, subcode=463)
        else:
            message = "Invalid OAuth access token - Cannot parse access token"
            reply = graph_error(400, 190, message)
        reply.headers["WWW-Authenticate"] = f'OAuth "Facebook Platform" "invalid_token" "{message}"'
        return reply

    def scopes(self, request: Request) -> tuple[str, ...]:
        token = self.token_of(request)
        return self.tokens[token].scopes if token in self.tokens else ()

    def failure(self, kind: str, request: Request) -> Reply:
        if kind == "5xx":
            return graph_error(
                500,
                2,
                "An unexpected error has occurred. Please retry your request later.",
                is_transient=True,
            )
        if kind == "rate_limit":
            minutes = math.ceil(self.rate_limit_seconds / 60)
            self.reset_at = now() + timedelta(minutes=minutes)
            reply = graph_error(
                400,
                80001,
                "(#80001) There have been too many calls to this Page account. Wait a bit and try "
                "again. For more info, please refer to "
                "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
                is_transient=True,
            )
            usage = [
                {
                    "type": "pages",
                    "call_count": 100,
                    "total_cputime": 31,
                    "total_time": 44,
                    "estimated_time_to_regain_access": minutes,
                }
            ]
            reply.headers["X-Business-Use-Case-Usage"] = json.dumps({self.page_id: usage})
            reply.headers["X-App-Usage"] = json.dumps({"call_count": 12, "total_cputime": 4, "total_time": 6})
            return reply
        if kind == "expired_token":
            return self.token_error(expired=True)
        if kind == "permission":
            return missing_permission(
                "(#200) If posting to a page, requires both pages_read_engagement and "
                "pages_manage_posts as an admin with sufficient administrative permission"
            )
        if kind == "duplicate":
            return graph_error(
                400,
                506,
                "(#506) Duplicate status message",
                subcode=1455006,
                is_transient=False,
                error_user_title="Duplicate Post",
                error_user_msg="This status update is identical to the last one you posted. "
                "Try posting something different, or delete your previous update.",
            )
        if kind == "invalid":
            return graph_error(400, 100, "(#100) Invalid parameter", error_user_msg="The message is not valid.")
        if kind == "policy_block":
            return graph_error(
                400,
                368,
                "It looks like you were misusing this feature by going too fast. You've been "
                "temporarily blocked from using it.",
                subcode=1390008,
                error_user_title="You Can't Use This Feature Right Now",
            )
        raise ValueError(kind)

    def decorate(self, reply: Reply) -> Reply:
        reply.headers.setdefault("facebook-api-version", max(self.versions, default="v25.0"))
        return reply

    # -- the Graph API ---------------------------------------------------------------------

    def route(self, request: Request) -> Reply:
        match = VERSION.match(request.path)
        if match is None:
            return unsupported(request.method, request.path.strip("/"))
        version, rest = match.groups()
        with self.lock:
            self.versions.add(version)
        segments = rest.strip("/").split("/")
        method = request.method
        if segments == ["oauth", "access_token"] and method == "GET":
            return self.exchange_token(request)
        if segments == ["me", "accounts"] and method == "GET":
            return self.my_pages(request)
        if segments == ["debug_token"] and method == "GET":
            return self.debug_token(request)
        if segments == [self.page_id] and method == "GET":
            return self.page_fields(request)
        if segments == [self.page_id, "feed"] and method == "POST":
            return self.create_feed_post(request)
        if segments == [self.page_id, "feed"] and method == "GET":
            return self.feed(request, version)
        if segments == [self.page_id, "photos"] and method == "POST":
            return self.upload_photo(request)
        if len(segments) == 2 and segments[1] == "comments" and method == "GET":
            return self.comment_list(request, segments[0], version)
        if len(segments) == 2 and segments[1] == "comments" and method == "POST":
            return self.reply(request, segments[0])
        if len(segments) == 1 and method == "POST" and self.comment(segments[0]) is not None:
            return self.hide(request, segments[0])
        if len(segments) == 1 and method == "DELETE" and self.comment(segments[0]) is not None:
            return self.delete_comment(request, segments[0])
        if len(segments) == 2 and segments[1] == "insights" and method == "GET":
            return self.insights(request, segments[0])
        if len(segments) == 1 and method == "GET":
            return self.post_fields(request, segments[0])
        if len(segments) == 1 and method == "DELETE":
            return self.delete_post(request, segments[0])
        return unsupported(method, "/".join(segments))

    def debug_token(self, request: Request) -> Reply:
        info = self.tokens.get(request.query.get("input_token", ""))
        if info is None:
            return graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        issued = int(now().timestamp()) - 86_400
        data: dict[str, Any] = {
            "app_id": "987654321012345",
            "type": info.type,
            "application": "balise",
            "data_access_expires_at": issued + 90 * 86_400,
            "expires_at": info.expires_at,
            "is_valid": not info.expired,
            "issued_at": issued,
            "profile_id": self.page_id,
            "scopes": list(info.scopes),
            "granular_scopes": [{"scope": s, "target_ids": [self.page_id]} for s in info.scopes],
            "user_id": "10229876543210",
        }
        if info.expired:
            data["error"] = {"code": 190, "message": "Session has expired.", "subcode": 463}
        return Reply(200, {"data": data})

    def exchange_token(self, request: Request) -> Reply:
        """A short-lived user token for a long-lived one (facebook-login/guides/access-tokens/
        get-long-lived); the token itself was checked by `authenticate`, as Graph does."""
        query = request.query
        if query.get("grant_type") != "fb_exchange_token":
            return graph_error(400, 100, "(#100) Invalid grant_type")
        if query.get("client_id") != APP_ID:
            return graph_error(400, 101, "Error validating application. Invalid application ID.")
        if query.get("client_secret") != APP_SECRET:
            return graph_error(400, 1, "Error validating client secret.")
        info = self.tokens.get(query.get("fb_exchange_token", ""))
        if info is None or info.type != "USER":
            return graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        long_lived = f"EAAB-long-lived-{secrets.token_hex(6)}"
        expires_in = 60 * 86_400
        with self.lock:
            self.tokens[long_lived] = GraphToken(
                info.scopes, type="USER", expires_at=int(now().timestamp()) + expires_in,
                manages_page=info.manages_page,
            )  # fmt: skip
        return Reply(200, {"access_token": long_lived, "token_type": "bearer", "expires_in": expires_in})

    def my_pages(self, request: Request) -> Reply:
        """`me/accounts`: the Pages a user manages, each with a Page token (none for a Page token)."""
        info = self.tokens[self.token_of(request) or ""]
        if info.type != "USER":
            return graph_error(400, 100, "(#100) Tried accessing nonexisting field (accounts) on node type (Page)")
        if not info.manages_page:
            return Reply(200, {"data": []})
        page = {
            "access_token": VALID_TOKEN,
            "category": "Community Organization",
            "category_list": [{"id": "2260", "name": "Community Organization"}],
            "name": self.page_name,
            "id": self.page_id,
            "tasks": ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"],
        }
        fields = request.query.get("fields")
        if fields:
            page = {key: value for key, value in page.items() if key in fields.split(",")}
        cursor = base64.b64encode(self.page_id.encode()).decode()
        return Reply(200, {"data": [page], "paging": {"cursors": {"before": cursor, "after": cursor}}})

    def page_fields(self, request: Request) -> Reply:
        fields = set(request.query.get("fields", "name").split(","))
        counted = fields & {"fan_count", "followers_count"}
        if counted and "pages_read_engagement" not in self.scopes(request):
            return missing_permission("(#10) This endpoint requires the 'pages_read_engagement' permission", 10)
        values = {"name": self.page_name, "fan_count": self.fans, "followers_count": self.followers}
        return Reply(200, {**{f: values[f] for f in fields if f in values}, "id": self.page_id})

    def _may_post(self, request: Request) -> Reply | None:
        if "pages_manage_posts" in self.scopes(request):
            return None
        return missing_permission(
            "(#200) If posting to a page, requires both pages_read_engagement and "
            "pages_manage_posts as an admin with sufficient administrative permission"
        )

    def create_feed_post(self, request: Request) -> Reply:
        refusal = self._may_post(request)
        if refusal is not None:
            return refusal
        form = request.form
        attached: list[str] = []
        for key in sorted(k for k in form if k.startswith("attached_media[")):
            try:
                photo_id = str(json.loads(form[key])["media_fbid"])
            except (ValueError, KeyError, TypeError):
                return graph_error(400, 100, f"(#100) param {key} must be a JSON object with media_fbid")
            if photo_id not in self.unpublished:
                return graph_error(400, 100, f"(#100) param {key} has invalid media_fbid {photo_id}")
            attached.append(photo_id)
        message, link = form.get("message", ""), form.get("link")
        if not (message or link or attached):
            return graph_error(400, 100, "(#100) Missing message or attachment")
        post = self.record(RecordedPost(self._post_id(), message, now(), attached, link))
        with self.lock:
            self.unpublished -= set(attached)
        return Reply(200, {"id": post.id})

    def upload_photo(self, request: Request) -> Reply:
        refusal = self._may_post(request)
        if refusal is not None:
            return refusal
        source = request.files.get("source")
        if source is None or not source.data:
            return graph_error(400, 324, "(#324) Requires upload file")
        if not source.content_type.startswith("image/"):
            return graph_error(400, 324, "(#324) Missing or invalid image file")
        photo_id = self.new_id()
        with self.lock:
            self.photos[photo_id] = source
        if request.form.get("published") == "false":
            with self.lock:
                self.unpublished.add(photo_id)
            return Reply(200, {"id": photo_id})
        post = self.record(RecordedPost(self._post_id(), request.form.get("caption", ""), now(), [photo_id]))
        return Reply(200, {"id": photo_id, "post_id": post.id})

    def _post_id(self) -> str:
        return f"{self.page_id}_{self.new_id()}"

    def feed(self, request: Request, version: str) -> Reply:
        if "pages_read_engagement" not in self.scopes(request):
            return missing_permission("(#10) This endpoint requires the 'pages_read_engagement' permission", 10)
        query = request.query
        fields = query.get("fields", "id,message,created_time").split(",")
        limit = min(int(query.get("limit", 25)), 100)
        since = int(query["since"]) if query.get("since") else None
        posts = sorted(self.live_posts, key=lambda p: (p.created_at, p.id), reverse=True)
        if since is not None:
            posts = [p for p in posts if p.created_at.timestamp() >= since]
        start = int(base64.b64decode(query["after"]).decode()) if query.get("after") else 0
        page = posts[start : start + limit]
        data = [self._feed_item(post, fields) for post in page]
        body: dict[str, Any] = {"data": data}
        if start + limit < len(posts):
            after = base64.b64encode(str(start + limit).encode()).decode()
            token = self.token_of(request)
            body["paging"] = {
                "cursors": {"after": after},
                "next": f"{self.url}/{version}/{self.page_id}/feed?access_token={token}"
                f"&fields={','.join(fields)}&limit={limit}&after={after}"
                + (f"&since={since}" if since is not None else ""),
            }
        return Reply(200, body)

    def _feed_item(self, post: RecordedPost, fields: list[str]) -> dict[str, Any]:
        values = {
            "id": post.id,
            "message": post.text or None,
            "created_time": fb_time(post.created_at),
            "permalink_url": f"https://www.facebook.com/{self.page_id}/posts/{post.id.split('_')[1]}",
        }
        return {f: values[f] for f in fields if values.get(f) is not None}

    def post_fields(self, request: Request, post_id: str) -> Reply:
        post = self.post(post_id)
        if post is None or post.deleted:
            return unsupported("get", post_id)
        fields = request.query.get("fields", "id")
        body: dict[str, Any] = {"id": post.id}
        if "reactions" in fields:
            body["reactions"] = {
                "data": [],
                "summary": {
                    "total_count": post.metrics.get("reactions", 0),
                    "viewer_reaction": "NONE",
                },
            }
        if "comments" in fields:
            body["comments"] = {
                "data": [],
                "summary": {
                    "order": "ranked",
                    "can_comment": True,
                    "total_count": post.metrics.get("comments", 0),
                },
            }
        if "shares" in fields and post.metrics.get("shares"):  # Graph omits it at zero
            body["shares"] = {"count": post.metrics["shares"]}
        return Reply(200, body)

    def insights(self, request: Request, post_id: str) -> Reply:
        post = self.post(post_id)
        if post is None or post.deleted:
            return unsupported("get", f"{post_id}/insights")
        if "read_insights" not in self.scopes(request):
            return missing_permission("(#10) Requires read_insights permission", 10)
        metric = request.query.get("metric", "")
        if metric != REACH_METRIC:
            return graph_error(400, 100, "(#100) The value must be a valid insights metric")
        return Reply(
            200,
            {
                "data": [
                    {
                        "name": metric,
                        "period": "lifetime",
                        "values": [{"value": post.metrics.get("reach", 0)}],
                        "title": "Lifetime Post Total Media View Unique",
                        "description": "Lifetime: The number of people who saw the post.",
                        "id": f"{post_id}/insights/{metric}/lifetime",
                    }
                ]
            },
        )

    def delete_post(self, request: Request, post_id: str) -> Reply:
        refusal = self._may_post(request)
        if refusal is not None:
            return refusal
        post = self.post(post_id)
        if post is None or post.deleted:
            return unsupported("delete", post_id)
        with self.lock:
            post.deleted = True
        return Reply(200, {"success": True})

    # -- comments (graph-api/reference/object/comments, /reference/comment) -----------------

    def comment_id(self, parent_id: str) -> str:
        # A comment's id is "<the post's own number>_<the comment's number>".
        return f"{parent_id.split('_')[-1]}_{self.new_id()}"

    def _root(self, comment: RecordedComment) -> str:
        parent = self.comment(comment.parent_id)
        return comment.parent_id if parent is None else self._root(parent)

    def _live_object(self, object_id: str) -> bool:
        post, comment = self.post(object_id), self.comment(object_id)
        return (post is not None and not post.deleted) or (comment is not None and not comment.deleted)

    def comment_list(self, request: Request, object_id: str, version: str) -> Reply:
        """`{object-id}/comments`: `filter=stream` gives every comment of the thread, replies
        included, oldest first; `toplevel` (the default) only the direct ones."""
        if not self._live_object(object_id):
            return unsupported("get", f"{object_id}/comments")
        if "pages_read_engagement" not in self.scopes(request):
            return missing_permission("(#10) This endpoint requires the 'pages_read_engagement' permission", 10)
        query = request.query
        stream = query.get("filter") == "stream"
        with self.lock:
            chosen = [
                c
                for c in self.comments
                if not c.deleted and (self._root(c) == object_id if stream else c.parent_id == object_id)
            ]
        chosen.sort(key=lambda c: (c.created_at, c.id))
        fields = query.get("fields", "id,message,created_time,from").split(",")
        limit = min(int(query.get("limit", 25)), 100)
        start = int(base64.b64decode(query["after"]).decode()) if query.get("after") else 0
        page = chosen[start : start + limit]
        body: dict[str, Any] = {"data": [self._comment_item(c, fields) for c in page]}
        if page:
            cursors = {
                "before": base64.b64encode(str(start).encode()).decode(),
                "after": base64.b64encode(str(start + len(page)).encode()).decode(),
            }
            body["paging"] = {"cursors": cursors}
            if start + limit < len(chosen):
                token = self.token_of(request)
                body["paging"]["next"] = (
                    f"{self.url}/{version}/{object_id}/comments?access_token={token}"
                    f"&filter={query.get('filter', 'toplevel')}&fields={','.join(fields)}"
                    f"&limit={limit}&after={cursors['after']}"
                )
        return Reply(200, body)

    def _comment_item(self, comment: RecordedComment, fields: list[str]) -> dict[str, Any]:
        parent = self.comment(comment.parent_id)
        values: dict[str, Any] = {
            "id": comment.id,
            "from": {"name": comment.author, "id": comment.author_id},
            "message": comment.text,
            "created_time": fb_time(comment.created_at),
            "is_hidden": comment.hidden,
            "can_hide": comment.can_hide,
            "parent": {"id": parent.id} if parent is not None else None,
        }
        return {f: values[f] for f in fields if values.get(f) is not None}

    def reply(self, request: Request, object_id: str) -> Reply:
        """`POST {comment-id}/comments`: the Page answers in the thread."""
        refusal = self._may_post(request)
        if refusal is not None:
            return refusal
        if not self._live_object(object_id):
            return unsupported("post", f"{object_id}/comments")
        message = request.form.get("message", "")
        if not message:
            return graph_error(400, 100, "(#100) Missing message or attachment")
        comment = RecordedComment(
            self.comment_id(object_id), object_id, self.page_id, self.page_name, message, now(),
            can_hide=False,
        )  # fmt: skip
        with self.lock:
            self.comments.append(comment)
        return Reply(200, {"id": comment.id})

    def _changeable(self, request: Request, comment_id: str, method: str) -> RecordedComment | Reply:
        """The comment the Page may change, or the Graph API's refusal."""
        refusal = self._may_post(request)
        if refusal is not None:
            return refusal
        comment = self.comment(comment_id)
        if comment is None or comment.deleted:
            return unsupported(method, comment_id)
        return comment

    def hide(self, request: Request, comment_id: str) -> Reply:
        """`POST {comment-id}` with `is_hidden`: hidden from everyone but its author and friends."""
        found = self._changeable(request, comment_id, "post")
        if isinstance(found, Reply):
            return found
        comment = found
        value = request.form.get("is_hidden")
        if value not in ("true", "false"):
            return graph_error(400, 100, "(#100) Param is_hidden must be a boolean")
        if not comment.can_hide:
            return graph_error(400, 100, "(#100) This comment cannot be hidden or unhidden")
        with self.lock:
            comment.hidden = value == "true"
        return Reply(200, {"success": True})

    def delete_comment(self, request: Request, comment_id: str) -> Reply:
        found = self._changeable(request, comment_id, "delete")
        if isinstance(found, Reply):
            return found
        with self.lock:
            found.deleted = True
        return Reply(200, {"success": True})


if __name__ == "__main__":
    serve_forever(
        FakeFacebook,
        f"BALISE_FACEBOOK_GRAPH_URL={{url}} BALISE_FACEBOOK_PAGE_ID={PAGE_ID} "
        f"BALISE_FACEBOOK_PAGE_TOKEN={VALID_TOKEN}  (also {EXPIRED_TOKEN}, {LIMITED_TOKEN})",
    )
