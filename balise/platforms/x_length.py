"""X's weighted length (twitter-text v3): what X counts against its 280 limit.

Written here rather than taken from `twitter-text-parser`, which passes the conformance cases but
costs ~0.4 s to import and ~1 ms per call: too slow for the gate's batch and cold-start budgets.
Rules (twitter-text `config/v3.json`): the text is NFC-normalized; a URL counts 23; an emoji
sequence counts 2; code points in a few Latin/punctuation ranges count 1, all others count 2.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
EMOJI_WEIGHT = 2
HEAVY_WEIGHT = 2
# Code points outside X's one-weight ranges 0-4351, 8192-8205, 8208-8223 and 8242-8247.
_HEAVY_CHAR = re.compile("[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")

# Emoji: a base (or a flag pair, or a keycap) with its modifiers, joined by ZWJ.
_EMOJI_BASE = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf"
    "\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u27bf"
    "\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299"
    "\U0001f000-\U0001faff"
)
_EMOJI_MOD = "\U0001f3fb-\U0001f3ff\ufe0f\U000e0020-\U000e007f\u20e3"
_ONE_EMOJI = f"(?:[\U0001f1e6-\U0001f1ff]{{2}}|[#*0-9]\ufe0f?\u20e3|[{_EMOJI_BASE}][{_EMOJI_MOD}]*)"
_EMOJI = f"{_ONE_EMOJI}(?:\u200d[{_EMOJI_BASE}][{_EMOJI_MOD}]*)*"

# URLs: twitter-text `extractUrlsWithIndices`, minus its rare t.co-slug and nested-paren cases.
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_NOT_DOMAIN = (
    "!'#%&()*+,\\\\\\-./:;<=>?@\\[\\]^_{|}~$\\s\u0085\u00a0\u1680\u180e\u2000-\u200a"
    f"\u2028\u2029\u202f\u205f\u3000{_INVALID}{_DIRECTIONAL}"
)
_DC = f"[^{_NOT_DOMAIN}]"
_LABEL = f"{_DC}(?:[-_]|{_DC}){{0,62}}"
_ACCENTS = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0300-\u036f\u1e00-\u1eff"
_PATH_CHAR = f"[a-z\u0400-\u04ff0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_ACCENTS}]"
_PATH_END = f")+\\-a-z\u0400-\u04ff0-9=_#/{_ACCENTS}"
_QUERY_CHAR = "[a-z0-9!?*'@();:&=+$/%#\\[\\]\\-_.,~|]"
_QUERY_END = "a-z0-9\\-_&=#/"

_URL = re.compile(
    f"(?:(?<=[^A-Za-z0-9@\uff20$#\uff03{_INVALID}])|^)"
    f"(?P<protocol>https?://)?(?P<domain>(?:{_LABEL}\\.)+{_LABEL})(?=[^0-9a-zA-Z@+-]|$)"
    f"(?::[0-9]+)?(?P<path>/(?:{_PATH_CHAR}|\\({_PATH_CHAR}*\\))*)?(?P<query>\\?{_QUERY_CHAR}*)?",
    re.IGNORECASE,
)
_ASCII_DOMAIN = re.compile(f"[-a-z0-9{_ACCENTS}.]+", re.IGNORECASE)
_EMOJI_RE = re.compile(_EMOJI)


@cache
def _tlds() -> frozenset[str]:
    """Top-level domains X links without a protocol: every country code, the common generic ones."""
    country = (
        "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn "
        "bo br bs bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj "
        "dk dm do dz ec ee eg er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn "
        "gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp "
        "ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh "
        "mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz "
        "om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh "
        "si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv "
        "tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw"
    )
    generic = (
        "com org net edu gov int mil info biz name pro aero coop museum quebec montreal app dev io "
        "blog news online site store shop tech xyz club live media social community foundation "
        "charity ngo ong gives help health school education academy family kids world global page "
        "link today email website space life love earth events"
    )
    return frozenset((country + " " + generic).split())


def _is_valid_host(domain: str) -> bool:
    """The host survives IDNA encoding (no label over 63 bytes once punycoded)."""
    try:
        return bool(domain.encode("idna"))
    except UnicodeError:
        return False


_PATH_ENDING = re.compile(f"[{_PATH_END}]", re.IGNORECASE)
_QUERY_ENDING = re.compile(f"[{_QUERY_END}]", re.IGNORECASE)


def _trim(part: str, ending: re.Pattern[str]) -> str:
    """A path or query ends on a character X accepts as an ending (not `.`, `,`, `!`...)."""
    end = len(part)
    while end > 1 and not ending.match(part[end - 1]):
        end -= 1
    return part[:end]


def _url_spans(text: str) -> list[tuple[int, int]]:
    """Where X sees links in `text` (with or without `https://`)."""
    if "." not in text:
        return []
    spans = []
    for match in _URL.finditer(text):
        domain = match["domain"]
        tld = domain.rsplit(".", 1)[-1].lower()
        if not _is_valid_host(domain):
            continue
        if match["protocol"] is None:
            before = text[match.start() - 1 : match.start()]
            if (before and before in "-_./") or tld not in _tlds() or not _ASCII_DOMAIN.fullmatch(domain):
                continue
        elif not (tld in _tlds() or tld.startswith("xn--") or not tld.isascii()):
            continue
        end = match.end("domain")
        path, query = match["path"], match["query"]
        if query is not None and len(_trim(query, _QUERY_ENDING)) > 1:
            end = match.start("query") + len(_trim(query, _QUERY_ENDING))
        elif path is not None:
            end = match.start("path") + len(_trim(path, _PATH_ENDING))
        spans.append((match.start(), end))
    return spans


def _normalized(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n")


def weighted_length(text: str) -> int:
    """The length X counts for `text` (at most `MAX_WEIGHTED_LENGTH` to be publishable)."""
    text = _normalized(text)
    if text.isascii() and "." not in text:
        return len(text)
    total = 0
    for start, end, weight in _pieces(text):
        total += weight if weight else end - start
    return total


def overflow_index(text: str, limit: int = MAX_WEIGHTED_LENGTH) -> int | None:
    """Index in NFC-normalized `text` of the first character past `limit`; None if it fits."""
    text = _normalized(text)
    total = 0
    for start, end, weight in _pieces(text):
        if weight == 0:  # a run of one-weight characters
            if total + end - start > limit:
                return start + limit - total
            total += end - start
        else:
            total += weight
            if total > limit:
                return start
    return None


def _pieces(text: str) -> list[tuple[int, int, int]]:
    """(start, end, weight) pieces covering `text`; weight 0 marks a run of one-weight chars."""
    urls = _url_spans(text)
    specials = [(start, end, URL_WEIGHT) for start, end in urls]
    for match in _EMOJI_RE.finditer(text):
        if not any(start <= match.start() < end for start, end in urls):
            specials.append((match.start(), match.end(), EMOJI_WEIGHT))
    specials.sort()
    pieces: list[tuple[int, int, int]] = []
    position = 0
    for start, end, weight in specials:
        if start < position:
            continue
        pieces.extend(_plain(text, position, start))
        pieces.append((start, end, weight))
        position = end
    pieces.extend(_plain(text, position, len(text)))
    return pieces


def _plain(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """Pieces for text without links or emoji: runs of one-weight characters and heavy ones."""
    pieces: list[tuple[int, int, int]] = []
    position = start
    for match in _HEAVY_CHAR.finditer(text, start, end):
        if match.start() > position:
            pieces.append((position, match.start(), 0))
        pieces.append((match.start(), match.end(), HEAVY_WEIGHT))
        position = match.end()
    if position < end:
        pieces.append((position, end, 0))
    return pieces
