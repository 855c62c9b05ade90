"""The approval pages: GET shows the post and the buttons and changes nothing (mail scanners open
links); only a POST from that page, with its CSRF token and cookie, decides, once. And the
calendar of planned posts, at a secret address (`balise calendar url`). The home page says what
the server is and which setting email approval still lacks.

Each decision is one step of `balise.pipeline.signoff`, exactly as `balise approve` / `balise reject`
call it, with `channel="email"` in the audit log; what it returns runs after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from balise.calendar_feed import calendar_ics
from balise.compliance.learned import CODES
from balise.config import get_settings
from balise.db import session_scope
from balise.errors import InvalidInput, PermissionDenied, TransitionRefused
from balise.i18n import t
from balise.mail.preview import Preview, preview_of
from balise.mail.render import stylesheet
from balise.pipeline.after_commit import AfterCommit
from balise.pipeline.signoff import LateSignoff
from balise.web import (
    comments_pages,
    links,
    member_pages,
    month_pages,
    people_pages,
    signin_pages,
    signoff_pages,
    workspace,
    write_pages,
)
from balise.web.after import run_after
from balise.web.deciding import ACTIONS, decide
from balise.web.links import LinkRefused, Opened, check_form_token, form_token, new_nonce, open_link, use_link
from balise.web.readiness import readiness
from balise.web.render import data_address, message, prefix, refusal, render

COOKIE = "balise_form"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # pages carry a bearer link and a CSRF token
}


class SecurityHeaders:
    """Every response, pages and errors alike, carries the security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


def _refused(exc: LinkRefused) -> HTMLResponse:
    return refusal(t(exc.key, None, **exc.params), exc.status)


def _data_uri(preview: Preview) -> list[str]:
    return [data_address(p.mime, p.path.read_bytes()) for p in preview.photos]


@dataclass(frozen=True)
class PageData:
    opened: Opened
    preview: Preview
    photo_sources: list[str]


def _page_data(post_id: int, token: str) -> PageData:
    """Read the post for the page; the transaction writes nothing."""
    with session_scope() as session:
        opened = open_link(session, post_id, token)
        preview = preview_of(session, opened.post)
    return PageData(opened, preview, _data_uri(preview))


async def _page(request: Request, error: str | None = None, status: int = 200) -> Response:
    post_id, token, action = _route(request)
    try:
        data = await run_in_threadpool(_page_data, post_id, token)
    except LinkRefused as exc:
        return _refused(exc)
    nonce = request.cookies.get(COOKIE) or new_nonce()
    title = t("web.title_approve" if action == "approuver" else "web.title_reject", post_id=post_id)
    html = render(
        "decide.html",
        title=title,
        action=action,
        codes=CODES,
        preview=data.preview,
        photo_sources=data.photo_sources,
        member=data.opened.member,
        csrf=form_token(data.opened.link, nonce),
        error=error,
    )
    response = HTMLResponse(html, status_code=status)
    response.set_cookie(
        COOKIE, nonce, max_age=86400, path=f"{prefix()}/signature/", httponly=True, samesite="strict",
        secure=get_settings().public_url.startswith("https://"),
    )  # fmt: skip
    return response


def _route(request: Request) -> tuple[int, str, str]:
    action = request.path_params["action"]
    if action not in ACTIONS:
        raise HTTPException(404)
    return int(request.path_params["post_id"]), str(request.path_params["token"]), action


def _decide(post_id: int, token: str, action: str, form: dict[str, str], nonce: str | None) -> tuple[str, AfterCommit]:
    """Check the link and the form, spend the link and decide, all in one transaction; the news,
    and what the decision leaves for after the commit."""
    with session_scope() as session:
        opened = open_link(session, post_id, token)
        check_form_token(opened.link, form.get("csrf", ""), nonce)
        use_link(session, opened)
        return decide(
            session, opened.org, opened.post, opened.member, action, form, channel="email",
            expected_hash=opened.link.content_hash,
        )  # fmt: skip


async def decision_page(request: Request) -> Response:
    """GET: the preview and the form. Never a change, whatever opens it and however often."""
    return await _page(request)


async def decide_by_link(request: Request) -> Response:
    """POST: the one request that decides."""
    post_id, token, action = _route(request)
    async with request.form(max_files=0, max_fields=10) as raw:
        form = {key: str(value) for key, value in raw.items()}
    try:
        news, after = await run_in_threadpool(_decide, post_id, token, action, form, request.cookies.get(COOKIE))
    except LinkRefused as exc:
        return _refused(exc)
    except LateSignoff:
        return await _page(request, error=t("web.late_choose"), status=409)
    except PermissionDenied as exc:
        return refusal(exc.message(), 403)
    except TransitionRefused as exc:
        return refusal(exc.message(), 409)
    except InvalidInput as exc:
        return await _page(request, error=exc.message(), status=400)
    await run_in_threadpool(run_after, after)  # its publish jobs, and the mail job for its news
    return message(t("web.done_title"), news, 200, ok=True)


def _feed(slug: str, token: str) -> bytes | None:
    with session_scope() as session:
        org = links.calendar_org(session, slug, token)
        return calendar_ics(session, org) if org is not None else None


async def calendar(request: Request) -> Response:
    """The iCalendar feed; a wrong or replaced address is a plain 404 that reveals nothing."""
    feed = await run_in_threadpool(_feed, request.path_params["slug"], request.path_params["token"])
    if feed is None:
        raise HTTPException(404)
    return Response(feed, media_type="text/calendar; charset=utf-8")


async def home(_: Request) -> Response:
    """What this server is and what email approval still lacks, for whoever opens its bare address
    (often the person setting it up); nothing about posts or people."""
    html = render("home.html", title=t("web.home_title"), ready=readiness())
    return HTMLResponse(html)


async def style(_: Request) -> Response:
    return Response(stylesheet(), media_type="text/css")


async def not_found(_: Request, exc: Any) -> Response:
    status = getattr(exc, "status_code", 404)
    key = "web.method_not_allowed" if status == 405 else "web.not_found"
    return refusal(t(key), status)


def create_app() -> ASGIApp:
    routes = [
        Route("/", home, methods=["GET"]),
        Route("/style.css", style, methods=["GET"]),
        Route("/calendrier/{slug}/{token}.ics", calendar, methods=["GET"]),
        Route("/signature/{post_id:int}/{token}/{action}", decision_page, methods=["GET"]),
        Route("/signature/{post_id:int}/{token}/{action}", decide_by_link, methods=["POST"]),
        *signin_pages.ROUTES,
        *workspace.ROUTES,
        *signoff_pages.ROUTES,
        *write_pages.ROUTES,
        *write_pages.PUBLIC_ROUTES,
        *comments_pages.ROUTES,
        *month_pages.ROUTES,
        *member_pages.ROUTES,
        *people_pages.ROUTES,
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
    return SecurityHeaders(app)
