"""The one door of every workspace page: the session, the role and, for a POST, the CSRF token are
checked on the server before the page's function runs, in the same transaction as its work.

A page is a plain function `(session, asked) -> Response` (or `Outside`, for a second half that
calls a platform after the commit); `workspace_route` wraps it, so no page
can forget a check. Without a session a GET is sent to the sign-in page and a POST is refused; a
member of another role, or a form not from this session, is refused with 403. The organization
is always the visitor's own: no page takes one from the address.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, TypeVar

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from balise.db import session_scope
from balise.errors import BaliseError, InvalidInput, NotFound, PermissionDenied
from balise.i18n import t
from balise.models import Member, Person
from balise.organizations import ROLES
from balise.pipeline.after_commit import AfterCommit
from balise.posts import MAX_ID
from balise.web.after import run_after
from balise.web.render import refusal
from balise.web.sessions import COOKIE, Visitor, form_token_ok, session_id_of, visitor

MAX_FIELDS = 200  # a checkbox per person of the consent registry
MAX_UPLOAD = 25_000_000  # a few phone photos; the media store then checks each is a supported image


@dataclass(frozen=True)
class Asked:
    """What a page receives: who asks, the address's parameters (the query's, and the path's over
    them) and the fields of a POST."""

    who: Visitor
    params: Mapping[str, Any]
    form: Mapping[str, str]
    after: list[AfterCommit] = field(default_factory=list)  # the steps' work, run once the page's is committed
    files: tuple[Path, ...] = ()  # uploaded files, in a folder removed after the page


@dataclass(frozen=True)
class Outside:
    """A page's second half, run once its transaction is committed: what calls a platform holds no
    transaction (a step's `plan` in the page, its `carry_out` here). Its errors answer as the page's."""

    work: Callable[[], Response]


Page = Callable[[Session, Asked], Response | Outside]
Owned = TypeVar("Owned", Member, Person)


def own_row(session: Session, model: type[Owned], asked: Asked, param: str) -> Owned | None:
    """The row the address names, if it belongs to the visitor's organization; None for another
    organization's or for a number no database column holds (SQLite fails on it instead)."""
    number = int(asked.params[param])
    row = session.get(model, number) if -MAX_ID <= number <= MAX_ID else None
    return row if row is not None and row.org_id == asked.who.org.id else None


class _NotSignedIn(Exception):
    pass


def _run(page: Page, roles: tuple[str, ...], session_id: str | None, params: Mapping[str, Any],
         form: Mapping[str, str] | None, files: tuple[Path, ...]) -> Response:  # fmt: skip
    with session_scope() as session:
        who = visitor(session, session_id)
        if who is None:
            raise _NotSignedIn
        if form is not None and not form_token_ok(who.session_id, form.get("csrf", "")):
            raise PermissionDenied("workspace.form_invalid")
        if who.member.role not in roles:
            raise PermissionDenied("workspace.role_required", role=t("workspace.role_" + who.member.role))
        asked = Asked(who, params, form or {}, files=files)
        response = page(session, asked)
    if asked.after:
        run_after(sum(asked.after, AfterCommit()))
    return response.work() if isinstance(response, Outside) else response


# Messages whose command-line wording names an option or a command: a page says them with its own fields.
ON_A_PAGE = {
    "consent.guardian_required": "workspace.guardian_required",
    "consent.no_platform": "workspace.no_platform",
    "consent.person_exists": "workspace.person_exists",
    "consent.nothing_to_revoke": "workspace.nothing_to_revoke",
    "orgs.empty_name": "workspace.empty_member_name",
    "orgs.last_admin": "workspace.last_admin",
}


def in_words(exc: InvalidInput) -> str:
    """The message as a page says it, naming an uploaded file by its own name, not the temporary
    folder it was put in."""
    if exc.key in ON_A_PAGE:
        return InvalidInput(ON_A_PAGE[exc.key], **exc.params).message()
    if "path" in exc.params:
        return InvalidInput(exc.key, **{**exc.params, "path": Path(str(exc.params["path"])).name}).message()
    return exc.message()


async def _save_upload(upload: UploadFile, folder: Path, number: int) -> Path:
    """The file under its own name (its last part only) in a folder of its own."""
    name = Path(upload.filename or "").name.strip() or "photo"
    target = folder / str(number) / name
    target.parent.mkdir()
    target.write_bytes(await upload.read())
    return target


def workspace_route(
    path: str, page: Page, *, methods: tuple[str, ...] = ("GET",), roles: tuple[str, ...] = ROLES, files: int = 0
) -> Route:
    """A route whose page runs only for a signed-in member of one of `roles`; a POST may carry up
    to `files` files, `MAX_UPLOAD` bytes in all (checked before the body is read)."""

    async def endpoint(request: Request) -> Response:
        form: dict[str, str] | None = None
        with TemporaryDirectory(prefix="balise-envoi-") as folder:
            saved: list[Path] = []
            if request.method == "POST":
                length = request.headers.get("content-length", "")
                if files and (not length.isdigit() or int(length) > MAX_UPLOAD):
                    return refusal(t("workspace.upload_too_big", megabytes=MAX_UPLOAD // 1_000_000), 413)
                async with request.form(max_files=files, max_fields=MAX_FIELDS) as raw:
                    form = {}
                    for key, value in raw.multi_items():
                        if isinstance(value, UploadFile):
                            if value.filename:
                                saved.append(await _save_upload(value, Path(folder), len(saved)))
                        else:
                            form[key] = value
            return await _answer(request, page, roles, form, tuple(saved))

    async def _answer(
        request: Request, page: Page, roles: tuple[str, ...], form: dict[str, str] | None, saved: tuple[Path, ...]
    ) -> Response:
        session_id = session_id_of(request.cookies.get(COOKIE))
        try:
            params = {**request.query_params, **request.path_params}
            return await run_in_threadpool(_run, page, roles, session_id, params, form, saved)
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
