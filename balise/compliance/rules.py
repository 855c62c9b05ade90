"""The gate's rules: each is a function `(draft, policy) -> list[Reason]`, listed in `RULES`.

A later check (photos, for instance) is added by writing its function and appending it to
`RULES`. Text rules share one folded copy of the draft (`folded`), cached by text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from balise.compliance.frequency import quiet_hours
from balise.compliance.learned import CODES, Model, sentences
from balise.compliance.normalize import Folded, fold
from balise.compliance.photo_rules import photo_consent, photo_file
from balise.compliance.policy import CodeRules, Policy
from balise.compliance.terms import Hit, find, near, without
from balise.compliance.verdicts import Draft, Reason
from balise.i18n import t
from balise.platforms.x_length import overflow_index, weighted_length

Rule = Callable[[Draft, Policy], list[Reason]]

_EXCERPT_MAX = 80
_NEGATION_REACH = 4  # words before an action where "ne… pas", "jamais" cancel it
_ARTICLES = frozenset({"la", "le", "les", "l", "des", "du", "un", "une", "the", "a", "an"})
# A phone number once folded: "514 555-1234", "(819) 555 1234", "1 800 668-6868".
_PHONE = re.compile(r"(?<![^ ])(?:1 )?(?:\d{3} )?\d{3} \d{4}(?![^ ])")
_INVISIBLE = re.compile("[\\s\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\u00ad]+")


def message(key: str, **params: object) -> str:
    """Reasons are written in French: the people who read them are the organization's volunteers."""
    return t(f"compliance.{key}", lang="fr", **params)


@lru_cache(maxsize=256)
def folded(text: str) -> Folded:
    return fold(text)


def is_empty(text: str) -> bool:
    """Nothing to publish: only spaces, line breaks or invisible characters."""
    return not _INVISIBLE.sub("", text)


def _excerpt(draft: Draft, span: tuple[int, int]) -> str:
    text = " ".join(draft.text[span[0] : span[1]].split())
    return text if len(text) <= _EXCERPT_MAX else text[: _EXCERPT_MAX - 1] + "…"


def _text_reason(
    draft: Draft,
    rules: CodeRules,
    hits: tuple[Hit, ...],
    suggestion: str | None = None,
    key: str | None = None,
) -> Reason:
    """A reason whose span covers the words that triggered it; its message quotes them."""
    view = folded(draft.text)
    span = view.span(min(h.start for h in hits), max(h.end for h in hits))
    return Reason(
        code=rules.code,
        message=message(key or rules.code.lower(), excerpt=_excerpt(draft, span)),
        span=span,
        clause=rules.clause,
        suggestion=suggestion if suggestion is not None else message(f"{rules.code.lower()}_suggestion"),
        severity=rules.severity,
    )


def _hits(rules: CodeRules, name: str, view: Folded, exceptions: list[Hit] | None = None) -> list[Hit]:
    return without(find(rules.terms(name), view), exceptions or [])


def empty(draft: Draft, policy: Policy) -> list[Reason]:
    if not is_empty(draft.text):
        return []
    rules = policy.codes["EMPTY"]
    return [
        Reason(
            "EMPTY",
            message("empty"),
            None,
            rules.clause,
            message("empty_suggestion"),
            rules.severity,
        )
    ]


def too_long(draft: Draft, policy: Policy) -> list[Reason]:
    """Each platform's limit: X's weighted count, plain characters elsewhere."""
    rules = policy.codes["TOO_LONG"]
    reasons = []
    for platform in draft.platforms:
        limits = policy.limits(platform)
        if "weighted_max" in limits and (length := weighted_length(draft.text)) > limits["weighted_max"]:
            start = overflow_index(draft.text, limits["weighted_max"])
            text = message("too_long_weighted", platform=platform, length=length, limit=limits["weighted_max"])
        elif "max_chars" in limits and (length := len(draft.text)) > limits["max_chars"]:
            start = limits["max_chars"]
            text = message("too_long_chars", platform=platform, length=length, limit=limits["max_chars"])
        else:
            continue
        span = (start, len(draft.text)) if start is not None and start < len(draft.text) else None
        clause = str(limits.get("clause", rules.clause))
        reasons.append(Reason("TOO_LONG", text, span, clause, message("too_long_suggestion"), rules.severity))
    return reasons


def _names(view: Folded, policy: Policy) -> list[Hit]:
    """Words that look like a person's name: @mentions, capitalized words, known first names."""
    hits = []
    for index, token in enumerate(view.tokens):
        if len(token.text) < 2 or token.text in policy.not_names:
            continue
        after_article = index > 0 and view.tokens[index - 1].text in _ARTICLES
        name_like = token.capitalized and not token.sentence_start and not after_article
        if token.mention or name_like or (token.capitalized and token.text in policy.first_names):
            start = view.starts[index]
            hits.append(Hit(start, start + len(token.text), index, index))
    return hits


def personal_info(draft: Draft, policy: Policy) -> list[Reason]:
    """A personal event (birthday, death, illness, birth…) near a person of the organization."""
    rules = policy.codes["PERSONAL_INFO"]
    view = folded(draft.text)
    exceptions = find(rules.terms("exceptions"), view)
    strong = _hits(rules, "strong", view, exceptions)
    if strong:
        return [_text_reason(draft, rules, (strong[0],))]
    events = _hits(rules, "events", view, exceptions)
    if not events:
        return []
    persons = find(rules.terms("persons"), view) + _names(view, policy)
    pairs = near(events, persons, rules.window)
    if not pairs:  # a relative ("son mari"), or a pronoun once a person was named
        stand_ins = find(rules.terms("relatives"), view)
        stand_ins += find(rules.terms("pronouns"), view) if persons else []
        generic = find(rules.terms("generic"), view)
        pairs = [(e, r) for e, r in near(events, stand_ins, rules.window) if not near([e], generic, rules.window)]
    return [_text_reason(draft, rules, pairs[0])] if pairs else []


def _phone_suggestion(policy: Policy) -> str:
    phone = policy.phone or message("phone_default")
    return message("intervention_suggestion", phone=phone)


def intervention(draft: Draft, policy: Policy) -> list[Reason]:
    """An offer of help through the social medium itself, instead of a phone line."""
    rules = policy.codes["INTERVENTION"]
    view = folded(draft.text)
    exceptions = find(rules.terms("exceptions"), view)
    negations = _negations(view, policy)
    strong = [hit for hit in _hits(rules, "strong", view, exceptions) if not _negated(hit, negations)]
    if strong:
        return [_text_reason(draft, rules, (strong[0],), _phone_suggestion(policy))]
    helps = _hits(rules, "offers", view, exceptions) + _hits(rules, "needs", view, exceptions)
    if not helps:
        return []
    channels = [hit for hit in _hits(rules, "channels", view, exceptions) if not _negated(hit, negations)]
    pairs = near(helps, channels, rules.window)
    redirected = bool(find(rules.terms("redirections"), view)) or bool(_PHONE.search(view.text))
    if not pairs and not redirected:
        pairs = near(helps, _hits(rules, "contact", view, exceptions), rules.window)
    return [_text_reason(draft, rules, pairs[0], _phone_suggestion(policy))] if pairs else []


def _negations(view: Folded, policy: Policy) -> list[Hit]:
    return without(find(policy.negations, view), find(policy.negation_exceptions, view))


def _negated(hit: Hit, negations: list[Hit]) -> bool:
    """A negation just before (or inside) the hit: "ne… jamais", "nous ne faisons pas de…"."""
    return any(n.overlaps(hit) or 0 <= hit.first - n.last <= _NEGATION_REACH for n in negations)


def child_contact(draft: Draft, policy: Policy) -> list[Reason]:
    """Facilitators (a role, or a person's name) and children becoming friends or followers online.

    Befriending is enough; following or adding must also name a network or an account.
    """
    rules = policy.codes["CHILD_CONTACT"]
    view = folded(draft.text)
    friending = find(rules.terms("friending"), view)
    following = near(find(rules.terms("following"), view), find(rules.terms("platforms"), view), rules.window)
    actions = friending + [action for action, _ in following]
    if not actions:
        return []
    negations = _negations(view, policy)
    safety = find(rules.terms("exceptions"), view)
    children = find(rules.terms("children"), view)
    facilitators = find(rules.terms("facilitators"), view) + _names(view, policy)
    for action in actions:
        if _negated(action, negations) or near([action], safety, rules.window):
            continue
        kids = near([action], children, rules.window)
        adults = near([action], facilitators, rules.window)
        if kids and adults:
            return [_text_reason(draft, rules, (action, kids[0][1], adults[0][1]))]
    return []


def matched_topics(draft: Draft, policy: Policy) -> tuple[str, ...]:
    """The allowed topics recognised in the text, plus the one its author chose, in policy order."""
    found = {match.lastgroup for match in policy.topic_pattern.finditer(" " + folded(draft.text).text)}
    ids = {topic.id for index, topic in enumerate(policy.topics) if f"t{index}" in found}
    if draft.category is not None:
        chosen = policy.category_topic(draft.category)[1]
        ids |= {chosen} if chosen else set()
    return tuple(topic.id for topic in policy.topics if topic.id in ids)


def off_mission(draft: Draft, policy: Policy) -> list[Reason]:
    """No allowed topic recognised, or a subject foreign to the mission (partisan, commercial).

    A fundraising context (« au profit de », « bénéfice ») clears the signals of the whole text.
    """
    rules = policy.codes["OFF_MISSION"]
    view = folded(draft.text)
    signals = [] if find(rules.terms("exceptions"), view) else find(rules.terms("signals"), view)
    if signals:
        return [_text_reason(draft, rules, (signals[0],), key="off_mission_signal")]
    if matched_topics(draft, policy):
        return []
    suggestion = message("off_mission_suggestion")
    return [Reason(rules.code, message("off_mission"), None, rules.clause, suggestion, rules.severity)]


_LEARNED_KEYS = {"OFF_MISSION": "off_mission_signal"}


def learned_reason(draft: Draft, policy: Policy, model: Model, code: str, probability: float) -> Reason:
    """A finding of the learned model: it quotes the sentence that weighs most for `code`, and
    leaves the decision to a person unless the model is sure."""
    spans = sentences(draft.text)
    column = CODES.index(code)
    weights = model.probabilities([folded(draft.text[a:b]).text for a, b in spans])[:, column]
    span = spans[int(weights.argmax())]
    rules = policy.codes[code]
    suggestion = _phone_suggestion(policy) if code == "INTERVENTION" else message(f"{code.lower()}_suggestion")
    return Reason(
        code=code,
        message=message(_LEARNED_KEYS.get(code, code.lower()), excerpt=_excerpt(draft, span)),
        span=span,
        clause=rules.clause,
        suggestion=suggestion,
        severity=rules.severity if probability >= max(model.certain, model.flag[column]) else "needs_review",
    )


# Run in this order on every draft that is not empty; a new check is one more entry.
RULES: list[Rule] = [
    too_long,
    personal_info,
    intervention,
    child_contact,
    off_mission,
    photo_consent,
    photo_file,
    quiet_hours,
]
