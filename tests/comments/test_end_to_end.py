"""Issue 20's end-to-end check: a post published on the fake Page and the fake X account
receives comments of every category; fetched twice, each is stored once; the help request is
urgent and mailed at once (real SMTP); the suggested reply passes the gate, names 811 and reaches
the platform; the insult, hidden, is hidden on the platform."""

from __future__ import annotations

import json

from sqlmodel import select

from balise.db import session_scope
from balise.models import AuditEvent
from balise.queue.queues import MAIL
from balise.queue.worker import run_worker
from tests.comments.conftest import PHONE, Published, stored
from tests.helpers import log_in_as, run_in_process
from tests.smtp import Mailbox

HELP = "Mon voisin crie sur ses enfants tous les soirs, je ne sais pas quoi faire. Pouvez-vous m'aider?"
CHILD = "Salut Julie c'est Léa de l'atelier! Est-ce que je peux t'ajouter en amie sur Facebook?"
INSULT = "Ces gens-là sont tous des profiteurs, bande d'idiots."
SPAM = "Gagnez 5000 $ par semaine depuis la maison! Cliquez ici : http://arnaque.example"
THANKS = "Merci pour cette belle offre, je la partage à mes amies éducatrices."
EVERY_KIND = (HELP, CHILD, INSULT, SPAM, THANKS)


def test_comments_of_every_kind_are_fetched_once_triaged_notified_and_acted_on(
    published: Published, mailbox: Mailbox
) -> None:
    for text in EVERY_KIND:
        published.facebook.add_comment(published.remote["facebook"], "Fanny Tremblay", text)
        published.x.add_comment(published.remote["x"], "Xavier Roy", "X: " + text)

    first = run_in_process(["comments", "fetch"])
    second = run_in_process(["comments", "fetch"])

    assert first.code == 0, first.stderr
    assert "10 nouveau(x) commentaire(s), dont 4 urgent(s)" in first.stdout
    assert second.code == 0 and "0 nouveau(x) commentaire(s)" in second.stdout
    comments = stored()
    assert len(comments) == 10
    help_request = comments[HELP]
    assert (help_request.category, help_request.urgent, help_request.author) == ("help_request", True, "Fanny Tremblay")
    assert comments["X: " + CHILD].category == "child_contact" and comments["X: " + CHILD].urgent
    assert not comments[THANKS].urgent

    run_worker([MAIL], burst=True, with_scheduler=False)
    mails = mailbox.to("julie@exemple.org")  # the approver: the organization has no admin
    assert len(mails) == 4, [m.message["Subject"] for m in mails]
    assert any(HELP in m.text for m in mails)

    listed = run_in_process(["comments", "--json"])
    rows = json.loads(listed.stdout)
    assert [r["urgent"] for r in rows] == [True] * 4 + [False] * 6  # urgent first
    assert set(rows[0]) >= {"id", "platform", "post_id", "remote_id", "author", "text", "category", "urgent", "state"}

    replied = run_in_process(["comments", "reply", str(help_request.id), "--suggested", "--as", "Julie"])

    assert replied.code == 0, replied.stderr + replied.stdout
    [answer] = [c for c in published.facebook.comments if c.parent_id == help_request.remote_id]
    assert "811" in answer.text and PHONE in answer.text
    assert stored()[HELP].state == "replied"

    insult = comments[INSULT]
    log_in_as(published.author_id)  # mail is set up: hiding is for the logged-in member
    refused = run_in_process(["comments", "hide", str(insult.id)])
    assert refused.code == 4 and "approver" in refused.stderr, refused.stderr
    assert not published.facebook.comment(insult.remote_id).hidden  # type: ignore[union-attr]

    log_in_as(published.approver_id)
    hidden = run_in_process(["comments", "hide", str(insult.id), "--reason", "préjugés"])

    assert hidden.code == 0, hidden.stderr + hidden.stdout
    assert published.facebook.comment(insult.remote_id).hidden  # type: ignore[union-attr]
    assert stored()[INSULT].state == "hidden"
    x_insult = comments["X: " + INSULT]
    assert run_in_process(["comments", "hide", str(x_insult.id)]).code == 0
    assert published.x.comment(x_insult.remote_id).hidden  # type: ignore[union-attr]
    with session_scope() as session:
        actions = [(e.actor, e.action) for e in session.exec(select(AuditEvent)) if e.action.startswith("comment_")]
    assert actions == [("Julie", "comment_reply"), ("Julie", "comment_hide"), ("Julie", "comment_hide")]

    status = run_in_process(["status"])
    assert "Commentaire urgent sans réponse" in status.stdout + status.stderr
