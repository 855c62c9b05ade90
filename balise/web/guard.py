"""The one door of every workspace page: the session, the role and, for a POST, the CSRF token are
checked on the server before the page's function runs, in the same transaction as its work.

A page is a plain function `(session, asked) -> Response`; `workspace_route` wraps it, so no page
can forget a check. Without a session a GET is sent to the sign-in page and a POST is refused; a
member of another role, or a form not from this session, is refused with 403. The organization
is always the visitor's own: no page takes one from the address.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from balise.db import session_scope
from balise.errors import BaliseError, NotFound, PermissionDenied
from balise.i18n import t
from balise.organizations import ROLES
from balise.web.render import refusal
from balise.web.sessions import COOKIE, Visitor, form_token_ok, session_id_of, visitor

MAX_FIELDS = 40


@dataclass(frozen=True)
class Asked:
    """What a page receives: who asks, the path's parameters and the fields of a POST."""

    who: Visitor
    params: Mapping[str, Any]
    form: Mapping[str, str]
    after: list[Callable[[], None]] = field(default_factory=list)  # to run once the work is committed


Page = Callable[[Session, Asked], Response]


class _NotSignedIn(Exception):
    pass


def _run(page: Page, roles: tuple[str, ...], session_id: str | None, params: Mapping[str, Any],
         form: Mapping[str, str] | None) -> Response:  # fmt: skip
    with session_scope() as session:
        who = visitor(session, session_id)
        if who is None:
            raise _NotSignedIn
        if form is not None and not form_token_ok(who.session_id, form.get("csrf", "")):
            raise PermissionDenied("workspace.form_invalid")
        if who.member.role not in roles:
            raise PermissionDenied("workspace.role_required", role=t("workspace.role_" + who.member.role))
        asked = Asked(who, params, form or {})
        response = page(session, asked)
    for step in asked.after:
        step()
    return response


def workspace_route(
    path: str, page: Page, *, methods: tuple[str, ...] = ("GET",), roles: tuple[str, ...] = ROLES
) -> Route:
    """A route whose page runs only for a signed-in member of one of `roles`."""

    async def endpoint(request: Request) -> Response:
        form: dict[str, str] | None = None
        if request.method == "POST":
            async with request.form(max_files=0, max_fields=MAX_FIELDS) as raw:
                form = {key: str(value) for key, value in raw.items()}
        session_id = session_id_of(request.cookies.get(COOKIE))
        try:
            return await run_in_threadpool(_run, page, roles, session_id, dict(request.path_params), form)
        except _NotSignedIn:
            if form is not None:
                return refusal(t("workspace.signed_out"), 401)
            return RedirectResponse(request.url_for("sign_in_form"), status_code=303)
        except PermissionDenied as exc:
            return refusal(exc.message(), 403)
        except NotFound as exc:
            return refusal(exc.message(), 404)
        except BaliseError as exc:
            return refusal(exc.message(), 400)

    return Route(path, endpoint, methods=list(methods), name=page.__name__)
