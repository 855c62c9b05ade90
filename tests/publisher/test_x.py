"""What only the X adapter does: v2 media upload, OAuth 1.0a, matching X's rewritten text."""

from __future__ import annotations

from pathlib import Path

import pytest

from balise.errors import NeedsPerson, Permanent, RetryLater
from balise.publisher.platforms.x import XPlatform, comparable
from tests.fakes import x_server as xs
from tests.fakes.base import FakePlatform
from tests.fakes.fixtures import CLIENT_TIMEOUT
from tests.fakes.x_server import FakeX
from tests.publisher.test_adapters import photos, text_post


def adapter(server: FakeX, *, secret: str = xs.VALID_SECRET, upload_url: str | None = None) -> XPlatform:
    return XPlatform(
        xs.CONSUMER_KEY,
        xs.CONSUMER_SECRET,
        xs.VALID_TOKEN,
        secret,
        api_url=server.url,
        upload_url=upload_url,
        timeout=CLIENT_TIMEOUT,
    )


def test_it_uploads_photos_to_the_v2_media_endpoint(fake_x: FakeX, tmp_path: Path) -> None:
    adapter(fake_x).publish(text_post(photos=photos(tmp_path, 2)))

    uploads = [r for r in fake_x.requests if r.path == "/2/media/upload"]
    assert [(r.form["media_category"], r.form["media_type"]) for r in uploads] == [("tweet_image", "image/jpeg")] * 2
    [create] = [r for r in fake_x.requests if r.path == "/2/tweets"]
    assert create.json["media"]["media_ids"] == fake_x.posts[0].media


def test_it_uploads_to_the_configured_media_host(fake_x: FakeX, tmp_path: Path) -> None:
    with FakeX() as media_host:
        fake_x.media = media_host.media  # one platform behind two hosts
        adapter(fake_x, upload_url=media_host.url).publish(text_post(photos=photos(tmp_path, 1)))

        assert [r.path for r in media_host.requests] == ["/2/media/upload"]
    assert "/2/media/upload" not in [r.path for r in fake_x.requests]


def test_it_is_refused_when_the_signature_is_wrong(fake_x: FakeX) -> None:
    with pytest.raises(NeedsPerson):
        adapter(fake_x, secret="not-the-secret").publish(text_post())


def test_it_retries_at_the_exact_reset_time_x_gives(fake_x: FakeX) -> None:
    fake_x.fail_next("rate_limit")

    with pytest.raises(RetryLater) as caught:
        adapter(fake_x).publish(text_post())

    assert caught.value.retry_at == fake_x.reset_at


def test_it_matches_text_that_x_rewrote() -> None:
    sent = "Atelier parents & enfants <gratuit>\nInscription : https://roeq.ca/atelier"
    returned = "Atelier parents &amp; enfants &lt;gratuit&gt;\nInscription : https://t.co/AbC123 https://t.co/pic9"

    assert comparable(sent) == comparable(returned)
    assert comparable(sent) != comparable("Atelier parents & enfants")


def test_it_builds_the_address_from_the_account_name(fake_x: FakeX) -> None:
    remote = adapter(fake_x).publish(text_post())

    assert remote.url == f"https://x.com/{xs.USERNAME}/status/{remote.remote_id}"


def test_the_fake_refuses_unknown_failure_kinds(fake_x: FakePlatform) -> None:
    with pytest.raises(ValueError):
        fake_x.fail_next("meteor")


def test_it_refuses_a_text_that_its_link_makes_too_long_before_calling_x(fake_x: FakeX) -> None:
    text = "é" * 260  # 260 for X; the link and its blank line add 25

    with pytest.raises(Permanent) as caught:
        adapter(fake_x).publish(text_post(text, link="https://roeq.ca/une-longue-adresse"))

    assert "285" in caught.value.message("fr")
    assert "/2/tweets" not in [r.path for r in fake_x.requests]
