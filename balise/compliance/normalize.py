"""Folding a draft into plain lowercase words, so that evasions match the policy's terms.

NFKC compatibility forms, case, accents, zero-width and bidi characters, Cyrillic/Greek
look-alike letters, leetspeak digits inside words, s p a c e d letters and repeated letters
("féééte", "anniverssaire") all fold to the same words. Every folded character remembers the
original character it came from, so a match maps back to a span of the original text.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Look-alike letters (after lowercasing) and the Latin letter they imitate.
_HOMOGLYPHS = str.maketrans(
    "аеорсхуіјѕԁкмтнвпгӏɡαβεηικνορτυχωγςяьѵ",
    "aeopcxyijsdkmthbnrlgabeniknoptuxwycrbv",
)
_LETTERS_NOT_DECOMPOSED = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ß": "ss", "ı": "i"}
_LEET = str.maketrans("0134578@$", "oieastbas")
_SENTENCE_END = frozenset('.!?\n:;«»"“”')
_MIN_SPACED_RUN = 3


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """The folded form of one character: letters/digits, `@`/`$` (leet), or " " for a separator."""
    if char.isascii():
        if char.isalnum():
            return char.lower()
        return char if char in "@$" else " "
    category = unicodedata.category(char)
    if category in ("Cf", "Mn", "Me"):  # zero-width, bidi marks, soft hyphen, combining accents
        return ""
    decomposed = unicodedata.normalize("NFKD", char)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    folded = "".join(_LETTERS_NOT_DECOMPOSED.get(c, c) for c in folded).translate(_HOMOGLYPHS)
    return "".join(c if c.isalnum() else " " for c in folded)


@dataclass(frozen=True)
class Token:
    """One folded word: its letters, and the original index of each letter."""

    text: str
    origins: tuple[int, ...]
    capitalized: bool  # begins with an upper-case letter and is not all in capitals
    sentence_start: bool
    mention: bool  # written as @name


@dataclass(frozen=True)
class Folded:
    """A draft folded to words separated by single spaces, with the way back to the original."""

    original: str
    text: str
    tokens: tuple[Token, ...]
    starts: tuple[int, ...]  # offset of each token in `text`

    def token_index(self, offset: int) -> int:
        """The token that contains (or precedes) folded offset `offset`."""
        return max(bisect.bisect_right(self.starts, offset) - 1, 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original `[start, end)` for folded `[start, end)` (which begin and end in words)."""
        first = self.tokens[self.token_index(start)]
        last = self.tokens[self.token_index(end - 1)]
        origin_start = first.origins[start - self.starts[self.token_index(start)]]
        origin_end = last.origins[end - 1 - self.starts[self.token_index(end - 1)]] + 1
        while origin_end < len(self.original) and _fold_char(self.original[origin_end]) == "":
            origin_end += 1  # keep trailing combining accents with their letter
        return origin_start, origin_end


def fold(text: str) -> Folded:
    """Fold `text` for matching (see the module docstring)."""
    tokens = _merge_spaced_letters([_clean(raw) for raw in _raw_tokens(text)])
    kept = tuple(token for token in tokens if token.text)
    starts: list[int] = []
    position = 0
    for token in kept:
        starts.append(position)
        position += len(token.text) + 1
    return Folded(text, " ".join(token.text for token in kept), kept, tuple(starts))


def fold_words(text: str) -> str:
    """Fold a term of the policy the same way as a draft (without the origin bookkeeping)."""
    return fold(text).text


class _RawToken:
    __slots__ = ("chars", "origins", "capitalized", "sentence_start", "has_lower")

    def __init__(self, capitalized: bool, sentence_start: bool) -> None:
        self.chars: list[str] = []
        self.origins: list[int] = []
        self.capitalized = capitalized
        self.sentence_start = sentence_start
        self.has_lower = False  # an all-caps word is an acronym or shouting, not a name


def _raw_tokens(text: str) -> list[_RawToken]:
    """Split on separators after folding each character; hashtags also split on camelCase."""
    tokens: list[_RawToken] = []
    current: _RawToken | None = None
    sentence_start, hashtag = True, False
    previous = ""
    for index, char in enumerate(text):
        folded = _fold_char(char)
        if folded == "":
            continue
        if folded == " ":
            current = None
            hashtag = char == "#"
            sentence_start = sentence_start or char in _SENTENCE_END
            previous = char
            continue
        if hashtag and char.isupper() and previous.islower():
            current = None
        if current is None:
            current = _RawToken(char.isupper() and not hashtag, sentence_start)
            tokens.append(current)
            sentence_start = False
        for piece in folded:
            if piece == " ":  # a compatibility form that decomposes to several words
                current = _RawToken(False, False)
                tokens.append(current)
            else:
                current.chars.append(piece)
                current.origins.append(index)
        current.has_lower = current.has_lower or char.islower()
        previous = char
    return tokens


def _clean(raw: _RawToken) -> Token:
    """Leetspeak digits and symbols inside words become letters; repeated letters collapse."""
    word = "".join(raw.chars)
    origins: tuple[int, ...] = tuple(raw.origins)
    mention = False
    if word.startswith("@") and not _looks_leet(word[1:]) and "@" not in word[1:]:
        word, origins, mention = word[1:], origins[1:], True  # a handle: @julie.tremblay
    if _looks_leet(word):
        word = word.translate(_LEET)
    elif "@" in word or "$" in word:  # an address or a price: the symbol separates nothing useful
        keep = [i for i, c in enumerate(word) if c not in "@$"]
        word = "".join(word[i] for i in keep)
        origins = tuple(origins[i] for i in keep)
    capitalized = raw.capitalized and raw.has_lower
    return _squeezed(Token(word, origins, capitalized, raw.sentence_start, mention))


_LEET_WORD = re.compile(r"[a-z]*[0-9@$][a-z0-9@$]*[a-z][a-z0-9@$]*|[a-z]+[0-9@$]+")


def _looks_leet(word: str) -> bool:
    """`c0ngé`, `d3c3s`, `m@ladie`: digits or symbols mixed into a word of three letters or more.

    Ordinals, times and units (`25e`, `1er`, `10h30`, `mp3`) have fewer letters and stay as is.
    """
    letters = sum(c.isalpha() for c in word)
    return letters >= 3 and not word.isalpha() and _LEET_WORD.fullmatch(word) is not None


def _merge_spaced_letters(tokens: list[Token]) -> list[Token]:
    """`d é c è s` or `D.É.C.È.S` (three single letters or more in a row) become one word."""
    merged: list[Token] = []
    run: list[Token] = []
    for token in [*tokens, Token("", (), False, False, False)]:
        if len(token.text) == 1 and token.text.isalpha():
            run.append(token)
            continue
        if len(run) >= _MIN_SPACED_RUN:
            word = "".join(t.text for t in run)
            origins = tuple(o for t in run for o in t.origins)
            first = run[0]
            merged.append(_squeezed(Token(word, origins, first.capitalized, first.sentence_start, first.mention)))
        else:
            merged.extend(run)
        run = []
        merged.append(token)
    return merged[:-1]


def _squeezed(token: Token) -> Token:
    """Repeated letters collapse to one ("fêêête", "anniverssaire"); digits stay ("811")."""
    chars: list[str] = []
    kept: list[int] = []
    for char, origin in zip(token.text, token.origins, strict=True):
        if not (chars and char == chars[-1] and char.isalpha()):
            chars.append(char)
            kept.append(origin)
    return Token("".join(chars), tuple(kept), token.capitalized, token.sentence_start, token.mention)
