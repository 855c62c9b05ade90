"""Each organization publishes through its own accounts: its table in the TOML file, and the
environment's for the default organization alone; never another organization's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import select

from balise.config import AccountOwner, get_settings, reset_settings
from balise.db import session_scope
from balise.metrics import collect_metrics
from balise.models import AccountSnapshot, Member, Organization, Post
from balise.organizations import add_member, create_organization
from balise.pipeline.after_commit import run_after_commit
from balise.pipeline.signoff import approve
from balise.pipeline.takedown import retract
from balise.posts import targets_of
from balise.publisher.base import Publication
from balise.publisher.registry import get_platform
from balise.queue.queues import PUBLISH, TAKEDOWN, enqueue_publish
from balise.queue.worker import run_worker
from balise.states import State
from tests.conftest import run_cli
from tests.fakes import x_server as xs
from tests.fakes.facebook_server import ALL_SCOPES, FakeFacebook, GraphToken
from tests.fakes.x_server import FakeX, XToken
from tests.helpers import NO_QUIET_HOURS, gate, make_org, make_post, snapshot, state_of, targets_by_platform

TEXTS = {
    "espace-test": "Offre d'emploi : ESPACE Test recrute une animatrice pour ses ateliers de prévention. "
    "Postulez avant le 15 janvier.",
    "espace-nord": "Offre d'emploi : ESPACE Nord recrute un animateur pour ses ateliers de prévention. "
    "Postulez avant le 20 janvier.",
}


@dataclass
class Account:
    """One organization's Facebook Page and X account, each on a fake server of its own."""

    facebook: FakeFacebook
    x: FakeX
    page_token: str
    access_token: str
    access_secret: str

    def env(self) -> dict[str, str]:
        """The environment that makes this the default organization's account."""
        return {
            "BALISE_FACEBOOK_GRAPH_URL": self.facebook.url,
            "BALISE_FACEBOOK_PAGE_ID": self.facebook.page_id,
            "BALISE_FACEBOOK_PAGE_TOKEN": self.page_token,
            "BALISE_X_API_URL": self.x.url,
            "BALISE_X_API_KEY": xs.CONSUMER_KEY,
            "BALISE_X_API_SECRET": xs.CONSUMER_SECRET,
            "BALISE_X_ACCESS_TOKEN": self.access_token,
            "BALISE_X_ACCESS_SECRET": self.access_secret,
        }

    def toml(self, slug: str) -> str:
        """The same account as an organization's tables in balise.toml."""
        return (
            f"[organizations.{slug}.facebook]\n"
            f'page_id = "{self.facebook.page_id}"\npage_token = "{self.page_token}"\n'
            f'graph_url = "{self.facebook.url}"\n\n'
            f"[organizations.{slug}.x]\n"
            f'api_key = "{xs.CONSUMER_KEY}"\napi_secret = "{xs.CONSUMER_SECRET}"\n'
            f'access_token = "{self.access_token}"\naccess_secret = "{self.access_secret}"\n'
            f'api_url = "{self.x.url}"\n\n'
        )

    def secrets(self) -> tuple[str, ...]:
        return self.page_token, self.access_token, self.access_secret

    def texts(self) -> dict[str, list[str]]:
        return {
            "facebook": [p.text for p in self.facebook.live_posts],
            "x": [p.text for p in self.x.live_posts],
        }


def _account(number: int, name: str) -> Iterator[Account]:
    """A Page that knows only its own token, and an X account that knows only its own."""
    page_token, access_token, access_secret = f"EAAB-page-{name}", f"{number}-token-{name}", f"secret-{name}"
    facebook = FakeFacebook(
        page_id=f"{number}" * 8, page_name=f"Page {name}", tokens={page_token: GraphToken(ALL_SCOPES)}, followers=number
    )
    x = FakeX(user_id=f"{number}" * 10, username=f"compte_{name}", tokens={access_token: XToken(access_secret)})
    with facebook, x:
        yield Account(facebook, x, page_token, access_token, access_secret)


@pytest.fixture
def account_a() -> Iterator[Account]:
    yield from _account(1, "test")


@pytest.fixture
def account_b() -> Iterator[Account]:
    yield from _account(2, "nord")


def configure(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *, environment: dict[str, str], toml: str) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    Path(env["BALISE_CONFIG"]).write_text(toml, encoding="utf-8")
    reset_settings()


def second_org(slug: str, name: str) -> tuple[int, int, int]:
    """Another organization on the same installation, with its own author and approver."""
    with session_scope() as session:
        org = create_organization(session, slug=slug, name=name, timezone="America/Toronto")
        org.policy_override = NO_QUIET_HOURS
        author = add_member(session, org, name=f"Autrice {name}", email="a@exemple.org", role="author", actor="test")
        approver = add_member(session, org, name=f"Approb {name}", email="b@exemple.org", role="approver", actor="test")
        assert org.id and author.id and approver.id
        return org.id, author.id, approver.id


def signed_off(org: tuple[int, int, int], text: str, platforms: tuple[str, ...] = ("facebook", "x")) -> int:
    """A post of `org` through the real gate and a sign-off, its publish jobs queued."""
    org_id, author_id, approver_id = org
    post_id = make_post(org_id, author_id, text=text, platforms=platforms)
    gate(post_id)
    assert state_of(post_id) == State.AWAITING_SIGNOFF
    with session_scope() as session:
        post, approver, organization = (
            session.get(Post, post_id), session.get(Member, approver_id), session.get(Organization, org_id)
        )  # fmt: skip
        assert post and approver and organization
        approve(session, organization, post, approver, channel="cli")
        targets = [(t.id, t.attempts) for t in targets_of(session, post) if t.id]
    for target_id, attempts in targets:
        enqueue_publish(target_id, attempts)
    return post_id


def test_one_worker_publishes_each_organization_on_its_own_page_and_x_account(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, account_a: Account, account_b: Account
) -> None:
    # espace-test is the default organization (the oldest): the environment's accounts are its own.
    configure(monkeypatch, env, environment=account_a.env(), toml=account_b.toml("espace-nord"))
    post_a = signed_off(make_org(), TEXTS["espace-test"])
    post_b = signed_off(second_org("espace-nord", "ESPACE Nord"), TEXTS["espace-nord"])

    run_worker([PUBLISH], burst=True, with_scheduler=False)

    assert account_a.texts() == {"facebook": [TEXTS["espace-test"]], "x": [TEXTS["espace-test"]]}
    assert account_b.texts() == {"facebook": [TEXTS["espace-nord"]], "x": [TEXTS["espace-nord"]]}
    assert state_of(post_a) == state_of(post_b) == State.PUBLISHED
    a, b = targets_by_platform(post_a), targets_by_platform(post_b)
    assert a["facebook"].remote_id == account_a.facebook.posts[0].id
    assert b["facebook"].remote_id == account_b.facebook.posts[0].id
    assert (a["x"].url or "").startswith("https://x.com/compte_test/")
    assert (b["x"].url or "").startswith("https://x.com/compte_nord/")
    rows = repr(snapshot())
    assert not [s for s in account_a.secrets() + account_b.secrets() if s in rows]  # never in the database


def test_an_organization_without_an_account_is_refused_and_never_uses_another_organizations(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, account_a: Account
) -> None:
    configure(monkeypatch, env, environment=account_a.env(), toml="")
    post_a = signed_off(make_org(), TEXTS["espace-test"])
    post_sud = signed_off(second_org("espace-sud", "ESPACE Sud"), TEXTS["espace-nord"])

    run_worker([PUBLISH], burst=True, with_scheduler=False)

    assert account_a.texts() == {"facebook": [TEXTS["espace-test"]], "x": [TEXTS["espace-test"]]}
    assert state_of(post_a) == State.PUBLISHED and state_of(post_sud) == State.FAILED
    sud = targets_by_platform(post_sud)
    assert {t.state for t in sud.values()} == {"failed"} and {t.error_kind for t in sud.values()} == {"needs_person"}
    facebook_error = sud["facebook"].last_error or ""
    assert "« ESPACE Sud » n'a pas de compte Facebook configuré" in facebook_error
    assert "[organizations.espace-sud.facebook] avec les clés page_id, page_token" in facebook_error
    assert "balise --org espace-sud accounts check" in facebook_error
    x_error = sud["x"].last_error or ""
    assert "« ESPACE Sud » n'a pas de compte X configuré" in x_error
    assert "[organizations.espace-sud.x] avec les clés api_key, api_secret, access_token, access_secret" in x_error


def test_an_organizations_table_wins_over_the_environment_for_the_default_organization(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, account_a: Account, account_b: Account
) -> None:
    configure(monkeypatch, env, environment=account_a.env(), toml=account_b.toml("espace-test"))
    owner = AccountOwner("espace-test", "ESPACE Test", default=True)

    for platform in ("facebook", "x"):
        get_platform(owner, platform, get_settings()).publish(Publication(post_id=1, target_id=1, text="Bonjour"))

    assert account_b.texts() == {"facebook": ["Bonjour"], "x": ["Bonjour"]}
    assert account_a.texts() == {"facebook": [], "x": []}


def published_for_nord(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, account_a: Account, account_b: Account
) -> tuple[tuple[int, int, int], int]:
    """ESPACE Nord's post published on its own Page by a real worker, beside the default organization."""
    configure(monkeypatch, env, environment=account_a.env(), toml=account_b.toml("espace-nord"))
    make_org()
    nord = second_org("espace-nord", "ESPACE Nord")
    post_id = signed_off(nord, TEXTS["espace-nord"], platforms=("facebook",))
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert [p.text for p in account_b.facebook.posts] == [TEXTS["espace-nord"]]
    return nord, post_id


def take_down(post_id: int, approver_id: int) -> None:
    """Retract the post and let a real worker take it down."""
    with session_scope() as session:
        post, approver = session.get(Post, post_id), session.get(Member, approver_id)
        assert post and approver
        after = retract(session, post, approver, reason="Consentement retiré", channel="cli")
    run_after_commit(after)
    run_worker([TAKEDOWN], burst=True, with_scheduler=False)


def test_takedown_and_metrics_use_the_posts_own_organizations_account(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, account_a: Account, account_b: Account
) -> None:
    nord, post_id = published_for_nord(env, monkeypatch, account_a, account_b)

    collect_metrics(nord[0], get_settings())
    take_down(post_id, nord[2])

    with session_scope() as session:
        followers = {s.platform: s.followers for s in session.exec(select(AccountSnapshot))}
    assert followers["facebook"] == 2  # Page nord's, not the default organization's
    assert [p.deleted for p in account_b.facebook.posts] == [True]
    assert account_a.facebook.requests == []


def test_a_takedown_after_the_organizations_account_was_removed_waits_for_a_person(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, account_a: Account, account_b: Account
) -> None:
    nord, post_id = published_for_nord(env, monkeypatch, account_a, account_b)
    configure(monkeypatch, env, environment=account_a.env(), toml="")  # ESPACE Nord's table removed

    take_down(post_id, nord[2])

    target = targets_by_platform(post_id)["facebook"]
    assert (target.state, target.error_kind) == ("published", "needs_person")
    assert "« ESPACE Nord » n'a pas de compte Facebook configuré" in (target.last_error or "")
    assert [p.deleted for p in account_b.facebook.posts] == [False] and account_a.facebook.requests == []


def test_accounts_check_checks_the_organization_named_by_org(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, account_a: Account, account_b: Account
) -> None:
    configure(monkeypatch, env, environment=account_a.env(), toml=account_b.toml("espace-nord"))
    make_org()
    second_org("espace-nord", "ESPACE Nord")
    environ = {**env, **account_a.env()}

    nord = run_cli(["--org", "espace-nord", "accounts", "check", "--json"], environ)
    default = run_cli(["accounts", "check", "--json"], environ)

    assert nord.returncode == 0 and default.returncode == 0, nord.stderr + default.stderr
    accounts = {a["platform"]: a["account"] for a in json.loads(nord.stdout)["accounts"]}
    assert (json.loads(nord.stdout)["organization"], accounts["facebook"], accounts["x"]) == (
        "espace-nord", "Page nord (22222222)", "@compte_nord"
    )  # fmt: skip
    accounts = {a["platform"]: a["account"] for a in json.loads(default.stdout)["accounts"]}
    assert (accounts["facebook"], accounts["x"]) == ("Page test (11111111)", "@compte_test")


def test_config_show_names_each_organizations_keys_and_masks_its_secrets(
    env: dict[str, str], account_b: Account
) -> None:
    Path(env["BALISE_CONFIG"]).write_text(account_b.toml("espace-nord"), encoding="utf-8")

    shown = run_cli(["config", "show"], {**env, "COLUMNS": "250"})
    result = run_cli(["config", "show", "--json"], env)

    assert result.returncode == 0 and shown.returncode == 0, result.stderr + shown.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["organizations.espace-nord.facebook.page_id"]["value"] == account_b.facebook.page_id
    assert rows["organizations.espace-nord.facebook.page_token"] == {
        "name": "organizations.espace-nord.facebook.page_token", "value": "••••••rd", "source": "file"
    }  # fmt: skip
    assert rows["organizations.espace-nord.facebook.graph_version"]["source"] == "default"
    assert rows["organizations.espace-nord.x.access_secret"]["value"].startswith("••••••")
    assert "organizations.espace-nord.x.api_key" in shown.stdout
    for secret in (*account_b.secrets(), xs.CONSUMER_KEY, xs.CONSUMER_SECRET):
        assert secret not in result.stdout + shown.stdout


def test_an_incomplete_or_misspelt_organization_table_is_named_in_french(
    env: dict[str, str], account_b: Account
) -> None:
    toml = account_b.toml("espace-nord")
    config = Path(env["BALISE_CONFIG"])

    config.write_text(toml.replace(f'access_secret = "{account_b.access_secret}"\n', ""), encoding="utf-8")
    incomplete = run_cli(["config", "show"], env)
    config.write_text(toml.replace("page_token =", "page_tokn ="), encoding="utf-8")
    misspelt = run_cli(["config", "show"], env)

    assert incomplete.returncode == misspelt.returncode == 3
    assert "Traceback" not in incomplete.stderr + misspelt.stderr
    assert "Il manque « organizations.espace-nord.x.access_secret »" in incomplete.stderr
    assert "Réglage inconnu « organizations.espace-nord.facebook.page_tokn »" in misspelt.stderr
    assert account_b.page_token not in incomplete.stderr + misspelt.stderr
