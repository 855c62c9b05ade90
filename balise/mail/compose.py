"""A notice put in words, from the database as it is when the mail is made (never in the
transaction that decided it): the sign-off request, and the news for an author or a responsible
person.

The sign-off request shows the post as it will appear, the gate's findings, and two personal
links (a link is bound to one approver); without BALISE_SECRET_KEY the mail still goes out, with
the commands to use instead of links.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session

from balise.errors import ConfigError
from balise.i18n import t
from balise.mail.letter import Letter
from balise.mail.links import LINK_LIFETIME, decision_url, make_token
from balise.mail.preview import Preview, preview_of
from balise.mail.render import render, stylesheet
from balise.meeting import gather, lines, render_html, when
from balise.models import Meeting, Member, Organization, OutboxMail, Post
from balise.notify import ATTENTION, MEETING, REMINDER, SIGNOFF, News, waiting_on
from balise.states import State

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignoffLinks:
    approve: str
    reject: str


@dataclass(frozen=True)
class SignoffMail:
    subject: str
    text: str
    html: str
    preview: Preview


def _links(post: Post, member: Member) -> SignoffLinks | None:
    assert post.id is not None
    try:
        token = make_token(post, member)
    except ConfigError:
        log.warning("BALISE_SECRET_KEY absent : courriel d'approbation envoyé sans liens (lancez « balise init »)")
        return None
    return SignoffLinks(decision_url(post.id, token, "approuver"), decision_url(post.id, token, "refuser"))


@dataclass(frozen=True)
class _Words:
    """The sentences both parts of the mail share."""

    hello: str
    intro: str
    cli: str


def _words(preview: Preview, member: Member) -> _Words:
    platforms = ", ".join(t(f"web.platform_{p.platform}") for p in preview.platforms)
    return _Words(
        hello=t("notify.signoff_hello", name=member.name),
        intro=t("notify.signoff_intro", author=preview.author, org=preview.org_name, when=preview.when,
                zone=preview.timezone, platforms=platforms),
        cli=t("notify.signoff_cli", post_id=preview.post_id, name=member.name),
    )  # fmt: skip


def _text(preview: Preview, words: _Words, links: SignoffLinks | None) -> str:
    lines = [words.hello, "", words.intro, "", f"— {t('web.text_heading')} —", preview.text]
    if preview.link:
        lines.append(f"{t('web.link_label')} {preview.link}")
    if preview.photos:
        lines.append(t("notify.signoff_photos", names=", ".join(p.name for p in preview.photos)))
    lines += preview.review
    lines += ["", f"— {t('web.findings_heading')} —"]
    for finding in preview.findings:
        clause = f" ({finding['clause']})" if finding.get("clause") else ""
        lines.append(f"- {finding['code']} : {finding['message']}{clause}")
    if not preview.checked:
        lines.append(t("web.not_checked"))
    elif not preview.findings:
        lines.append(t("web.no_findings"))
    lines.append("")
    if links:
        lines += [
            t("notify.signoff_approve", url=links.approve),
            t("notify.signoff_reject", url=links.reject),
            t("notify.signoff_links_note", days=LINK_LIFETIME.days),
            "",
        ]
    lines.append(words.cli)
    return "\n".join(lines)


def signoff_mail(session: Session, post: Post, member: Member, *, reminder: bool) -> SignoffMail:
    """The mail asking `member` to sign `post` off (or reminding them), in both parts."""
    preview = preview_of(session, post)
    links = _links(post, member)
    subject = t("notify.reminder_subject" if reminder else "notify.awaiting_subject", post_id=preview.post_id)
    words = _words(preview, member)
    html = render(
        "signoff.html",
        css=stylesheet(),
        subject=subject,
        hello=words.hello,
        intro=words.intro,
        cli=words.cli,
        preview=preview,
        photo_sources=[f"cid:{p.cid}" for p in preview.photos],
        links=links,
        days=LINK_LIFETIME.days,
    )
    return SignoffMail(subject, _text(preview, words, links), html, preview)


def letter_for(session: Session, notice: OutboxMail) -> Letter | None:
    """The notice's mail; None when it is no longer wanted: its person left, or the sign-off it
    asks for is no longer needed (decided, edited since, or already given by that person)."""
    if notice.kind == MEETING:
        return meeting_letter(session, notice)
    post, member = session.get(Post, notice.post_id), session.get(Member, notice.member_id)
    if post is None or member is None or not member.active:
        return None
    assert post.id is not None
    if notice.kind in (SIGNOFF, REMINDER):
        if post.version != notice.version or post.state != State.AWAITING_SIGNOFF:
            return None
        if member.id not in {m.id for m in waiting_on(session, post)}:
            return None
        request = signoff_mail(session, post, member, reminder=notice.kind == REMINDER)
        return Letter(member.email, request.subject, request.text, request.html, request.preview.photos)
    news = News.from_data(notice.news).words()
    if notice.kind == ATTENTION:
        body = t("notify.attention_body", post_id=post.id, problem=news)
        return Letter(member.email, t("notify.attention_subject", post_id=post.id), body)
    return Letter(member.email, t("notify.author_subject", post_id=post.id), news)


def meeting_letter(session: Session, notice: OutboxMail) -> Letter | None:
    """The team meeting's point, over the period it covered, for a member still on the team."""
    meeting = session.get(Meeting, notice.news.get("params", {}).get("meeting_id"))
    member = session.get(Member, notice.member_id)
    if meeting is None or member is None or not member.active:
        return None
    org = session.get(Organization, meeting.org_id)
    assert org is not None
    data = gather(session, org, meeting.since, meeting.held_at)
    subject = t("meeting.mail_subject", org=org.name, until=when(data, data.until))
    return Letter(member.email, subject, "\n".join(lines(data)), render_html(data))
