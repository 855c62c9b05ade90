"""Registry and post builders for the consent tests, through balise's own functions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from balise.config import get_settings
from balise.consent import add_person, grant
from balise.db import session_scope
from balise.models import ComplianceResult, Member, Organization, Post, utcnow
from balise.pipeline.check import check_post
from balise.pipeline.draft import DraftInput, create_post
from tests.consent.images import PHOTOS

TEXT = "Retour en photos sur notre atelier de prévention de la violence avec les parents."


def person(org_id: int, name: str, *, guardian: str | None = None) -> None:
    """A person in the registry; a minor when a guardian is given."""
    with session_scope() as session:
        org = session.get(Organization, org_id)
        assert org
        add_person(session, org, name=name, minor=guardian is not None, guardian=guardian, guardian_email=None,
                   actor="test")  # fmt: skip


def consent(
    org_id: int, name: str, platforms: tuple[str, ...], *, days: int | None = None, by_guardian: bool = False
) -> None:
    """A consent valid `days` from now (negative: already expired), or with no end."""
    with session_scope() as session:
        org = session.get(Organization, org_id)
        assert org
        until = utcnow() + timedelta(days=days) if days is not None else None
        grant(session, org, name, platforms=platforms, until=until, by_guardian=by_guardian, evidence=None,
              evidence_dir=get_settings().data_path / "media" / "consents", actor="test")  # fmt: skip


def photo_post(
    org_id: int, author_id: int, people: tuple[str, ...], *, photo: Path = PHOTOS / "astronaut.jpg",
    platforms: tuple[str, ...] = ("sandbox",),
) -> int:  # fmt: skip
    with session_scope() as session:
        org, author = session.get(Organization, org_id), session.get(Member, author_id)
        assert org and author
        draft = DraftInput(TEXT, platforms, utcnow(), photos=(photo,), people=people)
        post = create_post(session, org, author, draft, get_settings().data_path / "media")
        assert post.id
        return post.id


def gate(post_id: int) -> tuple[str, list[dict[str, object]]]:
    """Run the compliance job on the post's current version; the verdict and its reasons."""
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        version = post.version
    check_post(post_id, version)
    with session_scope() as session:
        result = session.exec(
            select(ComplianceResult).where(ComplianceResult.post_id == post_id).order_by(ComplianceResult.id.desc())  # type: ignore[union-attr]
        ).first()
        assert result
        return result.verdict, result.reasons
