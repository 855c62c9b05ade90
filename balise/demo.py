"""`balise demo`: the whole pipeline on the sandbox, with realistic drafts, in one command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import select

from balise.config import get_settings
from balise.db import session_scope
from balise.models import Member, Organization, utcnow
from balise.organizations import DEMO_SLUG, add_member, create_organization, org_zone
from balise.pipeline.after_commit import AfterCommit, run_after_commit
from balise.pipeline.draft import DraftInput, add_post
from balise.pipeline.signoff import LateChoice, approve
from balise.posts import current_check, get_post, targets_of
from balise.queue.queues import COMPLIANCE, PUBLISH
from balise.queue.worker import run_worker
from balise.states import State

AUTHOR, APPROVER = "Marie Tremblay (démo)", "Julie Gagnon (démo)"

DRAFTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Offre d'emploi : ESPACE recrute une animatrice ou un animateur à temps partiel pour ses "
        "ateliers de prévention dans les écoles primaires. Envoyez votre CV avant le 15 janvier.",
        ("sandbox",),
    ),
    (
        "Le 20 novembre, c'est la Journée nationale des enfants! Cette année, nous rappelons que "
        "chaque enfant a le droit de vivre en sécurité, sans violence.",
        ("sandbox",),
    ),
    (
        "Formation gratuite pour les parents : comment parler de prévention des agressions avec "
        "son enfant. Mardi 3 février, 19 h, à nos locaux. Inscription par téléphone.",
        ("sandbox",),
    ),
    ("Joyeux anniversaire à notre collègue Sophie qui fête ses 40 ans aujourd'hui!", ("sandbox",)),
    (
        "Vous vivez une situation difficile avec votre enfant? Écrivez-nous en message privé : "
        "notre intervenante vous accompagnera dans vos démarches.",
        ("sandbox",),
    ),
    (
        "Retour sur notre formation « Prévenir la violence faite aux enfants » : merci aux 45 "
        "personnes présentes! " + "Nous avons parlé des droits des enfants, du rôle des adultes "
        "et des ressources de la région. " * 3,
        ("sandbox", "x"),
    ),
)


@dataclass(frozen=True)
class DemoRow:
    post_id: int
    state: str
    platforms: list[tuple[str, str, str | None]]  # platform, state, url
    reasons: list[str]
    text: str


def _setup() -> None:
    with session_scope() as session:
        org = session.exec(select(Organization).where(Organization.slug == DEMO_SLUG)).first()
        if org is None:
            org = create_organization(session, slug=DEMO_SLUG, name="ESPACE Démo", timezone=get_settings().timezone)
            add_member(session, org, name=AUTHOR, email="marie@demo.invalid", role="author", actor="demo")
            add_member(session, org, name=APPROVER, email="julie@demo.invalid", role="approver", actor="demo")


def run_demo(step: Callable[[str], None]) -> list[DemoRow]:
    """Add the drafts, gate them, sign off the approved ones, publish; returns what happened."""
    step("setup")
    _setup()
    ids: list[int] = []
    checks = AfterCommit()
    with session_scope() as session:
        org = session.exec(select(Organization).where(Organization.slug == DEMO_SLUG)).one()
        author = session.exec(select(Member).where(Member.org_id == org.id, Member.name == AUTHOR)).one()
        for text, platforms in DRAFTS:
            draft = DraftInput(text=text, platforms=platforms, scheduled_at=utcnow())
            post, after = add_post(session, org, author, draft, get_settings().data_path / "media")
            assert post.id is not None
            ids.append(post.id)
            checks += after
    run_after_commit(checks)
    step("compliance")
    run_worker([COMPLIANCE], burst=True, with_scheduler=False)
    step("signoff")
    with session_scope() as session:
        org = session.exec(select(Organization).where(Organization.slug == DEMO_SLUG)).one()
        approver = session.exec(select(Member).where(Member.org_id == org.id, Member.name == APPROVER)).one()
        publishes = AfterCommit()
        for post_id in ids:
            post = get_post(session, org, post_id)
            if post.state == State.AWAITING_SIGNOFF:
                publishes += approve(session, org, post, approver, channel="demo", late=LateChoice(now=True))
    run_after_commit(publishes)
    step("publish")
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    return _rows(ids)


def _rows(ids: list[int]) -> list[DemoRow]:
    rows = []
    with session_scope() as session:
        org = session.exec(select(Organization).where(Organization.slug == DEMO_SLUG)).one()
        org_zone(org)
        for post_id in ids:
            post = get_post(session, org, post_id)
            check = current_check(session, post)
            reasons = [f"{r['code']} : {r['message']}" for r in (check.reasons if check else [])]
            targets = [(t.platform, t.state, t.url) for t in targets_of(session, post)]
            rows.append(DemoRow(post_id, post.state, targets, reasons, post.text))
    return rows
