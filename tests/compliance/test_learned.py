"""The gate's learned half: the shipped model, its findings, its veto, its file."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from balise.compliance import Draft, load_policy
from balise.compliance.gate import check_draft, rule_reasons
from balise.compliance.learned import CODES, Model, shipped
from balise.compliance.training import bags, corpus, fit

LONG = (
    "Quelle belle semaine dans les écoles de la région! Nos ateliers ont rejoint plus de 200 élèves.\n"
    "Cet été, gardez le contact avec votre animateur Marc : il accepte toutes les demandes des jeunes sur Snapchat!\n"
    "Rappel : la formation pour les parents aura lieu le 12 mars."
)


def test_what_the_rules_have_no_words_for_is_found_and_its_sentence_quoted() -> None:
    draft = Draft(LONG, ("facebook",))
    assert not [r for r in rule_reasons(draft, load_policy()) if r.code == "CHILD_CONTACT"]
    verdict = check_draft(draft)
    reasons = [r for r in verdict.reasons if r.code == "CHILD_CONTACT"]
    assert verdict.verdict != "approved" and reasons
    start, end = reasons[0].span or (0, 0)
    assert "Snapchat" in LONG[start:end] and "formation" not in LONG[start:end]
    assert reasons[0].clause and reasons[0].suggestion and "gardez le contact" in reasons[0].message


def test_the_model_file_reads_back_to_the_same_probabilities() -> None:
    model = shipped()
    again = Model.from_bytes(model.to_bytes())
    texts = ["bonne fete a julie", "ecrivez nous en message prive pour en parler", "offre d emploi"]
    assert np.allclose(model.probabilities(texts), again.probabilities(texts), atol=1e-5)
    assert list(again.flag) == list(model.flag) and (again.certain, again.veto) == (model.certain, model.veto)


def test_a_rule_finding_the_model_takes_for_an_explanation_is_dropped() -> None:
    text = "Bonne fête à notre animatrice Nathalie! Toute l'équipe te souhaite une belle journée."
    policy = load_policy()
    assert check_draft(Draft(text, ("facebook",)), policy).verdict == "rejected"
    trusting = replace(shipped(), flag=np.full(4, 1.01), veto=1.01)  # the model never agrees: every rule finding goes
    assert check_draft(Draft(text, ("facebook",)), policy, trusting).verdict == "approved"


def test_a_model_learns_from_the_cases_it_is_given() -> None:
    cases = [c for c in corpus() if c.writer == "w_regions"]
    model = fit(cases, bags(cases), flag=np.full(4, 0.5), certain=0.7, veto=0.0, version="test")
    p = model.probabilities(["on pense fort a notre collegue marie qui a perdu son pere cette semaine"])[0]
    assert p[CODES.index("PERSONAL_INFO")] > p[CODES.index("CHILD_CONTACT")]
