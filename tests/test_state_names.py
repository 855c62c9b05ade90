"""A state typed in either language (issue 19, item 5): `--state planifiée` as well as `scheduled`."""

from __future__ import annotations

import json

import pytest

from balise.errors import InvalidInput
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
