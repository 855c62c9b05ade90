"""`check_draft`: validate a draft against the policy, run every rule, keep the worst verdict."""

from __future__ import annotations

from dataclasses import replace

from balise.compliance.learned import CODES, Model, shipped
from balise.compliance.policy import Policy, load_policy
from balise.compliance.rules import RULES, empty, folded, learned_reason, matched_topics, too_long
from balise.compliance.verdicts import Draft, Reason, Verdict
from balise.errors import InvalidInput
from balise.platforms import canonical_platforms

# Forbidden content: once found, "no allowed topic recognised" adds nothing for the reader.
CONTENT_CODES = frozenset({"PERSONAL_INFO", "INTERVENTION", "CHILD_CONTACT"})


def validated(draft: Draft, policy: Policy) -> Draft:
    """The draft with canonical platform names; `InvalidInput` for unknown platform or category."""
    if not isinstance(draft.text, str):
        raise InvalidInput("compliance.text_not_string")
    if draft.category is not None:
        known, _ = policy.category_topic(draft.category)
        if not known:
            names = ", ".join(topic.id for topic in policy.topics)
            raise InvalidInput("compliance.unknown_category", name=draft.category, known=names)
    return replace(draft, platforms=canonical_platforms(draft.platforms))


def rule_reasons(draft: Draft, policy: Policy) -> list[Reason]:
    """What the explicit rules find, on their own."""
    return [reason for rule in RULES for reason in rule(draft, policy)]


def with_learned(draft: Draft, policy: Policy, reasons: list[Reason], model: Model) -> list[Reason]:
    """The rules' findings that the model does not take for an explanation of the rule ("our
    facilitators never add children"), plus the codes the model finds and the rules missed.

    The model learned ROEQ's mission: a topic an organization added to its own policy is its
    mission too, so the model's "off mission" gives way to it."""
    p = model.probabilities([folded(draft.text).text])[0]
    kept = [r for r in reasons if r.code not in CODES or p[CODES.index(r.code)] >= model.veto]
    found = {r.code for r in kept}
    roeq_topics = {topic.id for topic in load_policy().topics}
    if any(topic not in roeq_topics for topic in matched_topics(draft, policy)):
        found.add("OFF_MISSION")
    kept += [
        learned_reason(draft, policy, model, code, float(p[j]))
        for j, code in enumerate(CODES)
        if code not in found and p[j] >= model.flag[j]
    ]
    return kept


def check_draft(draft: Draft, policy: Policy | None = None, model: Model | None = None) -> Verdict:
    """The gate's verdict on `draft` under `policy` (ROEQ's own when None) with the learned
    `model` (the shipped one when None). Pure: no I/O.

    A text longer than the policy's `input.max_chars` is only measured, not analysed: it is
    too long for every platform anyway, and analysing megabytes would stall the worker.
    """
    policy = policy or load_policy()
    draft = validated(draft, policy)
    if reasons := empty(draft, policy):
        return Verdict.from_reasons(reasons, policy.version)
    if len(draft.text) > policy.max_input_chars:
        return Verdict.from_reasons(too_long(draft, policy), policy.version)
    reasons = with_learned(draft, policy, rule_reasons(draft, policy), model or shipped())
    if any(reason.code in CONTENT_CODES for reason in reasons):  # "no topic" would only be noise
        reasons = [r for r in reasons if not (r.code == "OFF_MISSION" and r.span is None)]
    return Verdict.from_reasons(reasons, policy.version, matched_topics(draft, policy))
