"""Loading ROEQ's policy and an organization's override, and the French errors of a bad file."""

from __future__ import annotations

import tomllib
from dataclasses import replace

import numpy as np
import pytest

from balise.compliance import Draft, load_policy
from balise.compliance.gate import check_draft
from balise.compliance.learned import shipped
from balise.errors import PolicyError


def _error(text: str) -> str:
    with pytest.raises(PolicyError) as caught:
        load_policy(text)
    return caught.value.message(lang="fr")


def test_every_rule_cites_a_clause_of_the_policy() -> None:
    policy = load_policy()
    for rules in policy.codes.values():
        assert "—" in rules.clause
    for topic in policy.topics:
        assert "puce" in topic.clause
    assert len(policy.topics) == 10


def test_the_policy_is_cached_per_override_text() -> None:
    assert load_policy() is load_policy(None)
    assert load_policy("[organization]\nphone = '1'") is load_policy("[organization]\nphone = '1'")


def test_an_override_changes_the_policy_version() -> None:
    base = load_policy()
    override = load_policy('[organization]\nphone = "819 555-0142"')
    assert base.version.startswith("ROEQ 2025.1 ")
    assert override.version != base.version


def test_an_override_adds_people_of_the_team() -> None:
    text = "Bonne semaine à notre homme à tout faire, qui se remet de sa chirurgie."
    rules_only = replace(shipped(), flag=np.full(4, 1.01), veto=0.0)  # the learned model already finds it on its own
    assert check_draft(Draft(text), None, rules_only).verdict != "rejected"
    policy = load_policy('[codes.PERSONAL_INFO.add]\npersons = ["notre homme à tout faire"]')
    verdict = check_draft(Draft(text), policy, rules_only)
    assert verdict.verdict == "rejected"
    assert verdict.reasons[0].code == "PERSONAL_INFO"


def test_an_override_can_soften_a_severity() -> None:
    policy = load_policy('[codes.OFF_MISSION]\nseverity = "approved"')
    assert check_draft(Draft("Mon chat a fait une bêtise ce matin."), policy).verdict == "approved"


def test_the_organization_phone_goes_into_the_intervention_suggestion() -> None:
    policy = load_policy('[organization]\nphone = "819 555-0142"')
    verdict = check_draft(Draft("Besoin d'aide? Écris-nous en message privé, on va t'aider."), policy)
    assert verdict.reasons[0].suggestion is not None
    assert "819 555-0142" in verdict.reasons[0].suggestion
    assert "811" in verdict.reasons[0].suggestion


def test_an_organization_can_add_a_topic() -> None:
    override = (
        '[topics.cuisine]\nlabel = "Cuisine collective"\n'
        'clause = "Balises de l\'organisme — puce 1"\nterms = ["recette*"]'
    )
    policy = load_policy(override)
    assert check_draft(Draft("La recette de la semaine : une soupe aux lentilles."), policy).verdict == "approved"


def test_a_typo_in_a_key_names_the_key_the_line_and_the_right_spelling() -> None:
    message = _error('[organization]\nphone = "1"\n\n[codes.PERSONAL_INFO]\nsevrity = "rejected"\n')
    assert "sevrity" in message
    assert "ligne 5" in message
    assert "severity" in message
    assert "la section « codes.PERSONAL_INFO »" in message


def test_an_unknown_code_suggests_the_closest_one() -> None:
    message = _error("[codes.PERSONAL_INFOS]\nwindow = 3\n")
    assert "PERSONAL_INFOS" in message and "PERSONAL_INFO" in message and "ligne 1" in message


def test_a_syntax_error_gives_line_and_column_in_french() -> None:
    message = _error('[organization]\nphone = "819\n')
    assert message.startswith("Le fichier de politique n'est pas un TOML valide (ligne 2")


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ('[codes.EMPTY]\nseverity = "interdit"', "Gravité inconnue « interdit »"),
        ("[input]\nmax_chars = 0", "plus grand que zéro"),
        ('[input]\nmax_chars = "beaucoup"', "un nombre entier"),
        ('[codes.INTERVENTION.add]\nchannels = "mp"', "une liste de textes"),
        ('[codes.INTERVENTION.add]\nseverity = ["x"]', "Clé inconnue « severity »"),
        ('organization = "ESPACE"', "doit être une section"),
        ('[topics.cuisine]\nlabel = "Cuisine"\nclause = "x"', "Il manque « terms »"),
        ('[codes.PERSONAL_INFO.add]\nevents = ["..."]', "ne peut rien reconnaître"),
        ("[limits.myspace]\nmax_chars = 10", "Clé inconnue « myspace »"),
    ],
)
def test_a_bad_override_is_refused_with_a_clear_message(override: str, expected: str) -> None:
    assert expected in _error(override)


def test_the_effective_policy_can_be_shown_as_toml_and_read_back() -> None:
    policy = load_policy('[organization]\nphone = "819 555-0142"')
    data = tomllib.loads(policy.to_toml())
    assert data["organization"]["phone"] == "819 555-0142"
    assert data["codes"]["PERSONAL_INFO"]["severity"] == "rejected"
    assert data["limits"]["x"]["weighted_max"] == 280
    assert data["limits"]["facebook"]["max_chars"] == 63206
