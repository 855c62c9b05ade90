"""The adapters' comment calls against the fake Page and X account: every page read, the
account's own answers left out, hide and show again, replies in the thread, and the platforms'
errors (deleted meanwhile, may not hide, rate limit with its reset) as balise's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from balise.errors import Permanent, RetryLater
from balise.publisher.base import Publication
from tests.fakes.fixtures import FakeAccount


def _post(account: FakeAccount) -> str:
    publication = Publication(post_id=1, target_id=1, text="Atelier pour les parents jeudi")
    return account.adapter().publish(publication).remote_id


def test_every_page_of_comments_is_read(fake_platform: FakeAccount) -> None:
    post = _post(fake_platform)
    for n in range(130):
        fake_platform.server.add_comment(post, f"Personne {n}", f"Commentaire {n}")

    thread = fake_platform.adapter().comments(post)

    assert thread.complete
    assert sorted(c.text for c in thread.comments) == sorted(f"Commentaire {n}" for n in range(130))
    assert {c.author for c in thread.comments} >= {"Personne 0", "Personne 129"}
    reads = [r for r in fake_platform.server.requests if "comments" in r.path or "search" in r.path]
    assert len(reads) == 2  # 100, then 30


def test_a_reply_goes_in_the_thread_and_is_not_read_back_as_a_comment(fake_platform: FakeAccount) -> None:
    post = _post(fake_platform)
    comment = fake_platform.server.add_comment(post, "Fanny", "Je ne sais pas quoi faire avec mon fils.")
    adapter = fake_platform.adapter()

    reply_id = adapter.reply_comment(comment.id, "Appelez-nous au 450 555-1234, ou le 811.")

    assert reply_id
    assert [c.remote_id for c in adapter.comments(post).comments] == [comment.id]


def test_hide_and_show_again(fake_platform: FakeAccount) -> None:
    post = _post(fake_platform)
    comment = fake_platform.server.add_comment(post, "Troll", "Bande d'idiots")
    adapter = fake_platform.adapter()

    adapter.hide_comment(comment.id, True)
    assert comment.hidden
    adapter.hide_comment(comment.id, False)
    assert not comment.hidden


def test_acting_on_a_comment_deleted_meanwhile_says_so(fake_platform: FakeAccount) -> None:
    post = _post(fake_platform)
    comment = fake_platform.server.add_comment(post, "Troll", "Bande d'idiots")
    comment.deleted = True
    adapter = fake_platform.adapter()

    with pytest.raises(Permanent) as hidden:
        adapter.hide_comment(comment.id, True)
    with pytest.raises(Permanent) as replied:
        adapter.reply_comment(comment.id, "Merci")

    assert hidden.value.key == replied.value.key == "publisher.comment_gone"
    assert "supprimé" in hidden.value.message("fr")


def test_a_comment_the_account_may_not_hide_is_named(fake_platform: FakeAccount) -> None:
    post = _post(fake_platform)
    comment = fake_platform.server.add_comment(post, "Troll", "Bande d'idiots", can_hide=False)

    with pytest.raises(Permanent) as refused:
        fake_platform.adapter().hide_comment(comment.id, True)

    assert refused.value.key == "publisher.comment_cannot_hide"
    assert not comment.hidden


def test_a_rate_limit_on_reading_comments_gives_its_reset_time(fake_platform: FakeAccount) -> None:
    post = _post(fake_platform)
    fake_platform.server.fail_next("rate_limit", on="read")

    with pytest.raises(RetryLater) as limited:
        fake_platform.adapter().comments(post)

    reset = fake_platform.server.reset_at
    assert reset is not None and limited.value.retry_at is not None
    assert abs(limited.value.retry_at - reset) < timedelta(seconds=61)


def test_deleting_someone_s_comment(fake_facebook: object, fake_x: object) -> None:
    facebook, x = FakeAccount("facebook", fake_facebook), FakeAccount("x", fake_x)  # type: ignore[arg-type]
    fb_comment = facebook.server.add_comment(_post(facebook), "Troll", "Bande d'idiots")
    x_comment = x.server.add_comment(_post(x), "Troll", "Bande d'idiots")

    facebook.adapter().delete_comment(fb_comment.id)
    facebook.adapter().delete_comment(fb_comment.id)  # already gone: the goal is reached
    with pytest.raises(Permanent) as on_x:
        x.adapter().delete_comment(x_comment.id)

    assert fb_comment.deleted
    assert on_x.value.key == "publisher.x_cannot_delete_reply" and not x_comment.deleted
