"""The sign-in pages, the only workspace pages open without a session: ask for a link, open it
(GET shows a button and spends nothing), sign in (POST), and sign out.

Their forms carry a CSRF token bound to a cookie of the visit (`ANON_COOKIE`), since there is no
session yet to bind it to.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from balise.db import session_scope
from balise.i18n import t
from balise.web.links import LinkRefused
from balise.web.render import message, prefix, refusal, render
from balise.web.sessions import (
    ANON_COOKIE,
    COOKIE,
    LONGEST,
    cookie_value,
    form_token,
    form_token_ok,
    new_nonce,
    secure_cookies,
    session_id_of,
)
from balise.web.signin import LINK_LIFETIME, TooManyAsks, ask_for_link, end_session, open_sign_in, sign_in

MAX_EMAIL = 320


def _binding(nonce: str) -> str:
    return f"visite:{nonce}"


def _anonymous_page(request: Request, template: str, status: int = 200, **context: object) -> Response:
    """A page with a form shown before sign-in; its token is bound to the visit's cookie."""
    nonce = request.cookies.get(ANON_COOKIE) or new_nonce()
    html = render(template, csrf=form_token(_binding(nonce)), **context)
    response = Response(html, status_code=status, media_type="text/html")
    response.set_cookie(
        ANON_COOKIE, nonce, max_age=int(LONGEST.total_seconds()), path=f"{prefix()}/", httponly=True,
        samesite="strict", secure=secure_cookies(),
    )  # fmt: skip
    return response


async def _anonymous_form(request: Request) -> dict[str, str] | None:
    """The POSTed fields, or None when the form is not one this visit was shown."""
    async with request.form(max_files=0, max_fields=4) as raw:
        form = {key: str(value) for key, value in raw.items()}
    nonce = request.cookies.get(ANON_COOKIE)
    return form if nonce and form_token_ok(_binding(nonce), form.get("csrf", "")) else None


async def sign_in_form(request: Request) -> Response:
    return _anonymous_page(request, "signin.html", title=t("workspace.signin_title"), error=None)


async def ask_link(request: Request) -> Response:
    """Mail the link; the answer is the same whether the email is a member's or not."""
    form = await _anonymous_form(request)
    if form is None:
        return refusal(t("workspace.form_invalid"), 403)
    email = form.get("email", "").strip()
    if "@" not in email or len(email) > MAX_EMAIL:
        error = t("workspace.email_invalid")
        return _anonymous_page(request, "signin.html", 400, title=t("workspace.signin_title"), error=error)
    address = request.client.host if request.client else "?"
    try:
        await run_in_threadpool(ask_for_link, email, address)
    except TooManyAsks:
        return refusal(t("workspace.too_many_asks"), 429)
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    return message(t("workspace.link_sent_title"), t("workspace.link_sent", email=email, minutes=minutes), 200, ok=True)


async def sign_in_page(request: Request) -> Response:
    """GET of the emailed link: who it signs in and a button. Opening it spends nothing."""
    try:
        member = await run_in_threadpool(open_sign_in, request.path_params["token"])
    except LinkRefused as exc:
        return refusal(t(exc.key, None, **exc.params), exc.status)
    return _anonymous_page(request, "signin_link.html", title=t("workspace.signin_title"), name=member.name)


async def sign_in_now(request: Request) -> Response:
    """POST of the link's page: spend the link, replace any earlier session, set the cookie."""
    form = await _anonymous_form(request)
    if form is None:
        return refusal(t("workspace.form_invalid"), 403)
    replacing = session_id_of(request.cookies.get(COOKIE))
    try:
        session_id = await run_in_threadpool(sign_in, request.path_params["token"], replacing)
    except LinkRefused as exc:
        return refusal(t(exc.key, None, **exc.params), exc.status)
    response = RedirectResponse(request.url_for("home_page"), status_code=303)
    response.set_cookie(
        COOKIE, cookie_value(session_id), max_age=int(LONGEST.total_seconds()), path=f"{prefix()}/", httponly=True,
        samesite="lax", secure=secure_cookies(),
    )  # fmt: skip
    return response


def _sign_out(session_id: str | None) -> None:
    if session_id:
        with session_scope() as session:
            end_session(session, session_id)


async def sign_out(request: Request) -> Response:
    """End the session on the server (a copied cookie dies with it) and forget the cookie."""
    session_id = session_id_of(request.cookies.get(COOKIE))
    async with request.form(max_files=0, max_fields=4) as raw:
        token = str(raw.get("csrf", ""))
    if session_id and not form_token_ok(session_id, token):
        return refusal(t("workspace.form_invalid"), 403)
    await run_in_threadpool(_sign_out, session_id)
    response = message(t("workspace.signed_out_title"), t("workspace.signed_out_text"), 200, ok=True)
    response.delete_cookie(COOKIE, path=f"{prefix()}/", httponly=True, samesite="lax", secure=secure_cookies())
    return response


ROUTES = [
    Route("/connexion", sign_in_form, methods=["GET"], name="sign_in_form"),
    Route("/connexion", ask_link, methods=["POST"]),
    Route("/connexion/{token}", sign_in_page, methods=["GET"]),
    Route("/connexion/{token}", sign_in_now, methods=["POST"]),
    Route("/deconnexion", sign_out, methods=["POST"]),
]
