"""`balise metrics collect`: snapshots of followers, likes and engagement, kept for years."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from balise.db import session_scope
from balise.models import AccountSnapshot, PostSnapshot, utcnow
from balise.publisher.base import Publication
from tests.conftest import run_cli
from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.fixtures import FakeAccount
from tests.fakes.x_server import FakeX
from tests.helpers import make_org
from tests.reports.builders import JOB_OFFER, account_snapshot, draft, mark_published


def account_snapshots() -> list[AccountSnapshot]:
    with session_scope() as session:
        return list(session.exec(select(AccountSnapshot).order_by(col(AccountSnapshot.taken_at))))


def post_snapshots() -> list[PostSnapshot]:
    with session_scope() as session:
        return list(session.exec(select(PostSnapshot).order_by(col(PostSnapshot.id))))


def published_on(account: FakeAccount, org_id: int, author_id: int, **figures: int) -> int:
    """A post really published on the fake platform, its target recorded as the publisher does."""
    post_id = draft(org_id, author_id, platforms=(account.name,))
    remote = account.adapter().publish(Publication(post_id=post_id, target_id=post_id, text=JOB_OFFER))
    account.server.post(remote.remote_id).metrics.update(figures)  # type: ignore[union-attr]
    mark_published(post_id, utcnow(), {account.name: remote.remote_id})
    return post_id


def test_collect_stores_snapshots_through_the_sandbox(env: dict[str, str]) -> None:
    org_id, author_id, _ = make_org()
    post_id = draft(org_id, author_id)
    target_id = mark_published(post_id, utcnow())["sandbox"]

    result = run_cli(["metrics", "collect"], env)

    assert result.returncode == 0, result.stderr
    [account] = account_snapshots()
    assert (account.platform, account.followers, account.likes) == ("sandbox", None, None)
    [snapshot] = post_snapshots()
    assert (snapshot.post_id, snapshot.target_id, snapshot.platform) == (post_id, target_id, "sandbox")
    assert snapshot.reactions is None and snapshot.notes == ["sandbox"]
    assert "aucun chiffre à relever" in result.stdout


def test_collect_stores_followers_likes_and_post_figures_from_facebook_and_x(
    env: dict[str, str], fake_facebook: FakeFacebook, fake_x: FakeX
) -> None:
    org_id, author_id, _ = make_org()
    facebook, x = FakeAccount("facebook", fake_facebook), FakeAccount("x", fake_x)
    on_facebook = published_on(facebook, org_id, author_id, reactions=12, comments=3, shares=2, reach=480)
    on_x = published_on(x, org_id, author_id, reactions=7, comments=1, shares=4, reach=950)

    result = run_cli(["metrics", "collect"], {**env, **facebook.env(), **x.env()})

    assert result.returncode == 0, result.stderr
    followers = {s.platform: (s.followers, s.likes) for s in account_snapshots()}
    assert followers["facebook"] == (fake_facebook.followers, fake_facebook.fans)
    assert followers["x"] == (fake_x.followers, None)
    figures = {s.post_id: (s.reactions, s.comments, s.shares, s.reach) for s in post_snapshots()}
    assert figures == {on_facebook: (12, 3, 2, 480), on_x: (7, 1, 4, 950)}
    assert "Facebook" in result.stdout and "abonnés" in result.stdout


def test_a_missing_permission_is_a_french_warning_not_a_crash(env: dict[str, str], fake_facebook: FakeFacebook) -> None:
    org_id, author_id, _ = make_org()
    facebook = FakeAccount("facebook", fake_facebook)
    post_id = published_on(facebook, org_id, author_id, reactions=5, comments=1, reach=99)
    # This token may read the Page but not its insights: reach is missing, the rest is kept.
    result = run_cli(["metrics", "collect"], {**env, **facebook.env("limited")})

    assert result.returncode == 0, result.stderr
    [snapshot] = [s for s in post_snapshots() if s.platform == "facebook"]
    assert (snapshot.post_id, snapshot.reactions, snapshot.comments, snapshot.reach) == (post_id, 5, 1, None)
    assert "read_insights" in result.stdout and "Traceback" not in result.stderr


def test_a_rate_limit_stops_asking_that_platform_and_says_so(
    env: dict[str, str], fake_facebook: FakeFacebook, fake_x: FakeX
) -> None:
    org_id, author_id, _ = make_org()
    facebook, x = FakeAccount("facebook", fake_facebook), FakeAccount("x", fake_x)
    published_on(facebook, org_id, author_id, reactions=3)
    for _ in range(3):
        published_on(x, org_id, author_id, reactions=1)
    x_reads_before = sum(1 for r in fake_x.requests if r.method == "GET")
    fake_x.fail_next("rate_limit", count=1, on="read")

    result = run_cli(["metrics", "collect"], {**env, **facebook.env(), **x.env()})

    assert result.returncode == 0, result.stderr
    assert "X demande de ralentir" in result.stderr and "3 publication(s) non relevée(s)" in result.stderr
    assert sum(1 for r in fake_x.requests if r.method == "GET") == x_reads_before + 1  # asked once, then left alone
    assert {s.platform for s in post_snapshots()} == {"facebook"}


def test_it_exits_non_zero_only_when_nothing_at_all_could_be_collected(
    env: dict[str, str], fake_facebook: FakeFacebook
) -> None:
    make_org()
    facebook = FakeAccount("facebook", fake_facebook)

    broken = run_cli(["metrics", "collect"], {**env, **facebook.env("expired")})
    working = run_cli(["metrics", "collect"], {**env, **facebook.env()})

    assert broken.returncode != 0 and "Facebook : abonnés non relevés" in broken.stderr
    assert "Rien n'a pu être relevé" in broken.stderr and "Traceback" not in broken.stderr
    assert working.returncode == 0, working.stderr
    assert [s.followers for s in account_snapshots() if s.platform == "facebook"] == [fake_facebook.followers]


def test_old_snapshots_are_never_pruned(env: dict[str, str]) -> None:
    org_id, _, _ = make_org()
    three_years_ago = utcnow() - timedelta(days=3 * 365)
    account_snapshot(org_id, "facebook", three_years_ago, followers=400, likes=380)

    assert run_cli(["metrics", "collect"], env).returncode == 0

    kept = account_snapshots()
    assert kept[0].taken_at == three_years_ago and kept[0].followers == 400 and len(kept) == 2
