"""Sign-off with eyes open: whoever approves sees each photo by its number, who is declared in it and
on what consent, who overrode the gate and why; the gate's photo suggestions are commands that work."""

from __future__ import annotations

import json

from tests.conftest import run_cli
from tests.consent.builders import consent, gate, person, photo_post
from tests.helpers import make_org, state_of


def _ok(args: list[str], env: dict[str, str]) -> str:
    result = run_cli(args, env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_draft_show_and_inbox_list_each_photo_with_its_people_and_their_consent(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    person(org, "Léa Côté", guardian="Anne Côté")
    consent(org, "Léa Côté", ("sandbox", "x"), by_guardian=True)
    post_id = photo_post(org, author, ("Léa Côté",))
    assert gate(post_id)[0] == "approved"

    for said in (_ok(["draft", "show", str(post_id)], env), _ok(["inbox", "--as", "Julie"], env)):
        assert "Photo 1 (astronaut.jpg)" in said
        assert "Léa Côté (mineur·e) : consentement signé par son parent ou tuteur" in said
        assert "sans date de fin, pour sandbox, x" in said
    sheet = json.loads(_ok(["draft", "show", str(post_id), "--json"], env))["photo_consents"]
    assert sheet == [
        {
            "number": 1,
            "name": "astronaut.jpg",
            "people": [
                {
                    "name": "Léa Côté",
                    "minor": True,
                    "guardian": "Anne Côté",
                    "consents": [{"by_guardian": True, "valid_until": None, "platforms": ["sandbox", "x"]}],
                }
            ],
        }
    ]


def test_a_consent_shows_the_last_day_written_in_until(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    _ok(["people", "add", "Alice Roy", "--as", "Marie"], env)
    _ok(["consent", "grant", "Alice Roy", "-p", "sandbox", "--until", "2099-06-30", "--as", "Marie"], env)
    post_id = photo_post(org, author, ("Alice Roy",))
    said = _ok(["draft", "show", str(post_id)], env)
    assert "Alice Roy (adulte) : consentement signé par la personne, valide jusqu'au 2099-06-30" in said


def test_face_count_names_the_photo_by_number_and_its_suggestion_works(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    post_id = photo_post(org, author, ())
    verdict, reasons = gate(post_id)
    assert verdict == "needs_review"
    assert str(reasons[0]["message"]).startswith("La photo 1 montre")
    assert "--remove-photo 1" in str(reasons[0]["suggestion"])
    shown = _ok(["draft", "show", str(post_id)], env)
    assert "Photo 1 (astronaut.jpg)" in shown and "personne n'y est déclarée" in shown

    refused = run_cli(["draft", "edit", str(post_id), "--remove-photo", "2", "--as", "Marie"], env)
    assert refused.returncode == 2 and "1 photo(s)" in refused.stderr and "Traceback" not in refused.stderr
    _ok(["draft", "edit", str(post_id), "--remove-photo", "1", "--as", "Marie"], env)
    data = json.loads(_ok(["draft", "show", str(post_id), "--json"], env))
    assert data["photos"] == [] and data["state"] == "pending_check"
    assert gate(post_id) == ("approved", [])


def test_after_an_override_draft_show_says_who_and_why_until_the_next_edit(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    post_id = photo_post(org, author, ())
    assert gate(post_id)[0] == "needs_review"
    _ok(["override", str(post_id), "--reason", "Le détecteur voit un visage sur une affiche", "--as", "Julie"], env)

    said = _ok(["draft", "show", str(post_id)], env)
    assert "Passé outre à la vérification par Julie : « Le détecteur voit un visage sur une affiche »" in said
    assert json.loads(_ok(["draft", "show", str(post_id), "--json"], env))["override"] == {
        "by": "Julie",
        "reason": "Le détecteur voit un visage sur une affiche",
    }
    _ok(["draft", "edit", str(post_id), "--topic", "emploi", "--as", "Marie"], env)
    data = json.loads(_ok(["draft", "show", str(post_id), "--json"], env))
    assert data["topic"] == "emploi" and data["override"] is None and state_of(post_id) == "pending_check"
    unknown = run_cli(["draft", "edit", str(post_id), "--topic", "anniversaires", "--as", "Marie"], env)
    assert unknown.returncode == 2 and "emploi" in unknown.stderr and "Traceback" not in unknown.stderr
