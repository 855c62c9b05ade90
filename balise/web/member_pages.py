"""The organization's members and their roles in the workspace: everyone sees who is there and
who may approve; an admin adds a member or changes a role through `organizations.add_member` and
`organizations.set_role`, the functions behind `balise member add` and `balise member role`, so
the same rules hold (an admin only, a name once, the last admin stays admin).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session
from starlette.responses import Response

from balise.errors import InvalidInput, NotFound
from balise.i18n import t
from balise.models import Member
from balise.organizations import ROLES, add_member, members, set_role
from balise.web.guard import Asked, in_words, own_row, workspace_route
from balise.web.workspace import page

ADMINS = ("admin",)


def _members_page(
    session: Session, asked: Asked, *, values: Mapping[str, str] | None = None, error: str | None = None,
    notice: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    response = page(
        asked, "members.html", t("workspace.members_title"), members=members(session, asked.who.org), roles=ROLES,
        can_manage=asked.who.member.role in ADMINS, values=values or {}, error=error, notice=notice,
    )  # fmt: skip
    response.status_code = status
    return response


def members_page(session: Session, asked: Asked) -> Response:
    return _members_page(session, asked)


def new_member(session: Session, asked: Asked) -> Response:
    """`balise member add`, from the form; a wrong field shows the page again with what was typed."""
    form, who = asked.form, asked.who
    try:
        added = add_member(
            session, who.org, name=form.get("nom", ""), email=form.get("courriel", "").strip(),
            role=form.get("role", ""), actor=who.member, channel="web",
        )  # fmt: skip
    except InvalidInput as exc:  # raised before anything was written
        return _members_page(session, asked, values=form, error=in_words(exc), status=400)
    role = t("workspace.role_" + added.role)
    return _members_page(session, asked, notice=t("workspace.member_added", name=added.name, role=role))


def new_role(session: Session, asked: Asked) -> Response:
    """`balise member role`: the member of the address, in the visitor's organization only."""
    member = own_row(session, Member, asked, "member_id")
    if member is None or not member.active:
        raise NotFound("workspace.unknown_member")
    try:
        changed = set_role(session, asked.who.org, member.name, asked.form.get("role", ""), actor=asked.who.member,
                           channel="web")  # fmt: skip
    except InvalidInput as exc:  # the last admin, an unknown role: nothing was written
        return _members_page(session, asked, error=in_words(exc), status=400)
    role = t("workspace.role_" + changed.role)
    return _members_page(session, asked, notice=t("workspace.member_role_changed", name=changed.name, role=role))


ROUTES = [
    workspace_route("/espace/membres", members_page),
    workspace_route("/espace/membres", new_member, methods=("POST",), roles=ADMINS),
    workspace_route("/espace/membres/{member_id:int}/role", new_role, methods=("POST",), roles=ADMINS),
]
