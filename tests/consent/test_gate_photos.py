"""The gate on photos: every person declared has a current consent for every platform (a
guardian's for a minor), and no more faces are seen than people declared."""

from __future__ import annotations

from pathlib import Path

import pytest

from balise.states import State
from tests.consent.builders import consent, gate, person, photo_post
from tests.consent.images import PHOTOS, compose
from tests.helpers import make_org, state_of


def test_three_people_missing_expired_and_facebook_only_give_three_precise_reasons(
    env: dict[str, str], tmp_path: Path
) -> None:
    org, author, _ = make_org()
    for name in ("Alice Roy", "Benoît Lac", "Chloé Dion"):
        person(org, name)
    consent(org, "Benoît Lac", ("facebook", "x"), days=-1)
    consent(org, "Chloé Dion", ("facebook",), days=365)
    three = compose(["astronaut.jpg", "grace_hopper.jpg", "camera.jpg"], tmp_path / "trois.jpg")
    declared = ("Alice Roy", "Benoît Lac", "Chloé Dion")
    post_id = photo_post(org, author, declared, photo=three, platforms=("facebook", "x"))

    verdict, reasons = gate(post_id)

    assert verdict == "rejected" and state_of(post_id) == State.REJECTED
    assert [(r["code"], r["message"]) for r in reasons] == [
        ("PHOTO_CONSENT", "Aucun consentement n'est enregistré pour Alice Roy."),
        ("PHOTO_CONSENT", "Benoît Lac : le consentement pour facebook, x est expiré."),
        ("PHOTO_CONSENT", "Chloé Dion : le consentement ne couvre pas x."),
    ]
    assert all("autorisations avant la publication de photos" in str(r["clause"]) for r in reasons)
    assert all(r["severity"] == "rejected" and r["suggestion"] for r in reasons)


@pytest.mark.parametrize(("by_guardian", "verdict"), [(False, "rejected"), (True, "approved")])
def test_a_minors_consent_counts_only_when_given_by_the_guardian(
    env: dict[str, str], by_guardian: bool, verdict: str
) -> None:
    org, author, _ = make_org()
    person(org, "Léa Côté", guardian="Anne Côté")
    consent(org, "Léa Côté", ("sandbox",), by_guardian=by_guardian)
    post_id = photo_post(org, author, ("Léa Côté",), photo=PHOTOS / "grace_hopper.jpg")

    result, reasons = gate(post_id)

    assert result == verdict
    expected = [] if by_guardian else ["Léa Côté est mineur·e : son consentement pour sandbox doit être donné par son "
                                       "parent ou tuteur, pas par la personne elle-même."]  # fmt: skip
    assert [r["message"] for r in reasons] == expected


def test_two_faces_with_one_person_declared_need_a_person_to_look(env: dict[str, str], tmp_path: Path) -> None:
    org, author, _ = make_org()
    person(org, "Alice Roy")
    consent(org, "Alice Roy", ("sandbox",))
    two = compose(["astronaut.jpg", "grace_hopper.jpg"], tmp_path / "deux.jpg")
    post_id = photo_post(org, author, ("Alice Roy",), photo=two)

    verdict, reasons = gate(post_id)

    assert verdict == "needs_review" and state_of(post_id) == State.NEEDS_REVIEW
    assert [r["code"] for r in reasons] == ["FACE_COUNT"]
    assert "2 visage(s), mais 1 personne(s)" in str(reasons[0]["message"])
