"""The consent step: a withdrawn or expired consent reaches every post showing the person.

Published posts are withdrawn and taken down on each platform; the ones not yet published go
back to the gate, where they now fail. The registry itself (people, consents) is `balise.consent`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from balise import audit
from balise.consent import consent_problems, consents_of, find_person
from balise.errors import InvalidInput
from balise.i18n import t
from balise.models import Organization, Person, Photo, PhotoPerson, Post, utcnow
from balise.notify import News, tell_responsible
from balise.pipeline.after_commit import AfterCommit
from balise.pipeline.takedown import withdraw
from balise.states import BACK_TO_GATE, State, record_edit

TAKEDOWN_REASON = "consentement retiré"


@dataclass
class Consequences:
    """What a withdrawal or an expiry did, and the jobs it calls for after the commit."""

    withdrawn: list[int] = field(default_factory=list)  # published posts now `withdrawn`
    after: AfterCommit = field(default_factory=AfterCommit)  # their takedowns, the re-checks

    @property
    def rechecks(self) -> list[tuple[int, int]]:
        """(post id, version) of the posts sent back to the gate."""
        return self.after.checks


@dataclass(frozen=True)
class WithdrawalPlan:
    """What withdrawing a person's consent would do, before it is done: the page that asks to
    confirm shows it; `revoke` acts on the same posts."""

    person: Person
    taken_down: list[Post]  # published: withdrawn and deleted on each platform
    rechecked: list[Post]  # planned, not yet out: back to the gate, where they fail


def withdrawal_plan(session: Session, org: Organization, person_name: str) -> WithdrawalPlan:
    """The posts showing the person that a withdrawal takes down or stops; nothing is written."""
    person = find_person(session, org, person_name)
    showing = _posts_showing(session, person)
    return WithdrawalPlan(
        person,
        [post for post in showing if post.state == State.PUBLISHED],
        [post for post in showing if post.state in BACK_TO_GATE],
    )


def revoke(
    session: Session, org: Organization, person_name: str, *, reason: str | None, actor: str, channel: str = "cli"
) -> Consequences:
    """Withdraw every current consent of a person, and act on each post that shows them."""
    plan = withdrawal_plan(session, org, person_name)
    person = plan.person
    now = utcnow()
    current = [c for c in consents_of(session, person) if c.revoked_at is None]
    if not current:
        raise InvalidInput("consent.nothing_to_revoke", name=person.name)
    for consent in current:
        consent.revoked_at, consent.revoke_reason = now, reason
        session.add(consent)
    assert org.id is not None
    audit.record(
        session, org_id=org.id, actor=actor, channel=channel, action="consent_revoked",
        reason=f"{person.name}" + (f" : {reason}" if reason else ""),
    )  # fmt: skip
    session.flush()
    posts = [*plan.taken_down, *plan.rechecked]
    return _act_on_posts(session, posts, actor=actor, channel=channel, news_of=person.name)


def sweep(session: Session, actor: str) -> Consequences:
    """Posts not yet published whose photos no longer have every consent they need (expired,
    withdrawn) go back to the gate; `balise tick` runs it every minute."""
    query = (
        select(Post)
        .join(Photo, col(Photo.post_id) == Post.id)
        .join(PhotoPerson, col(PhotoPerson.photo_id) == Photo.id)
        .where(col(Post.state).in_([s.value for s in BACK_TO_GATE]))
        .distinct()
    )
    now = utcnow()
    stale = [post for post in session.exec(query) if consent_problems(session, post, now)]
    return _act_on_posts(session, stale, actor=actor, channel="cron", news_of=None)


def _act_on_posts(
    session: Session, posts: Sequence[Post], *, actor: str, channel: str, news_of: str | None
) -> Consequences:
    """Published posts are withdrawn (a takedown per platform); posts not yet out are re-gated."""
    done = Consequences()
    for post in posts:
        assert post.id is not None
        if post.state == State.PUBLISHED:
            done.after += withdraw(session, post, actor=actor, reason=TAKEDOWN_REASON, channel=channel)
            done.withdrawn.append(post.id)
            news = News("consent.withdrawn_news", {"post_id": post.id, "name": news_of or "?"})
            tell_responsible(session, post, "consent-withdrawn", news)
        elif post.state in BACK_TO_GATE:
            what = f"{TAKEDOWN_REASON} ({news_of})" if news_of else t("consent.expired_edit", lang="fr")
            record_edit(session, post, actor=actor, channel=channel, what=what)
            done.after += AfterCommit.check(post)
    return done


def _posts_showing(session: Session, person: Person) -> list[Post]:
    query = (
        select(Post)
        .join(Photo, col(Photo.post_id) == Post.id)
        .join(PhotoPerson, col(PhotoPerson.photo_id) == Photo.id)
        .where(PhotoPerson.person_id == person.id)
        .distinct()
        .order_by(col(Post.id))
    )
    return list(session.exec(query))
