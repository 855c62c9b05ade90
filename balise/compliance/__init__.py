"""The compliance gate: the ROEQ policy as data, a text engine, and verdicts with reasons.

Pure Python with light imports: the gate itself (`compliance.gate.check_draft`, whose learned half
loads NumPy) is imported by what checks, not by every command that only reads the policy.
"""

from balise.compliance.policy import Policy, load_policy
from balise.compliance.verdicts import Draft, Reason, Verdict

__all__ = ["Draft", "Policy", "Reason", "Verdict", "load_policy"]
