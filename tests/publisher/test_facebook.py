"""What only the Facebook adapter does: Graph API version, token handling, photo sets, insights."""

from __future__ import annotations

import json
from pathlib import Path

from balise.publisher.platforms.facebook import FacebookPlatform, regain_access_at
from tests.fakes import facebook_server as fb
from tests.fakes.facebook_server import FakeFacebook, GraphToken
from tests.fakes.fixtures import CLIENT_TIMEOUT
from tests.publisher.test_adapters import photos, text_post


def adapter(server: FakeFacebook, token: str = fb.VALID_TOKEN, version: str = "v25.0") -> FacebookPlatform:
    return FacebookPlatform(server.page_id, token, graph_url=server.url, version=version, timeout=CLIENT_TIMEOUT)


def test_it_calls_the_configured_graph_api_version(fake_facebook: FakeFacebook) -> None:
    adapter(fake_facebook, version="v26.0").publish(text_post())

    assert fake_facebook.versions == {"v26.0"}


def test_it_never_puts_the_token_in_a_url_or_a_form(fake_facebook: FakeFacebook, tmp_path: Path) -> None:
    page = adapter(fake_facebook)
    page.publish(text_post(photos=photos(tmp_path, 2)))
    page.find(text_post())

    for request in fake_facebook.requests:
        assert "access_token" not in request.query and "access_token" not in request.form
        assert request.headers["Authorization"] == f"Bearer {fb.VALID_TOKEN}"


def test_it_attaches_several_photos_uploaded_unpublished(fake_facebook: FakeFacebook, tmp_path: Path) -> None:
    remote = adapter(fake_facebook).publish(text_post(photos=photos(tmp_path, 4)))

    uploads = [r for r in fake_facebook.requests if r.path.endswith("/photos")]
    assert [r.form.get("published") for r in uploads] == ["false"] * 4
    [feed_call] = [r for r in fake_facebook.requests if r.path.endswith("/feed")]
    attached = [json.loads(feed_call.form[f"attached_media[{i}]"])["media_fbid"] for i in range(4)]
    assert fake_facebook.posts[0].media == attached and fake_facebook.posts[0].id == remote.remote_id


def test_it_puts_the_link_of_a_photo_post_in_the_caption(fake_facebook: FakeFacebook, tmp_path: Path) -> None:
    adapter(fake_facebook).publish(text_post("Souper", link="https://roeq.ca", photos=photos(tmp_path, 1)))

    assert fake_facebook.posts[0].text == "Souper\n\nhttps://roeq.ca"


def test_it_gives_the_other_metrics_and_a_note_without_read_insights(
    fake_facebook: FakeFacebook,
) -> None:
    fake_facebook.tokens["no-insights"] = GraphToken(("pages_show_list", "pages_read_engagement", "pages_manage_posts"))
    page = adapter(fake_facebook, token="no-insights")
    remote = page.publish(text_post())
    post = fake_facebook.post(remote.remote_id)
    assert post is not None
    post.metrics.update(reactions=5, comments=1, reach=99)

    metrics = page.post_metrics(remote.remote_id)

    assert (metrics.reactions, metrics.comments, metrics.shares, metrics.reach) == (5, 1, 0, None)
    assert metrics.notes == ("publisher.facebook_reach_unavailable",)


def test_it_reports_a_user_token_that_is_not_a_page_token(fake_facebook: FakeFacebook) -> None:
    fake_facebook.tokens["user-token"] = GraphToken(fb.ALL_SCOPES, type="USER")

    report = adapter(fake_facebook, token="user-token").check_credentials()

    assert not report.ok and report.problem is not None and "USER" in report.problem


def test_it_reports_when_the_token_expires(fake_facebook: FakeFacebook) -> None:
    fake_facebook.tokens["short"] = GraphToken(fb.ALL_SCOPES, expires_at=1_900_000_000)

    report = adapter(fake_facebook, token="short").check_credentials()

    assert report.ok and report.expires_at is not None
    assert report.expires_at.timestamp() == 1_900_000_000


class _Headers:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers


def test_it_waits_for_the_longest_regain_time_of_any_usage_header() -> None:
    usage = {
        "x-business-use-case-usage": json.dumps({"1": [{"type": "pages", "estimated_time_to_regain_access": 3}]}),
        "x-page-usage": json.dumps({"call_count": 100, "estimated_time_to_regain_access": 7}),
    }

    first = regain_access_at(_Headers(usage))  # type: ignore[arg-type]
    none = regain_access_at(_Headers({"x-app-usage": '{"call_count": 100}'}))  # type: ignore[arg-type]

    assert first is not None and 6.9 * 60 < (first - first.now(first.tzinfo)).total_seconds() <= 7 * 60
    assert none is None  # no regain time: the publisher's own backoff decides
