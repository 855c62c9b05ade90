"""`balise init`'s optional questions (issue 19, items 1 and 7): email approval's settings and the
accounts, each skippable, kept in the configuration file; a wrong answer writes nothing."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.conftest import run_cli
from tests.fakes import facebook_server as fb
from tests.fakes import x_server as xs
from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.x_server import FakeX

FIRST = ["ESPACE Test", "", "Julie", "julie@exemple.org"]  # name, time zone (Enter: the default), admin, email


def answered(*lines: str) -> str:
    return "".join(f"{line}\n" for line in lines)


def config(env: dict[str, str]) -> dict[str, object]:
    path = Path(env["BALISE_CONFIG"])
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def test_it_asks_for_email_and_both_accounts_and_keeps_the_answers(
    env: dict[str, str], fake_facebook: FakeFacebook, fake_x: FakeX
) -> None:
    env = {
        **env,
        "BALISE_FACEBOOK_GRAPH_URL": fake_facebook.url,
        "BALISE_FACEBOOK_APP_ID": fb.APP_ID,
        "BALISE_FACEBOOK_APP_SECRET": fb.APP_SECRET,
        "BALISE_X_API_URL": fake_x.url,
        "BALISE_X_API_KEY": xs.CONSUMER_KEY,
        "BALISE_X_API_SECRET": xs.CONSUMER_SECRET,
    }
    typed = answered(
        *FIRST,
        "smtp.exemple.org:587",  # server
        "julie@exemple.org",  # user name on it
        "mot de passe/secret",  # password
        "",  # sender: Enter gives the admin's address
        "https://balise.exemple.org",  # public address
        "oui",  # connect Facebook
        fb.USER_TOKEN,
        "oui",  # connect X
        xs.PIN,
    )
    result = run_cli(["init"], env, stdin=typed)
    assert result.returncode == 0, (result.stdout, result.stderr)
    shown = " ".join(result.stdout.split())
    assert "Serveur d'envoi des courriels" in shown and "Adresse publique de « balise serve »" in shown
    assert "mot de passe" not in result.stdout and fb.USER_TOKEN not in result.stdout
    kept = config(env)
    assert kept["smtp_url"] == "smtp://julie%40exemple.org:mot%20de%20passe%2Fsecret@smtp.exemple.org:587"
    assert kept["mail_from"] == "julie@exemple.org"
    assert kept["public_url"] == "https://balise.exemple.org"
    organization = kept["organizations"]["espace-test"]  # type: ignore[index]
    assert organization["facebook"]["page_token"] == fb.VALID_TOKEN
    assert organization["x"]["access_token"] == xs.VALID_TOKEN
    assert "secret_key" in kept  # what init already kept is still there


def test_every_optional_question_can_be_skipped(env: dict[str, str]) -> None:
    result = run_cli(["init"], env, stdin=answered(*FIRST, "", "", "", ""))
    assert result.returncode == 0, (result.stdout, result.stderr)
    kept = config(env)
    assert not {"smtp_url", "mail_from", "public_url", "organizations"} & kept.keys()


def test_an_account_that_cannot_connect_leaves_the_organization_made_and_says_how_later(env: dict[str, str]) -> None:
    result = run_cli(["init"], env, stdin=answered(*FIRST, "", "", "oui", "non"))  # no Meta app configured
    assert result.returncode == 0, (result.stdout, result.stderr)
    said = " ".join(result.stderr.split()) + " ".join(result.stdout.split())
    assert "Il manque l'application Meta de l'organisme" in said
    assert "Vous pourrez le faire plus tard : balise accounts connect facebook" in said
    assert "organizations" not in config(env)


def test_a_script_gives_the_email_settings_as_options(env: dict[str, str]) -> None:
    result = run_cli(
        [
            "init", "--name", "ESPACE Test", "--admin", "Julie", "--email", "julie@exemple.org",
            "--smtp-url", "smtps://julie:secret@smtp.exemple.org:465", "--mail-from", "balise@exemple.org",
        ],
        env,
    )  # fmt: skip
    assert result.returncode == 0, (result.stdout, result.stderr)
    kept = config(env)
    assert kept["smtp_url"] == "smtps://julie:secret@smtp.exemple.org:465"
    assert kept["mail_from"] == "balise@exemple.org" and "public_url" not in kept


def test_a_wrong_answer_is_refused_before_anything_is_written(env: dict[str, str]) -> None:
    for wrong, expected in (
        (["--smtp-url", "smtp.exemple.org"], "Le serveur de courriel n'est pas valide"),
        (["--mail-from", "balise"], "« balise » n'est pas une adresse courriel"),
        (["--public-url", "balise.exemple.org"], "« balise.exemple.org » n'est pas une adresse web"),
    ):
        result = run_cli(["init", "--name", "ESPACE Test", "--admin", "Julie", "--email", "j@e.org", *wrong], env)
        said = " ".join(result.stderr.split())
        assert result.returncode != 0 and "Traceback" not in result.stderr, said
        assert expected in said and "Rien n'a été créé" in said
        assert config(env) == {}
