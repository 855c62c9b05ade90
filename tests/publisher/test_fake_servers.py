"""The fakes themselves: what the chaos benchmark and the pipeline tests rely on."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from balise.errors import PlatformError
from tests.fakes.fixtures import FakeAccount
from tests.fakes.x_server import FakeX
from tests.publisher.test_adapters import text_post


def failures_with_seed(seed: int) -> list[str]:
    with FakeX(seed=seed, fail_ratio=0.5, chaos_kinds=("5xx", "rate_limit"), slow_seconds=0) as server:
        account = FakeAccount("x", server)
        outcomes = []
        for i in range(20):
            try:
                account.adapter().publish(text_post(f"n° {i}"))
                outcomes.append("ok")
            except PlatformError as exc:
                outcomes.append(exc.key)
    return outcomes


def test_the_chaos_mode_fails_at_random_but_the_same_way_for_a_seed() -> None:
    first, again, other = failures_with_seed(7), failures_with_seed(7), failures_with_seed(8)

    assert first == again and first != other
    assert 0 < first.count("ok") < 20


def test_it_records_every_post_sent_at_once(fake_platform: FakeAccount) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        remotes = list(pool.map(lambda i: fake_platform.adapter().publish(text_post(f"n° {i}")), range(40)))

    assert sorted(p.id for p in fake_platform.server.posts) == sorted(r.remote_id for r in remotes)
    assert len({p.id for p in fake_platform.server.posts}) == 40
