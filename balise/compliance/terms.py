"""The policy's small expression language for terms, compiled to one regex per list.

A term is words separated by spaces, matched against folded text (see `normalize`):
`*` stands for any letters inside a word (alone, for any one word), `a|b` for either word,
`(de la|du)` for either group of words, a trailing `?` makes a slot optional, and `...` stands
for up to three words. The policy file's header explains the syntax to coordinators.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from balise.compliance.normalize import Folded, fold_words

_GAP = "..."
_GAP_PATTERN = r"(?: [^ ]+){0,3}"
_WORD = "[^ ]*"


class TermError(ValueError):
    """A term that cannot be compiled; the message names it."""


@dataclass(frozen=True)
class Hit:
    """Where a term matched: folded offsets and the first and last token indices."""

    start: int
    end: int
    first: int
    last: int

    def distance(self, other: Hit) -> int:
        """Words between two hits (0 when they touch or overlap)."""
        if self.last < other.first:
            return other.first - self.last
        if other.last < self.first:
            return self.first - other.last
        return 0

    def overlaps(self, other: Hit) -> bool:
        return self.start < other.end and other.start < self.end


def _word(text: str) -> str:
    """One word: literal pieces folded, `*` as any letters (alone: any one word)."""
    if text == "*":
        return "[^ ]+"
    pattern = _WORD.join(re.escape(fold_words(piece)) for piece in text.split("*"))
    if not pattern.replace(_WORD, ""):
        raise ValueError(text)
    return pattern


def _slot(text: str) -> tuple[str, bool]:
    """One slot: a word, `a|b`, or `(de la|du)`; a trailing `?` makes it optional."""
    optional = text.endswith("?") and len(text) > 1
    text = text.removesuffix("?") if optional else text
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    choices = {" ".join(_word(word) for word in choice.split()) for choice in text.split("|")}
    if "" in choices:
        raise ValueError(text)
    return "(?:" + "|".join(sorted(choices, key=len, reverse=True)) + ")", optional


_SLOTS = re.compile(r"\([^)]*\)\??|\S+")


def term_pattern(term: str) -> str:
    """The regex of one term over " " + folded text (each word brings its leading space).

    Raises `TermError` for a term that could match nothing or only an empty string.
    """
    pattern = ""
    required = False
    for word in _SLOTS.findall(term):
        if word == _GAP:
            pattern += _GAP_PATTERN
            continue
        try:
            slot, optional = _slot(word)
        except ValueError:
            raise TermError(term) from None
        pattern += f"(?: {slot})?" if optional else f" {slot}"
        required = required or not optional
    if not required:
        raise TermError(term)
    return pattern


def compile_terms(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for a list of terms, matching whole words only; None for an empty list."""
    patterns = sorted({term_pattern(term) for term in terms}, key=len, reverse=True)
    if not patterns:
        return None
    return re.compile("(?:" + "|".join(patterns) + ")(?![^ ])")


def find(pattern: re.Pattern[str] | None, folded: Folded) -> list[Hit]:
    """Every non-overlapping match of `pattern` in `folded` (offsets into `folded.text`)."""
    if pattern is None:
        return []
    hits = []
    for match in pattern.finditer(" " + folded.text):
        start, end = match.start(), match.end() - 1  # drop the leading space, undo the padding
        if end > start:
            hits.append(Hit(start, end, folded.token_index(start), folded.token_index(end - 1)))
    return hits


def without(hits: list[Hit], exceptions: list[Hit]) -> list[Hit]:
    """The hits that no exception overlaps."""
    return [hit for hit in hits if not any(hit.overlaps(exc) for exc in exceptions)]


def near(hits: list[Hit], others: list[Hit], window: int) -> list[tuple[Hit, Hit]]:
    """Pairs (hit, other) at most `window` words apart."""
    return [(hit, other) for hit in hits for other in others if hit.distance(other) <= window]
