"""What the fake platforms share: a real HTTP server on 127.0.0.1, the record of every post it
received, and failures on demand (one at a time, or at random for the chaos benchmark).

A subclass says which operation a request is (`operation`), checks its credentials
(`authenticate`), answers it (`route`) and words each failure as its platform does (`failure`).
"""

from __future__ import annotations

import argparse
import email.message
import email.parser
import email.policy
import json
import random
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

FAILURES = (
    "5xx",
    "rate_limit",
    "timeout",
    "timeout_after_create",
    "slow",
    "expired_token",
    "permission",
    "duplicate",
    "invalid",
    "policy_block",
)
# The failures a healthy integration meets by chance; the chaos benchmark's default mix.
TRANSIENT = ("5xx", "rate_limit", "timeout", "timeout_after_create", "slow")
OPERATIONS = ("create", "upload", "delete", "hide", "read", "any")


@dataclass(frozen=True)
class UploadedFile:
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class Request:
    """One HTTP request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    raw_query: str
    headers: email.message.Message
    body: bytes
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    json: Any = None

    @property
    def host(self) -> str:
        return str(self.headers.get("Host", ""))


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RecordedPost:
    """A post the fake platform accepted."""

    id: str
    text: str
    created_at: datetime
    media: list[str] = field(default_factory=list)
    link: str | None = None
    deleted: bool = False
    metrics: dict[str, int] = field(default_factory=dict)
    reply_to: str | None = None  # the comment (Facebook) or post (X) this one answers


@dataclass
class RecordedComment:
    """A comment someone wrote under a post (or under a comment) of the account."""

    id: str
    parent_id: str  # the post it answers (Facebook: or the comment, for a reply in a thread)
    author_id: str
    author: str
    text: str
    created_at: datetime
    hidden: bool = False
    can_hide: bool = True
    deleted: bool = False


@dataclass
class _Failure:
    kind: str
    on: str
    remaining: int


class FakePlatform:
    """Base of the fake servers; use as a context manager, or `start()` and `stop()`."""

    content_type = "application/json; charset=utf-8"

    def __init__(
        self,
        *,
        port: int = 0,
        seed: int = 0,
        fail_ratio: float = 0.0,
        chaos_kinds: Iterable[str] = TRANSIENT,
        stall_seconds: float = 3.0,
        slow_seconds: float = 0.3,
        rate_limit_seconds: int = 120,
    ) -> None:
        self.port = port
        self.fail_ratio = fail_ratio
        self.chaos_kinds = tuple(chaos_kinds)
        self.stall_seconds = stall_seconds
        self.slow_seconds = slow_seconds
        self.rate_limit_seconds = rate_limit_seconds
        self.posts: list[RecordedPost] = []
        self.comments: list[RecordedComment] = []
        self.requests: list[Request] = []
        self.reset_at: datetime | None = None  # when the last rate limit told clients to return
        self.lock = threading.RLock()
        self._random = random.Random(seed)
        self._failures: list[_Failure] = []
        self._released = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._next_id = 1000

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Self:
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        server.daemon_threads = True
        server.platform = self  # type: ignore[attr-defined]
        self._server = server
        self.port = server.server_address[1]
        self._released.clear()
        serve = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        serve.start()
        return self

    def stop(self) -> None:
        self._released.set()  # free handlers stalled by a "timeout"
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- what tests look at and control ----------------------------------------------------

    def fail_next(self, kind: str, count: int = 1, *, on: str = "create") -> None:
        """Fail the next `count` requests of operation `on` (create, upload, delete, read, any)."""
        if kind not in FAILURES:
            raise ValueError(f"unknown failure {kind!r}; known: {', '.join(FAILURES)}")
        if on not in OPERATIONS:
            raise ValueError(f"unknown operation {on!r}; known: {', '.join(OPERATIONS)}")
        with self.lock:
            self._failures.append(_Failure(kind, on, count))

    @property
    def live_posts(self) -> list[RecordedPost]:
        with self.lock:
            return [post for post in self.posts if not post.deleted]

    def post(self, post_id: str) -> RecordedPost | None:
        with self.lock:
            return next((p for p in self.posts if p.id == post_id), None)

    def new_id(self) -> str:
        with self.lock:
            self._next_id += 1
            return str(self._next_id)

    def add_comment(self, parent_id: str, author: str, text: str, *, can_hide: bool = True) -> RecordedComment:
        """Someone comments on `parent_id` (what a test does in place of a person)."""
        author_id = str(9_000_000 + sum(map(ord, author)))
        comment = RecordedComment(
            self.comment_id(parent_id), parent_id, author_id, author, text, now(), can_hide=can_hide
        )
        with self.lock:
            self.comments.append(comment)
        return comment

    def comment(self, comment_id: str) -> RecordedComment | None:
        with self.lock:
            return next((c for c in self.comments if c.id == comment_id), None)

    def comments_on(self, parent_id: str) -> list[RecordedComment]:
        with self.lock:
            return [c for c in self.comments if c.parent_id == parent_id and not c.deleted]

    def comment_id(self, parent_id: str) -> str:
        """A new comment's id, shaped as the platform shapes it."""
        return self.new_id()

    def record(self, post: RecordedPost) -> RecordedPost:
        with self.lock:
            self.posts.append(post)
        return post

    # -- what subclasses provide -----------------------------------------------------------

    def operation(self, request: Request) -> str:
        raise NotImplementedError

    def authenticate(self, request: Request) -> Reply | None:
        """None when the credentials are good, else the platform's refusal."""
        raise NotImplementedError

    def route(self, request: Request) -> Reply:
        raise NotImplementedError

    def failure(self, kind: str, request: Request) -> Reply:
        raise NotImplementedError

    def decorate(self, reply: Reply) -> Reply:
        """Headers every answer carries (rate-limit counters, API version)."""
        return reply

    # -- the request cycle -----------------------------------------------------------------

    def handle(self, request: Request) -> Reply | None:
        """The answer, or None to drop the connection without one (a client-side timeout)."""
        with self.lock:
            self.requests.append(request)
        kind = self._take_failure(self.operation(request))
        if kind == "slow":
            self._released.wait(self.slow_seconds)
        elif kind == "timeout":  # stalls before doing anything: nothing happened
            self._released.wait(self.stall_seconds)
            return None
        elif kind is not None and kind != "timeout_after_create":
            return self.decorate(self.failure(kind, request))
        reply = self.authenticate(request) or self.route(request)
        if kind == "timeout_after_create":  # did the work, then never answers in time
            self._released.wait(self.stall_seconds)
            return None
        return self.decorate(reply)

    def _take_failure(self, operation: str) -> str | None:
        with self.lock:
            for failure in self._failures:
                if failure.on in ("any", operation):
                    failure.remaining -= 1
                    if failure.remaining <= 0:
                        self._failures.remove(failure)
                    return failure.kind
            if self.fail_ratio and self._random.random() < self.fail_ratio:
                return self._random.choice(self.chaos_kinds)
        return None


def parse_request(method: str, target: str, headers: email.message.Message, body: bytes) -> Request:
    parts = urlsplit(target)
    request = Request(
        method=method,
        path=parts.path,
        query={k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
        raw_query=parts.query,
        headers=headers,
        body=body,
    )
    content_type = str(headers.get("Content-Type", ""))
    if content_type.startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body.decode(), keep_blank_values=True)
        request.form = {k: v[-1] for k, v in form.items()}
    elif content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in message.iter_parts():  # type: ignore[attr-defined]
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            if part.get_filename() is None:
                request.form[name] = data.decode()
            else:
                request.files[name] = UploadedFile(part.get_filename(), part.get_content_type(), data)
    elif content_type.startswith("application/json") and body:
        request.json = json.loads(body)
    return request


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes; without this, Nagle's algorithm and delayed
        # ACKs add 40 ms to every call on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_DELETE = do_PUT = do_GET

    def _serve(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        platform: FakePlatform = self.server.platform  # type: ignore[attr-defined]
        reply = platform.handle(parse_request(self.command, self.path, self.headers, body))
        if reply is None:
            self.close_connection = True
            return
        # A str body goes out as it is, with its own Content-Type (OAuth 1.0a's form-encoded answers).
        headers = dict(reply.headers)
        content_type = headers.pop("Content-Type", platform.content_type)
        if isinstance(reply.body, str):
            data = reply.body.encode()
        else:
            data = b"" if reply.body is None else json.dumps(reply.body).encode()
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the records
        pass


def now() -> datetime:
    return datetime.now(UTC)


def serve_forever(factory: type[FakePlatform], describe: str) -> None:
    """`python -m tests.fakes.<platform>_server --port N`: a fake for manual demos."""
    parser = argparse.ArgumentParser(description=f"Fake {factory.__name__} on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fail-ratio", type=float, default=0.0)
    args = parser.parse_args()
    with factory(port=args.port, seed=args.seed, fail_ratio=args.fail_ratio) as server:
        print(f"{factory.__name__} listening on {server.url}", flush=True)
        print(describe.format(url=server.url), flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
