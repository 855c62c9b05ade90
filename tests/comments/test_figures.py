"""Response times and counts per category, as the activity report shows them."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from balise.comments.figures import comment_figures
from balise.db import session_scope
from balise.models import Comment, Organization, Target, utcnow
from balise.report import duration_text, gather, parse_period, render_csv, render_html
from tests.helpers import make_org, make_post


def test_the_report_counts_comments_per_category_and_their_response_times(env: dict[str, str]) -> None:
    org_id, author_id, _ = make_org()
    post_id = make_post(org_id, author_id)
    now = utcnow()
    with session_scope() as session:
        target = session.exec(select(Target).where(Target.post_id == post_id)).one()
        for minutes in range(1, 11):  # answered after 1 to 10 minutes
            written = now - timedelta(hours=2)
            session.add(
                Comment(
                    org_id=org_id, post_id=post_id, target_id=target.id or 0, platform="sandbox",
                    remote_id=f"c{minutes}", author="Fanny", text="Merci", written_at=written,
                    category="help_request" if minutes <= 2 else "ordinary", urgent=minutes <= 2,
                    state="done", answered_at=written + timedelta(minutes=minutes),
                )
            )  # fmt: skip
        session.add(
            Comment(
                org_id=org_id, post_id=post_id, target_id=target.id or 0, platform="sandbox", remote_id="w",
                author="Troll", text="Gagnez", written_at=now - timedelta(minutes=5), category="spam",
            )
        )  # fmt: skip
    with session_scope() as session:
        org = session.get(Organization, org_id)
        assert org
        figures = comment_figures(session, org, now - timedelta(days=1), now + timedelta(minutes=1))
        zone = ZoneInfo(org.timezone)
        today = now.astimezone(zone).date()
        data = gather(session, org, parse_period(str(today - timedelta(days=1)), str(today), zone))

    assert figures.categories == {"help_request": 2, "child_contact": 0, "prejudice": 0, "spam": 1, "ordinary": 8}
    assert figures.median == timedelta(minutes=5.5)
    assert figures.p90 == timedelta(minutes=9.1)
    assert figures.urgent_median == timedelta(minutes=1.5)
    assert figures.waiting == 1
    page = render_html(data)
    assert "Délai de réponse médian" in page and duration_text(figures.median) in page and "demande d&#39;aide" in page
    assert "delais_reponse_commentaires" in render_csv(data).decode("utf-8-sig")
