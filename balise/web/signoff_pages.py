"""The approver's inbox in the workspace: what waits for their sign-off (`balise.pipeline.signoff.inbox`,
as `balise signoff inbox` lists it), each post with all `draft show` says, and the approve and
refuse forms. The four eyes hold on the server: a post that is not in the member's inbox (their
own, another organization's, no longer waiting) has no page, and `approve` refuses its authors.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session
from starlette.responses import Response

from balise.compliance.learned import CODES
from balise.errors import NotFound
from balise.i18n import t
from balise.mail.preview import Preview, preview_of
from balise.models import Photo, Post
from balise.pipeline.signoff import inbox
from balise.posts import get_post, people_in, photos_of
from balise.web.deciding import ACTIONS, decide
from balise.web.guard import Asked, workspace_route
from balise.web.render import data_address, message
from balise.web.workspace import APPROVERS, Shown, consent_rows, page


@dataclass(frozen=True)
class PhotoView:
    source: str  # a data: address of the copy the platforms get
    name: str
    people: list[tuple[str, bool, list[Shown]]]  # name, minor, consents


def _consents(session: Session, asked: Asked, photo: Photo) -> list[tuple[str, bool, list[Shown]]]:
    return [
        (person.name, person.is_minor, consent_rows(session, asked.who.org, person))
        for person in people_in(session, photo)
    ]


def _photos(session: Session, asked: Asked, post: Post, preview: Preview) -> list[PhotoView]:
    return [
        PhotoView(data_address(inline.mime, inline.path.read_bytes()), inline.name, _consents(session, asked, photo))
        for inline, photo in zip(preview.photos, photos_of(session, post), strict=True)
    ]


def _waiting(session: Session, asked: Asked) -> Post:
    """The post of the address, if it waits for this member: never their own nor another org's."""
    post = get_post(session, asked.who.org, int(asked.params["post_id"]))
    if post.id not in {p.id for p in inbox(session, asked.who.org, asked.who.member)}:
        raise NotFound("workspace.not_in_inbox", post_id=post.id)
    return post


def inbox_page(session: Session, asked: Asked) -> Response:
    posts = [preview_of(session, post) for post in inbox(session, asked.who.org, asked.who.member)]
    return page(asked, "inbox.html", t("workspace.inbox_title"), previews=posts)


def post_to_sign_off(session: Session, asked: Asked) -> Response:
    post = _waiting(session, asked)
    preview = preview_of(session, post)
    return page(
        asked, "signoff.html", t("workspace.signoff_title", post_id=post.id), preview=preview, codes=CODES,
        photos=_photos(session, asked, post, preview), content_hash=post.content_hash,
    )  # fmt: skip


def decide_in_workspace(session: Session, asked: Asked) -> Response:
    action = str(asked.params["action"])
    if action not in ACTIONS:
        raise NotFound("workspace.not_in_inbox", post_id=asked.params["post_id"])
    post = get_post(session, asked.who.org, int(asked.params["post_id"]))
    news, after = decide(
        session, asked.who.org, post, asked.who.member, action, asked.form, channel="web",
        expected_hash=asked.form.get("version") or None,
    )  # fmt: skip
    asked.after.append(after)
    return message(t("web.done_title"), news, 200, ok=True)


ROUTES = [
    workspace_route("/espace/signature", inbox_page, roles=APPROVERS),
    workspace_route("/espace/signature/{post_id:int}", post_to_sign_off, roles=APPROVERS),
    workspace_route(
        "/espace/signature/{post_id:int}/{action}", decide_in_workspace, methods=("POST",), roles=APPROVERS
    ),
]
