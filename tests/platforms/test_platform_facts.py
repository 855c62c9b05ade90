"""The platform registry: the names people type, each platform's limits as the gate applies them,
and one adapter per registered platform."""

from __future__ import annotations

import pytest

from balise.compliance import Draft, Policy, load_policy
from balise.compliance.gate import check_draft
from balise.errors import InvalidInput
from balise.platforms import PLATFORMS, PUBLIC, canonical_platform, canonical_platforms, text_with_link
from balise.publisher import registry
from balise.publisher.platforms import facebook, sandbox, x


def _too_long(text: str, platform: str, policy: Policy | None = None) -> list[str]:
    """What the gate says of the text's length (other findings on "ééé…" aside)."""
    return [r.message for r in check_draft(Draft(text, (platform,)), policy).reasons if r.code == "TOO_LONG"]


def test_the_names_are_those_of_the_design() -> None:
    assert list(PLATFORMS) == ["facebook", "x", "sandbox"]
    assert PUBLIC == ("facebook", "x")


@pytest.mark.parametrize("typed", ["x", "X", " twitter ", "Twitter"])
def test_twitter_and_capitals_name_the_same_platform_x(typed: str) -> None:
    assert canonical_platform(typed) == "x"


def test_repeats_are_dropped_in_the_order_given() -> None:
    assert canonical_platforms(["twitter", "facebook", "X"]) == ("x", "facebook")


def test_an_unknown_platform_is_refused_with_the_names_people_may_type() -> None:
    with pytest.raises(InvalidInput) as caught:
        canonical_platform("myspace")
    message = caught.value.message(lang="fr")
    assert "myspace" in message and "facebook, x (twitter), sandbox" in message


def test_every_platform_is_published_by_the_adapter_named_after_it() -> None:
    assert list(registry.FACTORIES) == list(PLATFORMS)
    for module in (facebook, sandbox, x):
        assert module.ADAPTER.name == module.__name__.rsplit(".", 1)[-1]
        assert registry.FACTORIES[module.ADAPTER.name] == module.ADAPTER.from_accounts


def test_the_gate_applies_each_platform_s_own_limits() -> None:
    policy = load_policy()
    assert policy.limits("x")["weighted_max"] == PLATFORMS["x"].limits.weighted_max == 280
    assert policy.limits("facebook")["max_chars"] == PLATFORMS["facebook"].limits.max_chars
    assert policy.limits("facebook")["photo_max_bytes"] == PLATFORMS["facebook"].limits.photo_max_bytes
    assert "—" in policy.limits("x")["clause"]  # ROEQ's clause stays the policy's
    assert _too_long("é" * 280, "x") == []
    assert len(_too_long("é" * 281, "x")) == 1
    assert _too_long("é" * 281, "facebook") == []


def test_an_organization_may_write_a_stricter_limit() -> None:
    policy = load_policy("[limits.x]\nweighted_max = 250")
    assert _too_long("é" * 250, "x", policy) == []
    [message] = _too_long("é" * 251, "x", policy)
    assert "251 caractères comptés, pour un maximum de 250" in message
    assert policy.limits("x")["photo_max_bytes"] == PLATFORMS["x"].limits.photo_max_bytes


@pytest.mark.parametrize(
    ("text", "link", "sent"),
    [
        ("Atelier mardi", "https://espace.org/a", "Atelier mardi\n\nhttps://espace.org/a"),
        ("Atelier : https://espace.org/a", "https://espace.org/a", "Atelier : https://espace.org/a"),
        ("Atelier mardi", None, "Atelier mardi"),
    ],
)
def test_a_link_goes_out_once_at_the_end_of_the_text(text: str, link: str | None, sent: str) -> None:
    assert text_with_link(text, link) == sent
