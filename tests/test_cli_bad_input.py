"""Bad input: a French message that says what and how to fix it, non-zero exit, no traceback,
nothing written."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from balise.db import session_scope
from balise.models import Post
from tests.conftest import run_cli
from tests.helpers import make_org

CASES = {
    "unknown_platform": (["-p", "myspace", "--at", "2031-01-10 10:00"], "Plateforme inconnue"),
    "empty_text": (["-p", "facebook", "--at", "2031-01-10 10:00"], "texte de la publication est vide"),
    "past_date": (["-p", "facebook", "--at", "2020-01-10 10:00"], "déjà passée"),
    "nonexistent_local_time": (["-p", "facebook", "--at", "2031-03-09 02:30"], "n'existe pas"),
    "ambiguous_local_time": (["-p", "facebook", "--at", "2031-11-02 01:30"], "existe deux fois"),
    "malformed_date": (["-p", "facebook", "--at", "demain matin"], "Date illisible"),
    "unreadable_photo": (
        ["-p", "facebook", "--at", "2031-01-10 10:00", "--photo", "/nulle/part.jpg"],
        "Impossible de lire la photo",
    ),
    "unknown_topic": (["-p", "facebook", "--at", "2031-01-10 10:00", "--topic", "recettes"], "Catégorie inconnue"),
    "unknown_member": (["-p", "facebook", "--at", "2031-01-10 10:00", "--as", "Personne"], "Membre inconnu"),
    "script_link": (["-p", "facebook", "--at", "2031-01-10 10:00", "--link", "javascript:alert(1)"], "adresse web"),
    "not_a_link": (["-p", "facebook", "--at", "2031-01-10 10:00", "--link", "notre site"], "adresse web"),
    "link_too_long": (
        ["-p", "facebook", "--at", "2031-01-10 10:00", "--link", "https://exemple.org/" + "a" * 2000],
        "2000 au plus",
    ),
}
TEXTS = {"empty_text": "   "}


def _count() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(Post)).one()


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_draft_gets_a_french_message_and_writes_nothing(env: dict[str, str], case: str) -> None:
    make_org()
    args, expected = CASES[case]
    if "--as" not in args:
        args = [*args, "--as", "Marie"]
    text = TEXTS.get(case, "Offre d'emploi : animatrice recherchée")
    result = run_cli(["draft", "add", text, *args], env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert expected in result.stderr
    assert _count() == 0


def test_an_unknown_post_id_is_a_clear_error(env: dict[str, str]) -> None:
    make_org()
    for args in (
        ["draft", "show", "999"],
        ["approve", "999", "--as", "Julie"],
        ["draft", "cancel", "999", "--as", "Marie"],
    ):
        result = run_cli(args, env)
        assert result.returncode == 2, args
        assert "Aucune publication n° 999" in result.stderr
        assert "Traceback" not in result.stderr


def test_an_unknown_member_cannot_be_added_with_a_bad_role_or_email(env: dict[str, str]) -> None:
    make_org()
    bad_role = run_cli(["member", "add", "Luc", "--email", "luc@exemple.org", "--role", "chef"], env)
    bad_email = run_cli(["member", "add", "Luc", "--email", "pas-un-courriel", "--role", "author"], env)
    assert bad_role.returncode == 2 and "Rôle inconnu" in bad_role.stderr
    assert bad_email.returncode == 2 and "Adresse courriel invalide" in bad_email.stderr


def test_messages_are_in_english_with_balise_lang_en(env: dict[str, str]) -> None:
    make_org()
    result = run_cli(["draft", "show", "999"], {**env, "BALISE_LANG": "en"})
    assert result.returncode == 2
    assert "No post number 999" in result.stderr


def test_usage_errors_are_explained_in_french_with_the_help_to_read(env: dict[str, str]) -> None:
    for args, expected in (
        (["draft", "add", "Offre", "-p", "x"], "Il manque --at."),
        (["draft", "show", "abc"], "Valeur invalide pour POST_ID."),
        (["draft", "list", "--bogus"], "Option inconnue : --bogus."),
        (["draft", "ajouter"], "Commande inconnue : « ajouter »."),
    ):
        result = run_cli(args, env)
        assert result.returncode == 2, args
        assert expected in result.stderr and "--help" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("zone", ["America", "Mars/Olympus", "../etc/passwd"])
def test_init_with_an_unknown_time_zone_says_which_to_use(env: dict[str, str], zone: str) -> None:
    result = run_cli(
        ["init", "--name", "ESPACE Test", "--admin", "Julie", "--email", "j@exemple.org", "--timezone", zone], env
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Fuseau horaire inconnu" in result.stderr and "America/Toronto" in result.stderr


def test_an_edit_cannot_give_a_draft_a_script_for_a_link(env: dict[str, str]) -> None:
    make_org()
    added = run_cli(["draft", "add", "Offre d'emploi", "-p", "facebook", "--at", "2031-01-10 10:00", "--as", "Marie",
                     "--link", "https://exemple.org/emplois"], env)  # fmt: skip
    assert added.returncode == 0, added.stderr
    refused = run_cli(["draft", "edit", "1", "--link", "javascript:alert(1)", "--as", "Marie"], env)
    assert refused.returncode == 2 and "https://" in refused.stderr and "Traceback" not in refused.stderr
    with session_scope() as session:
        post = session.get(Post, 1)
        assert post and post.link == "https://exemple.org/emplois" and post.version == 1
