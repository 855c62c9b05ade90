"""Accuracy of the compliance gate on drafts by writers it never learned from.

Usage: python benchmarks/gate_accuracy.py [--holdout-writer W]

For each writer W (every writer when none is given), everything learned — the classifier's
weights and its thresholds — is built without W's drafts, then the whole gate (rules and model)
checks W's drafts. A violation is caught when the verdict is not `approved` and names one of its
expected codes; a false alarm is a compliant draft not approved.
Targets: mean catch rate >= 95 %, worst writer >= 90 %, false alarms <= 3 %.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from balise.compliance import Draft, load_policy
from balise.compliance.gate import check_draft
from balise.compliance.learned import CODES
from balise.compliance.training import Bag, Case, Figures, bags, build, corpus, rule_flags, score


def held_out(cases: list[Case], writer: str, all_bags: list[Bag], rules: np.ndarray) -> tuple[Figures, list[str]]:
    """Figures of the gate on `writer`'s drafts, with a model built from everyone else's."""
    inside = [i for i, case in enumerate(cases) if case.writer != writer]
    model = build([cases[i] for i in inside], [all_bags[i] for i in inside], rules[inside], version=f"sans-{writer}")
    policy = load_policy()
    mine = [case for case in cases if case.writer == writer]
    found = np.zeros((len(mine), len(CODES)), dtype=bool)
    misses = []
    for i, case in enumerate(mine):
        verdict = check_draft(Draft(case.text, case.platforms), policy, model)
        if verdict.verdict != "approved":
            for reason in verdict.reasons:
                if reason.code in CODES:
                    found[i, CODES.index(reason.code)] = True
        if case.violation != bool(found[i].any()):
            misses.append(f"    {case.id} attendu {sorted(case.codes) or 'conforme'}: {case.text[:100]!r}")
    return score(mine, found), misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holdout-writer", help="score only this writer (default: each in turn)")
    parser.add_argument("--show-misses", action="store_true", help="print each miss and false alarm")
    args = parser.parse_args()
    cases = corpus()
    writers = sorted({case.writer for case in cases})
    if args.holdout_writer and args.holdout_writer not in writers:
        print(f"écrivain inconnu : {args.holdout_writer} (connus : {', '.join(writers)})", file=sys.stderr)
        return 2
    started = time.monotonic()
    all_bags, rules = bags(cases), rule_flags(cases, load_policy())
    rows = []
    for writer in [args.holdout_writer] if args.holdout_writer else writers:
        figures, misses = held_out(cases, writer, all_bags, rules)
        rows.append(figures)
        print(
            f"{writer:<12} caught {figures.caught:>3}/{figures.violations:<3} {100 * figures.catch_rate:5.1f} %"
            f"   false alarms {figures.alarms:>3}/{figures.compliant:<3} {100 * figures.alarm_rate:4.1f} %"
        )
        if args.show_misses:
            print("\n".join(misses))
    catch = [f.catch_rate for f in rows]
    alarms = [f.alarm_rate for f in rows]
    print(
        f"held-out writers: {len(rows)}   mean caught {100 * np.mean(catch):.1f} %   worst {100 * min(catch):.1f} %"
        f"   mean false alarms {100 * np.mean(alarms):.1f} %   worst {100 * max(alarms):.1f} %"
        f"   ({time.monotonic() - started:.0f} s)"
    )
    ok = np.mean(catch) >= 0.95 and min(catch) >= 0.90 and max(alarms) <= 0.03
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
