"""People and consents in the workspace, over real HTTP: members and roles (admins change them,
through the same functions as `balise member`), the consent registry (a person added, a signed
form uploaded into the same evidence store with the same checks as `balise consent grant`), and a
withdrawal that shows what it will take down and happens only on the confirming POST, whose
takedowns then reach the (fake) platforms."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from balise.config import get_settings, reset_settings
from balise.consent import consents_of, find_person
from balise.db import session_scope
from balise.media.evidence import MAX_BYTES
from balise.models import AuditEvent, Consent, Member, Organization, Person
from balise.organizations import add_member, create_organization
from balise.pipeline.publish import publish_target
from balise.queue.queues import TAKEDOWN
from balise.queue.worker import run_worker
from balise.states import State
from tests.conftest import run_cli
from tests.consent.builders import consent, gate, person, photo_post
from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.x_server import FakeX
from tests.helpers import snapshot, state_of, targets_by_platform
from tests.test_pipeline import _sign
from tests.test_platform_failures import accounts  # noqa: F401  (balise pointed at fake Facebook and X)
from tests.web.conftest import Mailbox, make_team
from tests.web.test_browser import CHROMIUM
from tests.web.test_workspace_browser import AXE, review, sign_in, workspace_page
from tests.web.test_workspace_signoff import browser_of, csrf_of

FORM = b"%PDF-1.4\nformulaire d'autorisation signe\n%%EOF\n"


def role_of(member_id: int) -> str:
    with session_scope() as session:
        member = session.get(Member, member_id)
        assert member
        return member.role


def web_actions() -> list[str]:
    """The audit log's actions recorded from the workspace."""
    with session_scope() as session:
        return list(session.exec(select(AuditEvent.action).where(AuditEvent.channel == "web")))


def registry_id(org_id: int, name: str) -> int:
    with session_scope() as session:
        org = session.get(Organization, org_id)
        assert org
        found = find_person(session, org, name).id
        assert found
        return found


def consent_states(person_id: int) -> list[tuple[list[str], str, bool]]:
    """(platforms, signed by, withdrawn) of each consent of the person."""
    with session_scope() as session:
        who = session.get(Person, person_id)
        assert who
        return [(c.platforms, c.given_by, c.revoked_at is not None) for c in consents_of(session, who)]


def test_everyone_sees_the_members_and_only_an_admin_adds_one_or_changes_a_role(web: str) -> None:
    team = make_team()
    marie = browser_of(web, team.author_id)
    listed = marie.get(f"{web}/espace/membres", timeout=10)
    assert listed.status_code == 200
    assert all(name in listed.text for name in ("Marie", "Julie", "Chantal")) and "Ajouter ce membre" not in listed.text
    csrf = csrf_of(listed.text)
    sophie = {"csrf": csrf, "nom": "Sophie", "courriel": "sophie@exemple.org", "role": "admin"}
    assert marie.post(f"{web}/espace/membres", data=sophie, timeout=10).status_code == 403
    promoted = marie.post(
        f"{web}/espace/membres/{team.author_id}/role", data={"csrf": csrf, "role": "admin"}, timeout=10
    )
    assert promoted.status_code == 403 and role_of(team.author_id) == "author"

    chantal = browser_of(web, team.admin_id)
    csrf = csrf_of(chantal.get(f"{web}/espace/membres", timeout=10).text)
    added = chantal.post(f"{web}/espace/membres", data={**sophie, "csrf": csrf, "role": "approver"}, timeout=10)
    assert added.status_code == 200 and "Sophie est maintenant membre (approbateur·trice)" in added.text
    again = chantal.post(f"{web}/espace/membres", data={**sophie, "csrf": csrf}, timeout=10)
    assert again.status_code == 400 and "Un membre nommé « Sophie » existe déjà" in again.text
    changed = chantal.post(f"{web}/espace/membres/{team.author_id}/role", data={"csrf": csrf, "role": "approver"},
                           timeout=10)  # fmt: skip
    assert changed.status_code == 200 and role_of(team.author_id) == "approver"
    demoted = chantal.post(f"{web}/espace/membres/{team.admin_id}/role", data={"csrf": csrf, "role": "author"},
                           timeout=10)  # fmt: skip
    assert demoted.status_code == 400 and "dernière personne administratrice : donnez d&#39;abord" in demoted.text
    assert role_of(team.admin_id) == "admin"
    assert web_actions() == ["member_added", "member_role"]


def test_another_organizations_people_and_members_are_never_reachable(web: str) -> None:
    team = make_team()
    with session_scope() as session:
        other = create_organization(session, slug="autre", name="Autre Org", timezone="America/Toronto")
        stranger = add_member(session, other, name="Zoé", email="zoe@autre.org", role="author", actor="test")
        assert other.id and stranger.id
        other_id, stranger_id = other.id, stranger.id
    person(other_id, "Noé Tremblay")
    consent(other_id, "Noé Tremblay", ("facebook",), days=100)
    noe = registry_id(other_id, "Noé Tremblay")
    chantal = browser_of(web, team.admin_id)
    registry = chantal.get(f"{web}/espace/personnes", timeout=10)
    assert registry.status_code == 200 and "Noé" not in registry.text
    assert "Zoé" not in chantal.get(f"{web}/espace/membres", timeout=10).text
    csrf = csrf_of(registry.text)
    before = consent_states(noe)
    for path in (f"/espace/personnes/{noe}", f"/espace/personnes/{noe}/retrait", f"/espace/personnes/{2**63}"):
        assert chantal.get(f"{web}{path}", timeout=10).status_code == 404
    withdrawn = chantal.post(f"{web}/espace/personnes/{noe}/retrait", data={"csrf": csrf}, timeout=10)
    granted = chantal.post(
        f"{web}/espace/personnes/{noe}/consentement", data={"csrf": csrf, "plateforme_x": "1"},
        files={"formulaire": ("formulaire.pdf", FORM)}, timeout=10,
    )  # fmt: skip
    promoted = chantal.post(
        f"{web}/espace/membres/{stranger_id}/role", data={"csrf": csrf, "role": "admin"}, timeout=10
    )
    beyond = chantal.post(f"{web}/espace/membres/{2**64}/role", data={"csrf": csrf, "role": "admin"}, timeout=10)
    assert [withdrawn.status_code, granted.status_code, promoted.status_code, beyond.status_code] == [404] * 4
    assert "Noé" not in withdrawn.text + granted.text and "Zoé" not in promoted.text
    assert consent_states(noe) == before and role_of(stranger_id) == "author"


def test_a_member_adds_a_minor_with_the_guardian_and_records_the_signed_form(web: str) -> None:
    team = make_team()
    marie = browser_of(web, team.author_id)  # any member, as on the command line
    csrf = csrf_of(marie.get(f"{web}/espace/personnes", timeout=10).text)
    minor = {"csrf": csrf, "nom": "Léa Côté", "mineur": "1", "courriel_tuteur": "anne@exemple.org"}
    refused = marie.post(f"{web}/espace/personnes", data=minor, timeout=10)
    assert refused.status_code == 400 and "écrivez le nom de son parent ou tuteur·trice" in refused.text
    assert 'value="anne@exemple.org"' in refused.text  # what was typed comes back
    added = marie.post(f"{web}/espace/personnes", data={**minor, "tuteur": "Anne Côté"}, timeout=10)
    assert added.status_code == 200 and "son consentement sera signé par Anne Côté" in added.text
    lea = registry_id(team.org_id, "Léa Côté")

    last_day = date.today() + timedelta(days=200)
    fields = {"csrf": csrf, "plateforme_facebook": "1", "plateforme_x": "1", "jusquau": last_day.isoformat(),
              "par_tuteur": "1"}  # fmt: skip
    recorded = marie.post(f"{web}/espace/personnes/{lea}/consentement", data=fields,
                          files={"formulaire": ("autorisation-lea.pdf", FORM)}, timeout=10)  # fmt: skip
    assert recorded.status_code == 200, recorded.text
    assert "Consentement de Léa Côté enregistré pour facebook, x" in recorded.text
    assert "Consentement valide pour facebook, x, donné par son parent ou tuteur·trice" in recorded.text
    assert consent_states(lea) == [(["facebook", "x"], "guardian", False)]
    with session_scope() as session:
        [kept] = session.exec(select(Consent.evidence_sha256)).all()
    stored = list((get_settings().data_path / "media" / "consents").rglob("*.pdf"))
    assert kept and [p.name for p in stored] == [f"{kept}.pdf"] and stored[0].read_bytes() == FORM
    assert web_actions() == ["person_added", "consent_granted"]
    listed = marie.get(f"{web}/espace/personnes", timeout=10).text
    assert "Léa Côté" in listed and "Personne mineure : son consentement est signé par Anne Côté" in listed


def test_a_bad_form_is_refused_in_french_and_nothing_is_written(web: str, env: dict[str, str], tmp_path: Path) -> None:
    team = make_team()
    person(team.org_id, "Léa Côté")
    lea = registry_id(team.org_id, "Léa Côté")
    marie = browser_of(web, team.author_id)
    csrf = csrf_of(marie.get(f"{web}/espace/personnes/{lea}", timeout=10).text)
    bomb = tmp_path / "bombe.png"
    Image.new("1", (20_000, 20_000)).save(bomb)  # 400 megapixels in a few kilobytes
    url = f"{web}/espace/personnes/{lea}/consentement"
    fields = {"csrf": csrf, "plateforme_facebook": "1"}

    def without_sessions() -> dict[str, object]:
        return {table: rows for table, rows in snapshot().items() if "session" not in table}

    before = without_sessions()
    for upload, words in (
        (("notes.txt", b"pas un formulaire"), "« notes.txt » n&#39;est ni un PDF ni une photo lisible"),
        (("bombe.png", bomb.read_bytes()), "« bombe.png » a plus de 100 mégapixels"),
        (("scan.pdf", FORM + b"0" * MAX_BYTES), "« scan.pdf » pèse plus de 10 Mo"),
        (("vide.pdf", b" \n"), "« vide.pdf » est vide"),
    ):
        refused = marie.post(url, data=fields, files={"formulaire": upload}, timeout=30)
        assert refused.status_code == 400 and words in refused.text, refused.text
        assert "/tmp" not in refused.text and "Traceback" not in refused.text
    no_file = marie.post(url, data=fields, timeout=10)
    assert no_file.status_code == 400 and "Joignez le formulaire signé" in no_file.text
    no_platform = marie.post(url, data={"csrf": csrf}, files={"formulaire": ("f.pdf", FORM)}, timeout=10)
    assert no_platform.status_code == 400 and "Cochez au moins une plateforme" in no_platform.text
    assert without_sessions() == before
    assert not (get_settings().data_path / "media" / "consents").exists()

    (tmp_path / "notes.txt").write_bytes(b"pas un formulaire")  # the command line's check is the same
    cli = run_cli(["consent", "grant", "Léa Côté", "-p", "x", "--evidence", str(tmp_path / "notes.txt"),
                   "--as", "Marie"], env)  # fmt: skip
    assert cli.returncode == 2 and "n'est ni un PDF ni une photo lisible" in cli.stderr


@pytest.mark.usefixtures("accounts")  # balise publishes to, and takes down from, the fake Facebook and X
def test_a_withdrawal_lists_what_it_takes_down_and_only_the_confirmation_does_it(
    web: str, fake_facebook: FakeFacebook, fake_x: FakeX
) -> None:
    team = make_team()
    person(team.org_id, "Alice Roy")
    consent(team.org_id, "Alice Roy", ("facebook", "x", "sandbox"), days=365)
    published = photo_post(team.org_id, team.author_id, ("Alice Roy",), platforms=("facebook", "x"))
    assert gate(published)[0] == "approved"
    assert [publish_target(t, "w")[0] for t in _sign(published, team.approver_id)] == ["published"] * 2
    planned = photo_post(team.org_id, team.author_id, ("Alice Roy",))
    assert gate(planned)[0] == "approved"
    _sign(planned, team.approver_id)
    assert state_of(planned) == State.SCHEDULED and len(fake_facebook.live_posts) == len(fake_x.live_posts) == 1
    alice = registry_id(team.org_id, "Alice Roy")

    marie = browser_of(web, team.author_id)
    asked = marie.get(f"{web}/espace/personnes/{alice}/retrait", timeout=10)
    assert asked.status_code == 200
    taken_down, _, stopped = asked.text.partition("Publications prévues qui montrent cette personne : 1")
    assert "Publications déjà parues qui montrent cette personne : 1" in taken_down
    assert f"Publication n° {published}, parue le" in taken_down and f"Publication n° {planned}" in stopped
    unconfirmed = marie.post(f"{web}/espace/personnes/{alice}/retrait", data={"motif": "Appel"}, timeout=10)
    assert unconfirmed.status_code == 403
    assert consent_states(alice) == [(["facebook", "x", "sandbox"], "self", False)]
    assert state_of(published) == State.PUBLISHED and state_of(planned) == State.SCHEDULED

    confirmed = marie.post(f"{web}/espace/personnes/{alice}/retrait",
                           data={"csrf": csrf_of(asked.text), "motif": "Appel de sa mère"}, timeout=10)  # fmt: skip
    assert confirmed.status_code == 200, confirmed.text
    assert "Consentement de Alice Roy retiré. Publications retirées des plateformes : 1" in confirmed.text
    run_worker([TAKEDOWN], burst=True, with_scheduler=False)  # the jobs the page queued after its commit
    assert fake_facebook.live_posts == [] and fake_x.live_posts == []
    assert state_of(published) == State.WITHDRAWN and state_of(planned) == State.PENDING_CHECK
    assert {t.state for t in targets_by_platform(published).values()} == {"deleted"}
    assert consent_states(alice) == [(["facebook", "x", "sandbox"], "self", True)]
    assert "consent_revoked" in web_actions()
    again = marie.post(f"{web}/espace/personnes/{alice}/retrait", data={"csrf": csrf_of(asked.text)}, timeout=10)
    assert again.status_code == 400 and "aucun consentement en vigueur à retirer" in again.text


def test_what_a_member_typed_comes_back_escaped(web: str) -> None:
    team = make_team()
    chantal = browser_of(web, team.admin_id)
    csrf = csrf_of(chantal.get(f"{web}/espace/personnes", timeout=10).text)
    name = '<script src="//ailleurs.example/x.js"></script>'
    added = chantal.post(f"{web}/espace/personnes", data={"csrf": csrf, "nom": name}, timeout=10)
    assert added.status_code == 200
    for page in ("/espace/personnes", f"/espace/personnes/{registry_id(team.org_id, name)}"):
        text = chantal.get(f"{web}{page}", timeout=10).text
        assert 'ailleurs.example/x.js"></script>' not in text and "&lt;script" in text


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is absent: apt-get install -y chromium")
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is absent: see .ci/run (npm install --prefix .ci axe-core)")
def test_an_admin_manages_members_people_consents_and_a_withdrawal_in_a_browser(
    web: str, mailbox: Mailbox, tmp_path: Path, backend: str
) -> None:
    from playwright.sync_api import expect

    team = make_team()
    form = tmp_path / "autorisation-lea.pdf"
    form.write_bytes(FORM)
    with workspace_page() as page:
        sign_in(page, web, mailbox, "chantal@exemple.org", backend, "chantal")
        page.get_by_role("link", name="Membres").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Membres et rôles")
        review(page, "membres", backend)
        page.get_by_label("Nom complet").fill("Sophie Gagnon")
        page.get_by_label("Adresse courriel").fill("sophie@exemple.org")
        page.get_by_label("Rôle", exact=True).select_option("approver")
        page.get_by_role("button", name="Ajouter ce membre").click()
        expect(page.get_by_role("status")).to_have_text(re.compile("Sophie Gagnon est maintenant membre"))

        page.get_by_role("link", name="Personnes et consentements").first.click()
        review(page, "personnes-vide", backend)
        page.get_by_label("Nom complet de la personne").fill("Léa Côté")
        page.get_by_label("Cette personne est mineure").check()
        page.get_by_label("Nom du parent ou tuteur·trice").fill("Anne Côté")
        page.get_by_role("button", name="Ajouter cette personne").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Léa Côté")
        page.get_by_label("Le formulaire signé").set_input_files(str(form))
        page.get_by_label("Facebook", exact=True).check()
        page.get_by_label("Bac à sable (essai, rien n'est publié)").check()
        page.get_by_label("Dernier jour de validité").fill((date.today() + timedelta(days=200)).isoformat())
        review(page, "personne", backend)
        page.get_by_role("button", name="Enregistrer le consentement").click()
        expect(page.get_by_text(re.compile("Consentement valide pour facebook, sandbox"))).to_be_visible()

        planned = photo_post(team.org_id, team.author_id, ("Léa Côté",))
        assert gate(planned)[0] == "approved"
        page.get_by_role("link", name="Personnes et consentements").first.click()
        review(page, "personnes", backend)
        page.get_by_role("link", name="Léa Côté").click()
        page.get_by_role("link", name="Retirer le consentement de Léa Côté").click()
        expect(page.get_by_text(f"Publication n° {planned}", exact=False)).to_be_visible()
        review(page, "retrait", backend)
        assert consent_states(registry_id(team.org_id, "Léa Côté"))[0][2] is False  # the page alone changed nothing
        page.get_by_role("button", name="Confirmer le retrait du consentement de Léa Côté").click()
        expect(page.get_by_role("status")).to_have_text(re.compile("Consentement de Léa Côté retiré"))
        review(page, "retrait-fait", backend)
    assert state_of(planned) == State.PENDING_CHECK


def test_the_people_pages_speak_english_under_balise_lang_en(web: str, monkeypatch: pytest.MonkeyPatch) -> None:
    team = make_team()
    person(team.org_id, "Léa Côté", guardian="Anne Côté")
    lea = registry_id(team.org_id, "Léa Côté")
    monkeypatch.setenv("BALISE_LANG", "en")
    reset_settings()
    marie = browser_of(web, team.author_id)
    listed = marie.get(f"{web}/espace/personnes", timeout=10).text
    assert "People and consents" in listed and "A minor: their consent is signed by Anne Côté." in listed
    csrf = csrf_of(listed)
    refused = marie.post(f"{web}/espace/personnes/{lea}/consentement", data={"csrf": csrf}, timeout=10)
    assert refused.status_code == 400 and "Attach the signed form" in refused.text
    assert "Members and roles" in marie.get(f"{web}/espace/membres", timeout=10).text
