"""Comment triage: which of the policy's cases a comment is, the clause it falls under, what
balise proposes (reply, hide, nothing) and the sentence that weighs most.

The gate's engine reads comments too: the folded text's hashed n-grams, one linear model per
category that asks for action (`models/triage.npz`, built by `balise.comments.training`) and
thresholds chosen on writers the model never saw, set so that help requests and children
reaching out are caught first. A comment no category reaches is ordinary.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from balise.compliance.learned import Model, bag, packaged, sentences
from balise.compliance.normalize import fold
from balise.compliance.policy import load_policy
from balise.i18n import LANGS, t

CATEGORIES = ("help_request", "child_contact", "prejudice", "spam", "ordinary")
URGENT = frozenset({"help_request", "child_contact"})
FLAGGED = CATEGORIES[:-1]  # every category but the ordinary one
# The model's rows: each flagged category, and "urgent" (a help request or a child reaching out,
# learned as one: twice the examples, and the two are often told alike).
ROWS = (*FLAGGED, "urgent")
MAX_CHARS = 20_000  # a longer comment is read up to here: the rest changes nothing but the wait
_EVIDENCE_CHARS = 300
_ACTIONS = {"help_request": "reply", "child_contact": "reply", "prejudice": "hide", "spam": "hide", "ordinary": "none"}
# Clauses the gate's policy file has no code for (the gate reads drafts, not comments).
_COMMENT_CLAUSES = {
    "prejudice": (
        "La gestion et les responsabilités de l'organisme — « se permettre d'y enlever du contenu non pertinent"
        " provenant des utilisateurs (préjugés, propos diffamatoires, etc.) »"
    ),
    "spam": (
        "La gestion et les responsabilités de l'organisme — « se permettre d'y enlever du contenu non pertinent"
        " provenant des utilisateurs »"
    ),
    "ordinary": (
        "La gestion et les responsabilités de l'organisme — « Pensez à dégager la personne responsable pour des"
        " réactions rapides aux commentaires. » (réponse facultative)"
    ),
}
_HIDE_IF_EXPOSED = (
    " Proposer aussi de masquer le commentaire s'il expose un enfant ou une famille : La confidentialité et la vie"
    " privée — « il importe d'avoir un souci pour la confidentialité et le respect de la vie privée des personnes »."
)


@dataclass(frozen=True)
class Triage:
    category: str  # one of CATEGORIES
    urgent: bool  # category in URGENT
    clause: str  # the policy clause it cites (French text, as the gate's reasons do)
    action: str  # "reply" | "hide" | "none": what balise proposes
    evidence: str  # the words or sentence that weigh most


def features(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The comment's bag of hashed n-grams, as the model was trained on them."""
    return bag(fold(text[:MAX_CHARS]).text)


def categories(p: np.ndarray, flag: np.ndarray) -> list[str]:
    """The category of each row of probabilities `p` (texts, ROWS): urgent when a row of an urgent
    category or the "urgent" row reaches its threshold (then the likelier of the two), then a
    category to hide, else the comment is ordinary."""
    return [CATEGORIES[i] for i in category_indices(p, flag)]


def category_indices(p: np.ndarray, flag: np.ndarray) -> np.ndarray:
    """`categories` as indices into CATEGORIES, for the threshold search."""
    ratio = p / flag
    urgent = (ratio[:, :2].max(axis=1) >= 1) | (ratio[:, 4] >= 1)
    hide = ratio[:, 2:4]
    ordinary = np.full(len(p), CATEGORIES.index("ordinary"))
    to_hide = np.where(hide.max(axis=1) >= 1, 2 + hide.argmax(axis=1), ordinary)
    return np.where(urgent, ratio[:, :2].argmax(axis=1), to_hide)


@cache
def shipped() -> Model:
    """The triage model that ships with balise, read once per process."""
    return packaged("balise.comments", "triage")


def triage(text: str, model: Model | None = None) -> Triage:
    """What `text` (a comment or a reply) is, under the policy, with the shipped model when
    `model` is None. Pure; any text, even empty or in a language the model never saw, gets an answer."""
    model = model or shipped()
    text = text[:MAX_CHARS] if isinstance(text, str) else ""
    if not text.strip():
        return _triage("ordinary", "")
    category = categories(model.scores([features(text)]), model.flag)[0]
    return _triage(category, _evidence(text, category, model))


def _triage(category: str, evidence: str) -> Triage:
    return Triage(category, category in URGENT, clause(category), _ACTIONS[category], evidence)


def clause(category: str) -> str:
    """The policy clause a category falls under; the two urgent ones are the gate's own clauses."""
    codes = load_policy().codes
    if category == "help_request":
        return codes["INTERVENTION"].clause + _HIDE_IF_EXPOSED
    if category == "child_contact":
        return codes["CHILD_CONTACT"].clause
    return _COMMENT_CLAUSES[category]


def _evidence(text: str, category: str, model: Model) -> str:
    """The sentence that weighs most for `category` (none for an ordinary comment)."""
    if category == "ordinary":
        return ""
    spans = sentences(text)
    p = model.scores([features(text[a:b]) for a, b in spans])[:, FLAGGED.index(category)]
    start, end = spans[int(p.argmax())]
    return text[start:end].strip()[:_EVIDENCE_CHARS]


def suggested_reply(category: str, *, phone: str | None, lang: str) -> str | None:
    """The reply balise proposes for an urgent comment, in `lang` (French when unknown); None
    for the others, which are hidden or need no reply. Each reply passes the gate."""
    if category not in CATEGORIES:
        raise ValueError(f"catégorie inconnue : {category}")
    if category not in URGENT:
        return None
    lang = lang if lang in LANGS else "fr"
    call = (
        t("triage.call_us_at", lang=lang, phone=phone.strip())
        if phone and phone.strip()
        else t("triage.call_us", lang=lang)
    )
    return t(f"triage.reply_{category}", lang=lang, call=call)
