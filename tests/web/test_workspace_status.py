"""The status page says what `balise status` says, in words, with the next step for each problem."""

from __future__ import annotations

import pytest
import requests
from sqlmodel import select

from balise.db import session_scope
from balise.models import Member
from tests.fakes.x_server import FakeX
from tests.test_status import needs_person_post
from tests.web.test_workspace_signoff import browser_of


def test_a_post_that_needs_a_person_is_said_with_its_next_step(
    web: str, fake_x: FakeX, monkeypatch: pytest.MonkeyPatch
) -> None:
    post_id = needs_person_post(fake_x, monkeypatch)
    with session_scope() as session:
        marie = session.exec(select(Member).where(Member.name == "Marie")).one()
        assert marie.id
        marie_id = marie.id
    page = browser_of(web, marie_id).get(f"{web}/espace/etat", timeout=10)
    assert page.status_code == 200
    assert "Certaines choses demandent votre attention" in page.text
    assert f"Publication n° {post_id} sur X (Twitter) : une intervention est nécessaire" in page.text
    assert f"Prochaine étape : la personne qui gère balise lit « balise draft show {post_id} »" in page.text


def test_all_is_well_without_problems(web: str) -> None:
    from tests.web.conftest import make_team

    team = make_team()
    page = browser_of(web, team.author_id).get(f"{web}/espace/etat", timeout=10)
    assert "Tout va bien" in page.text and "Aucune publication pour l&#39;instant." in page.text
    assert requests.get(f"{web}/espace/etat", timeout=10, allow_redirects=False).status_code == 303
