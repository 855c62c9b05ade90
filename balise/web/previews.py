"""The writing page's previews: the Facebook post and the tweet as they will appear, from the
same rules the gate counts with (`platforms.text_with_link`, X's weighted length and where X
would cut). The page renders them on the server, and the live check sends them again as the
member types, so they work with and without JavaScript."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass

from balise.i18n import t
from balise.platforms import PLATFORMS, text_with_link
from balise.platforms.x_length import overflow_index, weighted_length

SHOWN = ("facebook", "x")  # the platforms of the ROEQ's organizations


@dataclass(frozen=True)
class PostPreview:
    """One platform's post: the text it shows, what it would cut, the link it shows apart."""

    platform: str
    name: str
    text: str
    cut: str  # past X's limit: what would not be published
    link: str | None  # shown under the text (Facebook); on X the link is in the text
    length: str | None  # X's weighted length in words

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)


def previews(text: str, link: str | None) -> list[PostPreview]:
    """The post on each shown platform, as the member wrote it so far."""
    return [_on(platform, text, link or None) for platform in SHOWN]


def _on(platform: str, text: str, link: str | None) -> PostPreview:
    spec, name = PLATFORMS[platform], t("web.platform_" + platform)
    shown = text_with_link(text, link) if spec.link_in_text else text
    apart = None if spec.link_in_text else link
    limit = spec.limits.weighted_max
    if limit is None:
        return PostPreview(platform, name, shown, "", apart, None)
    shown = unicodedata.normalize("NFC", shown).replace("\r\n", "\n")  # as `overflow_index` counts
    at = overflow_index(shown, limit)
    kept, cut = (shown, "") if at is None else (shown[:at], shown[at:])
    return PostPreview(
        platform, name, kept, cut, apart, t("workspace.x_length", length=weighted_length(shown), limit=limit)
    )
