"""Writing a post in the workspace: the form (text, platforms, link, time in the organization's
zone, « demain 10 h » accepted), the live check as the member types (the gate's verdict, reasons
with their clause and the words concerned, X's weighted length: a small JSON answer that
`write.js` shows), and the save, which creates the draft and sends it to the gate as
`balise draft add` does (`pipeline.draft.add_post`, its check job run after the commit).
The form works without JavaScript; only the live check needs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from balise.compliance import Draft, load_policy
from balise.compliance.gate import check_draft
from balise.config import get_settings
from balise.consent import people
from balise.errors import InvalidInput
from balise.i18n import t
from balise.media.images import preview_image
from balise.media.store import MIME
from balise.organizations import org_zone
from balise.pipeline.draft import DraftInput, add_post
from balise.platforms import PLATFORMS
from balise.platforms.x_length import weighted_length
from balise.timeparse import parse_when
from balise.web.guard import Asked, in_words, workspace_route
from balise.web.previews import previews
from balise.web.render import data_address, message
from balise.web.workspace import consent_rows, page

MAX_PHOTOS = 4  # Facebook and X both take up to 4 photos in one post
MAX_TEXT = 10_000  # far beyond every platform's limit: the gate says what is too long


def _platforms(form: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(name for name in PLATFORMS if form.get(f"plateforme_{name}"))


def _form_page(
    session: Session, asked: Asked, values: Mapping[str, str], error: str | None = None, status: int = 200,
    photos: Sequence[tuple[str, str]] = (),
) -> Response:  # fmt: skip
    registry = [(person, consent_rows(session, asked.who.org, person)) for person in people(session, asked.who.org)]
    response = page(
        asked, "write.html", t("workspace.write_title"), values=values, error=error, platforms=list(PLATFORMS),
        zone=asked.who.org.timezone, registry=registry,
        previews=previews(values.get("texte", "")[:MAX_TEXT], values.get("lien", "").strip()), photos=photos,
    )  # fmt: skip
    response.status_code = status
    return response


def write_page(session: Session, asked: Asked) -> Response:
    return _form_page(session, asked, {})


def live_check(_: Session, asked: Asked) -> Response:
    """The gate's verdict on the text as it is now; nothing is written."""
    text = asked.form.get("texte", "")[:MAX_TEXT]
    org = asked.who.org
    platforms = _platforms(asked.form) or ("facebook",)
    verdict = check_draft(Draft(text, platforms, timezone=org.timezone), load_policy(org.policy_override))
    x_max = PLATFORMS["x"].limits.weighted_max
    return JSONResponse({
        "verdict": verdict.verdict,
        "label": t("compliance.verdict_" + verdict.verdict),
        "reasons": [reason.to_dict() for reason in verdict.reasons],
        "x_length": weighted_length(text),
        "x_max": x_max,
        "x_label": t("workspace.x_length", length=weighted_length(text), limit=x_max),
        "previews": [shown.to_dict() for shown in previews(text, asked.form.get("lien", "").strip())],
    })  # fmt: skip


def _people(session: Session, asked: Asked) -> tuple[str, ...]:
    """The registry's people ticked on the form (by id: a name may hold any character)."""
    return tuple(p.name for p in people(session, asked.who.org) if asked.form.get(f"personne_{p.id}"))


def save(session: Session, asked: Asked) -> Response:
    """Create the draft as `balise draft add` does; a wrong field shows the form again, kept. The
    preview button (for a browser without JavaScript) only shows the form again, with its previews."""
    form, org = asked.form, asked.who.org
    if form.get("apercu"):
        try:
            photos = [(data_address(MIME["JPEG"], preview_image(path)), path.name) for path in asked.files]
        except InvalidInput as exc:
            return _form_page(session, asked, form, in_words(exc), 400)
        return _form_page(session, asked, form, photos=photos)
    when_text = form.get("quand", "").strip() or form.get("date", "").replace("T", " ").strip()
    try:
        if not when_text:
            raise InvalidInput("workspace.when_required")
        draft = DraftInput(
            text=form.get("texte", "")[:MAX_TEXT], platforms=_platforms(form),
            scheduled_at=parse_when(when_text, org_zone(org)), link=form.get("lien", "").strip() or None,
            photos=asked.files, people=_people(session, asked),
        )  # fmt: skip
        post, after = add_post(session, org, asked.who.member, draft, get_settings().data_path / "media")
    except InvalidInput as exc:  # raised before anything was written
        return _form_page(session, asked, form, in_words(exc), 400)
    asked.after.append(after)
    return message(t("workspace.saved_title"), t("workspace.saved", post_id=post.id), 200, ok=True)


async def script(_: Request) -> Response:
    """The live check's script: a file, never inline (the pages' CSP allows no inline script)."""
    source = resources.files("balise.web").joinpath("static/write.js").read_text(encoding="utf-8")
    return Response(source, media_type="text/javascript; charset=utf-8")


ROUTES = [
    workspace_route("/espace/ecrire", write_page),
    workspace_route("/espace/ecrire", save, methods=("POST",), files=MAX_PHOTOS),
    workspace_route("/espace/verifier", live_check, methods=("POST",)),
]
PUBLIC_ROUTES = [Route("/ecrire.js", script, methods=["GET"])]
