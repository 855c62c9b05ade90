"""Behaviour both platform adapters share, through facebook-sdk and tweepy over real HTTP."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from balise.config import AccountOwner, Settings
from balise.errors import ConfigError, NeedsPerson, Permanent, PlatformError, RetryLater
from balise.publisher.base import MediaFile, Publication
from balise.publisher.platforms.facebook import FacebookPlatform
from balise.publisher.platforms.x import XPlatform
from balise.publisher.registry import get_platform
from tests.fakes.fixtures import FakeAccount

DISPLAY = {"facebook": "Facebook", "x": "X"}
DEFAULT_ORG = AccountOwner("espace-test", "ESPACE Test", default=True)


def text_post(text: str = "Formation le 20 novembre : inscrivez-vous !", **kw: object) -> Publication:
    return Publication(post_id=1, target_id=1, text=text, **kw)  # type: ignore[arg-type]


def photos(tmp_path: Path, count: int) -> tuple[MediaFile, ...]:
    files = []
    for i in range(count):
        path = tmp_path / f"photo{i}.jpg"
        path.write_bytes(b"\xff\xd8\xff\xe0" + bytes([i]) * 64)
        files.append(MediaFile(path, "image/jpeg", f"sha{i}"))
    return tuple(files)


def test_it_publishes_a_text_post(fake_platform: FakeAccount) -> None:
    remote = fake_platform.adapter().publish(text_post())

    [post] = fake_platform.server.posts
    assert post.id == remote.remote_id
    assert post.text == "Formation le 20 novembre : inscrivez-vous !"
    assert remote.url.endswith(remote.remote_id)
    assert remote.url.startswith(("https://www.facebook.com/", "https://x.com/maisonfamille_bl/status/"))


def test_it_publishes_a_link_post(fake_platform: FakeAccount) -> None:
    fake_platform.adapter().publish(text_post("Offre d'emploi", link="https://roeq.ca/emplois"))

    [post] = fake_platform.server.posts
    # Facebook takes the link apart (it shows a preview); X only has the text.
    assert (post.link, post.text) in {
        ("https://roeq.ca/emplois", "Offre d'emploi"),
        (None, "Offre d'emploi\n\nhttps://roeq.ca/emplois"),
    }


@pytest.mark.parametrize("count", [1, 4])
def test_it_publishes_photos_in_one_post(fake_platform: FakeAccount, tmp_path: Path, count: int) -> None:
    files = photos(tmp_path, count)

    remote = fake_platform.adapter().publish(text_post("Fête de quartier", photos=files))

    [post] = fake_platform.server.posts
    assert post.id == remote.remote_id
    assert post.text == "Fête de quartier"
    stored = getattr(fake_platform.server, "photos", None) or fake_platform.server.media
    assert [stored[m].data for m in post.media] == [f.path.read_bytes() for f in files]


@pytest.mark.parametrize("kind", ["5xx", "timeout"])
def test_it_says_nothing_went_out_when_a_photo_upload_fails(
    fake_platform: FakeAccount, tmp_path: Path, kind: str
) -> None:
    fake_platform.server.fail_next(kind, on="upload")

    with pytest.raises(RetryLater) as caught:
        fake_platform.adapter().publish(text_post(photos=photos(tmp_path, 3)))

    assert caught.value.uncertain is False  # an upload alone publishes nothing
    assert fake_platform.server.posts == []


def test_it_deletes_a_post_and_a_second_delete_changes_nothing(fake_platform: FakeAccount) -> None:
    adapter = fake_platform.adapter()
    remote = adapter.publish(text_post())

    adapter.delete(remote.remote_id)
    adapter.delete(remote.remote_id)  # already gone: the goal is reached, not an error

    assert fake_platform.server.live_posts == []


# kind, class, uncertain: what each platform failure means for a create call.
CLASSIFICATION = [
    ("5xx", RetryLater, True),
    ("timeout", RetryLater, True),  # the client cannot tell a stall before from one after
    ("timeout_after_create", RetryLater, True),
    ("rate_limit", RetryLater, False),
    ("expired_token", NeedsPerson, False),
    ("permission", NeedsPerson, False),
    ("policy_block", NeedsPerson, False),
    ("duplicate", Permanent, False),
    ("invalid", Permanent, False),
]


@pytest.mark.parametrize(("kind", "expected", "uncertain"), CLASSIFICATION)
def test_it_classifies_each_failure_of_a_create_call(
    fake_platform: FakeAccount, kind: str, expected: type[PlatformError], uncertain: bool
) -> None:
    fake_platform.server.fail_next(kind)

    with pytest.raises(PlatformError) as caught:
        fake_platform.adapter().publish(text_post())

    exc = caught.value
    assert type(exc) is expected
    assert getattr(exc, "uncertain", False) is uncertain
    assert exc.platform == fake_platform.name
    french, english = exc.message("fr"), exc.message("en")
    assert DISPLAY[fake_platform.name] in french and french != english
    if not uncertain:  # "certainly not published" must be true
        assert fake_platform.server.live_posts == []


def test_it_classifies_an_expired_token_as_needing_a_person(fake_platform: FakeAccount) -> None:
    with pytest.raises(NeedsPerson) as caught:
        fake_platform.adapter("expired").publish(text_post())

    assert "balise accounts check" in caught.value.message("fr")
    assert fake_platform.server.posts == []


def test_it_classifies_a_token_that_may_not_post_as_needing_a_person(
    fake_platform: FakeAccount,
) -> None:
    with pytest.raises(NeedsPerson) as caught:
        fake_platform.adapter("limited").publish(text_post())

    assert "permission" in caught.value.message("fr")
    assert fake_platform.server.posts == []


def test_it_retries_a_rate_limit_when_the_platform_says(fake_platform: FakeAccount) -> None:
    fake_platform.server.fail_next("rate_limit")

    with pytest.raises(RetryLater) as caught:
        fake_platform.adapter().publish(text_post())

    reset_at = fake_platform.server.reset_at
    assert reset_at is not None and caught.value.retry_at is not None
    assert abs(caught.value.retry_at - reset_at) < timedelta(seconds=2)
    assert caught.value.retry_at > datetime.now(UTC) + timedelta(seconds=60)


def test_it_publishes_through_a_slow_platform(fake_platform: FakeAccount) -> None:
    fake_platform.server.fail_next("slow")

    fake_platform.adapter().publish(text_post())

    assert len(fake_platform.server.live_posts) == 1


def test_it_says_a_5xx_on_a_read_is_certain(fake_platform: FakeAccount) -> None:
    fake_platform.server.fail_next("5xx", on="any")

    with pytest.raises(RetryLater) as caught:
        fake_platform.adapter().find(text_post())

    assert caught.value.uncertain is False


def test_it_says_nothing_went_out_when_the_connection_is_refused(
    fake_platform: FakeAccount,
) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    adapter = fake_platform.adapter(url=f"http://127.0.0.1:{port}")

    with pytest.raises(RetryLater) as caught:
        adapter.publish(text_post())

    assert caught.value.uncertain is False
    assert caught.value.detail == "ConnectionError"  # the class name only: no URL, no token


def test_it_finds_a_post_created_before_a_timeout(fake_platform: FakeAccount) -> None:
    publication = text_post("Journée nationale des enfants & activités : https://roeq.ca/jne")
    adapter = fake_platform.adapter()
    fake_platform.server.fail_next("timeout_after_create")
    with pytest.raises(RetryLater) as caught:
        adapter.publish(publication)
    assert caught.value.uncertain

    found = adapter.find(publication)

    [post] = fake_platform.server.posts
    assert found is not None and found.remote_id == post.id
    assert adapter.find(text_post("Un autre texte")) is None


def test_it_finds_only_posts_made_after_not_before(fake_platform: FakeAccount) -> None:
    adapter = fake_platform.adapter()
    adapter.publish(text_post())

    later = text_post(not_before=datetime.now(UTC) + timedelta(minutes=5))

    assert adapter.find(later) is None
    assert adapter.find(text_post(not_before=datetime.now(UTC) - timedelta(minutes=5))) is not None


def test_it_finds_a_post_beyond_the_first_page_of_the_timeline(fake_platform: FakeAccount) -> None:
    adapter = fake_platform.adapter()
    first = adapter.publish(text_post("La toute première"))
    for i in range(120):
        adapter.publish(text_post(f"Publication {i}"))

    found = adapter.find(text_post("La toute première"))

    assert found is not None and found.remote_id == first.remote_id


def test_it_reports_valid_credentials(fake_platform: FakeAccount) -> None:
    report = fake_platform.adapter().check_credentials()

    assert report.ok and report.problem is None
    assert report.account in (
        "Maison de la famille des Basses-Laurentides (1122334455667788)",
        "@maisonfamille_bl",
    )
    assert report.missing_permissions == ()


def test_it_reports_an_expired_token(fake_platform: FakeAccount) -> None:
    report = fake_platform.adapter("expired").check_credentials()

    assert not report.ok
    assert report.problem is not None and "balise accounts check" in report.problem


def test_it_reports_the_missing_permissions(fake_platform: FakeAccount) -> None:
    report = fake_platform.adapter("limited").check_credentials()

    assert not report.ok
    assert report.missing_permissions in (("pages_manage_posts",), ("write",))
    assert report.problem is not None


def test_it_reads_post_metrics(fake_platform: FakeAccount) -> None:
    adapter = fake_platform.adapter()
    remote = adapter.publish(text_post())
    post = fake_platform.server.post(remote.remote_id)
    assert post is not None
    post.metrics.update(reactions=12, comments=3, shares=2, reach=480)

    metrics = adapter.post_metrics(remote.remote_id)

    assert (metrics.reactions, metrics.comments, metrics.shares, metrics.reach) == (12, 3, 2, 480)


def test_it_notes_the_metrics_of_a_post_deleted_on_the_platform(fake_platform: FakeAccount) -> None:
    adapter = fake_platform.adapter()
    remote = adapter.publish(text_post())
    adapter.delete(remote.remote_id)

    metrics = adapter.post_metrics(remote.remote_id)

    assert metrics.reactions is None and metrics.notes == ("publisher.post_gone",)


def test_it_reads_the_followers(fake_platform: FakeAccount) -> None:
    metrics = fake_platform.adapter().account_metrics()

    assert metrics.followers in (1342, 812)


def test_the_registry_builds_each_adapter_from_the_settings(fake_platform: FakeAccount) -> None:
    names = {"facebook": ("facebook", FacebookPlatform), "x": ("twitter", XPlatform)}
    name, cls = names[fake_platform.name]
    env = fake_platform.env()
    settings = Settings(**{k.removeprefix("BALISE_").lower(): v for k, v in env.items()})

    adapter = get_platform(DEFAULT_ORG, name, settings)

    assert isinstance(adapter, cls)
    assert adapter.check_credentials().ok


@pytest.mark.parametrize("name", ["facebook", "x"])
def test_the_registry_says_what_to_set_when_an_account_is_not_configured(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        get_platform(DEFAULT_ORG, name, Settings())

    message = caught.value.message("fr")
    assert "balise accounts check" in message and f"[organizations.espace-test.{name}]" in message
    assert ("BALISE_FACEBOOK_PAGE_TOKEN" if name == "facebook" else "BALISE_X_ACCESS_SECRET") in message
