"""Comment triage: clear cases of each category (written here, not taken from the corpus), the
suggested replies and the gate they pass, the shipped model file, and texts of every size."""

from __future__ import annotations

import numpy as np
import pytest

from balise.comments.training import MODEL_PATH, read_comments, version
from balise.comments.triage import CATEGORIES, ROWS, URGENT, Triage, shipped, suggested_reply, triage
from balise.compliance import Draft
from balise.compliance.gate import check_draft
from balise.compliance.learned import Model

CLEAR = [
    (
        "Ma fille de 7 ans m'a raconté que le voisin lui demande de garder des secrets. Je ne sais pas quoi faire.",
        "help_request",
    ),  # noqa: E501
    ("Mon conjoint frappe les enfants quand il boit, qu'est-ce que je peux faire? J'ai peur", "help_request"),
    ("My son told me his coach touches him and says not to tell. What should I do?", "help_request"),
    ("allo c moi la fille de 5e année de l'atelier!! tu peux m'ajouter sur snap stp 😊", "child_contact"),
    ("Bonjour madame de l'atelier, est-ce que je peux vous écrire en privé? c'est Noah de l'école", "child_contact"),
    ("Ces gens-là sont tous des profiteurs, qu'ils retournent dans leur pays", "prejudice"),
    ("La directrice de cette école est une incompétente et une menteuse, tout le monde le sait", "prejudice"),
    ("💰 Gagnez 5000 $ par semaine depuis la maison!!! Cliquez sur le lien dans ma bio 💰", "spam"),
    ("Merci pour l'atelier d'hier, mes enfants en parlent encore!", "ordinary"),
    ("À quelle heure commence la soirée d'information pour les parents jeudi?", "ordinary"),
]


@pytest.mark.parametrize(("text", "category"), CLEAR)
def test_a_clear_comment_gets_its_category(text: str, category: str) -> None:
    found = triage(text)
    assert found.category == category
    assert found.urgent == (category in URGENT)
    assert found.clause


def test_a_help_request_is_urgent_offers_a_reply_and_cites_the_phone_clause() -> None:
    found = triage(CLEAR[0][0])
    assert found == Triage("help_request", True, found.clause, "reply", found.evidence)
    assert "811" in found.clause and "masquer" in found.clause and "enfant ou une famille" in found.clause


def test_the_evidence_is_the_sentence_that_weighs_most() -> None:
    text = "Belle page, bravo à toute l'équipe. Mon fils m'a dit que son entraîneur le touche, je fais quoi?"
    found = triage(text)
    assert found.category == "help_request"
    assert "entraîneur" in found.evidence and "bravo" not in found.evidence


def test_each_category_proposes_its_action() -> None:
    actions = {triage(text).category: triage(text).action for text, _ in CLEAR}
    assert actions == {
        "help_request": "reply", "child_contact": "reply", "prejudice": "hide", "spam": "hide", "ordinary": "none"
    }  # fmt: skip
    assert "amis" in triage(CLEAR[3][0]).clause and "préjugés" in triage(CLEAR[5][0]).clause


def test_the_help_reply_names_the_organization_811_and_911() -> None:
    reply = suggested_reply("help_request", phone="418 555-0199", lang="fr")
    assert reply and "418 555-0199" in reply and "811" in reply and "911" in reply and "Info-Social" in reply
    without = suggested_reply("help_request", phone=None, lang="fr")
    assert without and "téléphonez-nous" in without and "811" in without and "None" not in without


def test_the_child_reply_redirects_to_a_trusted_adult_and_the_phone() -> None:
    reply = suggested_reply("child_contact", phone="418 555-0199", lang="fr")
    assert reply and "adulte de confiance" in reply and "418 555-0199" in reply


def test_replies_in_english_and_french_for_an_unknown_language() -> None:
    english = suggested_reply("help_request", phone="418 555-0199", lang="en")
    assert english and "phone us at 418 555-0199" in english and "811" in english and "911" in english
    assert "trust" in (suggested_reply("child_contact", phone=None, lang="en") or "")
    assert suggested_reply("help_request", phone=None, lang="de") == suggested_reply(
        "help_request", phone=None, lang="fr"
    )


def test_only_urgent_comments_get_a_suggested_reply() -> None:
    for category in ("prejudice", "spam", "ordinary"):
        assert suggested_reply(category, phone="418 555-0199", lang="fr") is None
    with pytest.raises(ValueError):
        suggested_reply("urgent", phone=None, lang="fr")


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("phone", [None, "418 555-0199", "1 800 555-0123"])
@pytest.mark.parametrize("category", sorted(URGENT))
def test_every_suggested_reply_passes_the_gate(category: str, phone: str | None, lang: str) -> None:
    reply = suggested_reply(category, phone=phone, lang=lang)
    assert reply
    verdict = check_draft(Draft(reply, ("facebook", "x")))
    assert verdict.verdict == "approved", verdict.reasons


def test_the_model_file_loads_and_was_built_from_the_current_corpus() -> None:
    model = Model.from_bytes(MODEL_PATH.read_bytes())
    assert model.version == shipped().version == version(read_comments())
    assert model.coef.shape[0] == len(ROWS) and model.flag.shape == (len(ROWS),)
    again = Model.from_bytes(model.to_bytes())
    texts = ["merci pour l atelier", "mon enfant m a dit quelque chose je fais quoi"]
    assert np.allclose(model.probabilities(texts), again.probabilities(texts), atol=1e-5)


@pytest.mark.parametrize("text", ["", "   \n ", "🙂", "Ich habe eine Frage zu eurem Workshop am Samstag.", "ok"])
def test_empty_and_foreign_comments_get_an_answer(text: str) -> None:
    found = triage(text)
    assert found.category in CATEGORIES and found.action in ("reply", "hide", "none")
    if not text.strip():
        assert found == triage("") and found.category == "ordinary" and found.evidence == ""


def test_a_ten_thousand_character_comment_is_triaged() -> None:
    text = ("Merci pour vos ateliers dans les écoles. " * 250)[
        :9_900
    ] + " Ma fille m'a dit que son oncle la touche, je fais quoi?"  # noqa: E501
    assert len(text) > 9_900
    found = triage(text)
    assert found.category in CATEGORIES and len(found.evidence) <= 300
