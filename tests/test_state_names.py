"""Names typed or read in either language (issue 19, item 5): `--state planifiée` as well as `scheduled`,
`--role approbatrice` as well as `approver`, the audit log's events in words."""

from __future__ import annotations

import json

import pytest

from balise.errors import InvalidInput
from balise.organizations import role_named
from balise.states import State, state_named
from tests.conftest import run_cli
from tests.helpers import make_org, make_post


@pytest.mark.parametrize("typed", ["scheduled", "planifiée", "Planifiee", "SCHEDULED"])
def test_a_state_is_known_by_its_identifier_or_its_french_or_english_name(typed: str) -> None:
    assert state_named(typed) is State.SCHEDULED


def test_a_two_word_name_and_an_unknown_one() -> None:
    assert state_named("en attente d'approbation") is State.AWAITING_SIGNOFF
    with pytest.raises(InvalidInput) as refused:
        state_named("programmée")
    assert "planifiée" in refused.value.message(lang="fr")


def test_draft_list_takes_the_french_name_of_a_state(env: dict[str, str]) -> None:
    org_id, author_id, _ = make_org()
    make_post(org_id, author_id, in_minutes=60)
    listed = run_cli(["draft", "list", "--state", "en vérification", "--json"], env)
    assert listed.returncode == 0, listed.stderr
    assert [post["state"] for post in json.loads(listed.stdout)] == ["pending_check"]


@pytest.mark.parametrize(("typed", "role"), [("approbatrice", "approver"), ("Auteur·e", "author"), ("admin", "admin")])
def test_a_role_is_known_by_its_identifier_or_its_french_name(typed: str, role: str) -> None:
    assert role_named(typed) == role


def test_member_add_takes_a_french_role_and_audit_show_names_events_in_words(env: dict[str, str]) -> None:
    org_id, author_id, _ = make_org()
    added = run_cli(["member", "add", "Lise Roy", "--email", "lise@exemple.org", "--role", "approbatrice"], env)
    assert added.returncode == 0, added.stderr
    assert "approver" in added.stdout
    post_id = make_post(org_id, author_id, in_minutes=60)
    shown = run_cli(["audit", "show", str(post_id)], env)
    assert shown.returncode == 0, shown.stderr
    assert "création" in shown.stdout and "created" not in shown.stdout
