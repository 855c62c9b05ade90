"""The compliance gate: the ROEQ policy as data, a text engine, and verdicts with reasons.

Pure Python with light imports, so that `balise check` starts fast and workers can call it.
"""

from balise.compliance.gate import check_draft
from balise.compliance.policy import Policy, load_policy
from balise.compliance.verdicts import Draft, Reason, Verdict

__all__ = ["Draft", "Policy", "Reason", "Verdict", "check_draft", "load_policy"]
