"""What the comments part does with what it cannot choose: empty, very long or foreign comments,
a comment deleted on the platform, an action on a comment deleted meanwhile, a rate limit, a reply
the gate stops. A clear French message, nothing lost, the rest of the inbox still handled."""

from __future__ import annotations

import pytest
from sqlmodel import select

from balise.config import reset_settings
from balise.db import session_scope
from balise.models import CommentFetch
from tests.comments.conftest import Published, stored
from tests.helpers import log_in_as, run_in_process


def test_empty_long_and_foreign_comments_are_kept_and_listed(published: Published) -> None:
    post = published.remote["facebook"]
    long_text = "Bonjour. " * 1111 + "Fin"  # 10,002 characters
    for text in ("", long_text, "Dziękuję bardzo za warsztaty dla rodziców!"):
        published.facebook.add_comment(post, "Quelqu'un", text)

    fetched = run_in_process(["comments", "fetch"])
    inbox = run_in_process(["comments"])

    assert fetched.code == 0 and "3 nouveau(x)" in fetched.stdout, fetched.stderr
    assert set(stored()) == {"", long_text, "Dziękuję bardzo za warsztaty dla rodziców!"}
    assert inbox.code == 0 and "sans texte" in inbox.stdout and "Dziękuję" in inbox.stdout
    assert len(inbox.stdout) < 4000  # a long comment is shortened in the inbox, kept whole in the database


def test_a_comment_on_a_post_balise_never_published_is_not_taken_for_ours(published: Published) -> None:
    published.facebook.add_comment("1122334455667788_999999", "Quelqu'un", "Sur une autre publication")
    published.facebook.add_comment(published.remote["facebook"], "Fanny", "Merci!")

    fetched = run_in_process(["comments", "fetch"])

    assert fetched.code == 0 and set(stored()) == {"Merci!"}


def test_a_comment_deleted_on_the_platform_is_marked_so(published: Published) -> None:
    kept = published.facebook.add_comment(published.remote["facebook"], "Fanny", "Merci!")
    gone = published.facebook.add_comment(published.remote["facebook"], "Troll", "Bande d'idiots")
    run_in_process(["comments", "fetch"])
    gone.deleted = True

    again = run_in_process(["comments", "fetch"])

    assert "1 supprimé(s)" in again.stdout, again.stdout
    comments = stored()
    assert comments["Bande d'idiots"].state == "deleted" and comments["Bande d'idiots"].gone_at is not None
    assert comments["Merci!"].state == "new" and comments["Merci!"].remote_id == kept.id


def test_an_action_on_a_comment_deleted_meanwhile_is_explained_and_the_rest_handled(published: Published) -> None:
    insult = published.facebook.add_comment(published.remote["facebook"], "Troll", "Bande d'idiots")
    published.facebook.add_comment(published.remote["facebook"], "Fanny", "Merci!")
    run_in_process(["comments", "fetch"])
    insult.deleted = True  # its author deleted it before anyone acted
    log_in_as(published.approver_id)

    hidden = run_in_process(["comments", "hide", str(stored()["Bande d'idiots"].id)])
    again = run_in_process(["comments", "hide", str(stored()["Bande d'idiots"].id)])
    done = run_in_process(["comments", "done", str(stored()["Merci!"].id)])

    assert hidden.code != 0 and "n'existe plus sur Facebook" in hidden.stderr, hidden.stderr
    assert "Traceback" not in hidden.stderr
    assert again.code != 0 and "supprimé sur facebook entre-temps" in again.stderr, again.stderr
    assert done.code == 0, done.stderr
    assert stored()["Bande d'idiots"].state == "deleted" and stored()["Merci!"].state == "done"


def test_a_rate_limit_stops_that_platform_until_its_reset_and_not_the_other(published: Published) -> None:
    published.facebook.add_comment(published.remote["facebook"], "Fanny", "Merci!")
    published.x.add_comment(published.remote["x"], "Xavier", "Bravo!")
    published.facebook.fail_next("rate_limit", on="read")

    first = run_in_process(["comments", "fetch"])
    calls = len(published.facebook.requests)
    second = run_in_process(["comments", "fetch"])

    assert first.code == 0 and "ralentir" in first.stderr, first.stderr
    assert set(stored()) == {"Bravo!"}
    with session_scope() as session:
        waiting = session.exec(select(CommentFetch).where(CommentFetch.platform == "facebook")).one()
    assert waiting.not_before is not None and published.facebook.reset_at is not None
    assert "demande d'attendre" in second.stderr, second.stderr
    assert len(published.facebook.requests) == calls  # nothing asked of Facebook before the reset


def test_a_reply_the_gate_stops_is_not_sent(published: Published) -> None:
    comment = published.facebook.add_comment(published.remote["facebook"], "Fanny", "Mon ado ne me parle plus.")
    run_in_process(["comments", "fetch"])
    offer = "Écris-moi en message privé avec les détails de ta situation, je vais t'accompagner."

    refused = run_in_process(["comments", "reply", str(stored()[comment.text].id), offer, "--as", "Julie"])

    assert refused.code != 0 and "barrière" in refused.stderr, refused.stderr
    assert [c for c in published.facebook.comments if c.parent_id == comment.id] == []
    assert stored()[comment.text].state == "new"


@pytest.mark.parametrize("number", ["999", str(2**63)])  # the second is more than the database holds
def test_an_unknown_comment_number_is_named(published: Published, number: str) -> None:
    outcome = run_in_process(["comments", "done", number, "--as", "Julie"])

    assert outcome.code == 2 and f"Aucun commentaire n° {number}" in outcome.stderr, outcome.stderr


def test_the_inbox_speaks_english_when_asked(published: Published, monkeypatch: pytest.MonkeyPatch) -> None:
    published.facebook.add_comment(published.remote["facebook"], "Fanny", "Merci pour l'atelier!")
    run_in_process(["comments", "fetch"])
    monkeypatch.setenv("BALISE_LANG", "en")
    reset_settings()

    inbox = run_in_process(["comments"])
    unknown = run_in_process(["comments", "done", "999", "--as", "Julie"])

    assert "waiting for" in inbox.stdout and "Reply optional" in inbox.stdout, inbox.stdout
    assert "No comment no. 999" in unknown.stderr
