"""The Python API the compliance worker calls: drafts in, verdicts with reasons out."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from balise.compliance import Draft, Reason, Verdict, load_policy
from balise.compliance.gate import check_draft
from balise.compliance.rules import RULES
from balise.errors import InvalidInput


def test_a_compliant_draft_is_approved_with_its_topic() -> None:
    verdict = check_draft(Draft("Offre d'emploi : animatrice en prévention, 28 h par semaine."))
    assert verdict.verdict == "approved"
    assert verdict.reasons == ()
    assert "emploi" in verdict.topics
    assert verdict.policy_version == load_policy().version


def test_a_reason_carries_code_span_french_message_clause_and_suggestion() -> None:
    text = "Bonjour! Joyeux anniversaire à notre animatrice Nathalie!"
    reason = check_draft(Draft(text)).reasons[0]
    assert reason.code == "PERSONAL_INFO"
    assert reason.severity == "rejected"
    assert reason.span is not None
    assert "anniversaire" in text[reason.span[0] : reason.span[1]]
    assert "information personnelle" in reason.message
    assert reason.clause.startswith("Qu'est-ce qui ne devrait pas avoir lieu sur les médias sociaux? — puce 1")
    assert reason.suggestion


def test_the_span_points_into_the_original_text_despite_evasion() -> None:
    text = "Bonne f\u200bête à notre anima\u200btrice Chantal!"
    reason = check_draft(Draft(text)).reasons[0]
    assert reason.span is not None
    assert text[reason.span[0] : reason.span[1]].startswith("Bonne f\u200bête")


def test_intervention_suggests_a_phone_redirection() -> None:
    reason = check_draft(Draft("Tu vis de la violence? Écris-nous en MP, on va t'aider.")).reasons[0]
    assert reason.code == "INTERVENTION"
    assert reason.suggestion is not None and "811" in reason.suggestion and "911" in reason.suggestion


def test_the_same_offer_redirected_to_a_phone_line_is_approved() -> None:
    assert (
        check_draft(Draft("Tu vis de la violence? Appelle-nous au 819 555-0142 ou compose le 811.")).verdict
        == "approved"
    )


def test_off_mission_needs_review_without_a_span() -> None:
    verdict = check_draft(Draft("Quelle belle journée au chalet, le lac était magnifique."))
    assert verdict.verdict == "needs_review"
    assert [(r.code, r.span) for r in verdict.reasons] == [("OFF_MISSION", None)]


def test_a_declared_category_counts_as_a_recognised_topic() -> None:
    text = "Quelle belle journée au chalet avec l'équipe de bénévoles."
    assert check_draft(Draft(text, category="évènements")).verdict == "approved"
    assert check_draft(Draft(text, category="Events")).verdict == "approved"


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\u200b\u200b"])
def test_an_empty_text_is_rejected_as_empty(text: str) -> None:
    verdict = check_draft(Draft(text))
    assert verdict.verdict == "rejected"
    assert [r.code for r in verdict.reasons] == ["EMPTY"]


def test_x_counts_links_as_23_and_only_x_is_too_long() -> None:
    text = "Prévention de la violence faite aux enfants. " * 7  # 315 characters
    verdict = check_draft(Draft(text, ("x", "facebook")))
    assert [(r.code, "x" in r.message) for r in verdict.reasons] == [("TOO_LONG", True)]
    assert verdict.reasons[0].span == (280, len(text))
    assert check_draft(Draft(text, ("facebook",))).verdict == "approved"
    assert check_draft(Draft("Nos guides : https://exemple.org/" + "a" * 400, ("x",))).verdict == "approved"


def test_a_text_over_the_facebook_limit_is_rejected() -> None:
    text = "Parents, parlez de prévention avec vos enfants. " * 1400
    verdict = check_draft(Draft(text, ("facebook",)))
    assert verdict.verdict == "rejected"
    assert verdict.reasons[0].span == (63206, len(text))


def test_a_megabyte_of_text_is_only_measured() -> None:
    """Its speed is benchmarks/gate_speed.py's business; here, only the length is reported."""
    verdict = check_draft(Draft("Joyeux anniversaire à notre collègue! " * 28_000))
    assert {r.code for r in verdict.reasons} == {"TOO_LONG"}


def test_twitter_is_x_and_an_unknown_platform_is_refused() -> None:
    assert check_draft(Draft("Joyeuse Journée nationale des enfants!", ("twitter",))).verdict == "approved"
    with pytest.raises(InvalidInput) as caught:
        check_draft(Draft("Bonjour", ("myspace",)))
    assert "Plateforme inconnue" in caught.value.message(lang="fr")


def test_an_unknown_category_is_refused_with_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_draft(Draft("Bonjour", category="recettes"))
    message = caught.value.message(lang="fr")
    assert "recettes" in message and "emploi" in message


def test_to_dict_is_the_jsonl_output_object() -> None:
    data = check_draft(Draft("Mon chat a fait une bêtise.")).to_dict("42")
    assert data["id"] == "42"
    assert data["verdict"] == "needs_review"
    assert set(data["reasons"][0]) >= {"code", "message", "span", "clause", "suggestion"}


def test_a_reason_is_a_dataclass_the_worker_can_store() -> None:
    verdict = check_draft(Draft("Notre coordonnatrice est en congé de maladie."))
    assert isinstance(verdict, Verdict)
    assert isinstance(verdict.reasons[0], Reason)
    assert asdict(verdict.reasons[0])["code"] == "PERSONAL_INFO"


def test_a_later_rule_adds_its_reasons_through_the_registry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def photo_rule(draft: Draft, policy: object) -> list[Reason]:
        return [Reason("PHOTO_CONSENT", "Consentement manquant.", None, "clause", None, "rejected")]

    monkeypatch.setattr("balise.compliance.gate.RULES", [*RULES, photo_rule])
    verdict = check_draft(Draft("Joyeuse Journée nationale des enfants!"))
    assert verdict.verdict == "rejected"
    assert [r.code for r in verdict.reasons] == ["PHOTO_CONSENT"]
