"""Accuracy of the compliance gate on a labeled corpus: catch rate per code, false alarms.

Usage: python benchmarks/gate_accuracy.py [CORPUS.jsonl ...]   (default: tests/data/corpus*.jsonl)
Each line: the `balise check --jsonl` input plus "expected" (verdict) and "codes" (expected codes).
Targets: each forbidden code caught in >= 97% of its drafts; <= 3% of compliant drafts not approved.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from balise.compliance import load_policy
from balise.compliance.batch import check_lines

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("PERSONAL_INFO", "INTERVENTION", "CHILD_CONTACT", "TOO_LONG")  # target: >= 97 %
REVIEW = ("OFF_MISSION",)  # sent to a person, reported without a target


def main(paths: list[Path]) -> int:
    lines = [line for path in paths for line in path.read_bytes().splitlines() if line.strip()]
    cases = [json.loads(line) for line in lines]
    results = list(check_lines(lines, load_policy()))
    caught: Counter[str] = Counter()
    total: Counter[str] = Counter()
    exact = 0
    alarms = []
    for case, result in zip(cases, results, strict=True):
        found = {reason["code"] for reason in result["reasons"]}
        exact += result["verdict"] == case["expected"]
        for code in case["codes"]:
            total[code] += 1
            caught[code] += code in found and result["verdict"] == case["expected"]
        if case["expected"] == "approved" and result["verdict"] != "approved":
            alarms.append((case["id"], result["verdict"], sorted(found), case["text"][:90]))
    compliant = sum(case["expected"] == "approved" for case in cases)
    hard = [c for c in cases if "hard_negative" in c.get("tags", ())]
    hard_alarms = sum(1 for a in alarms if a[0] in {c["id"] for c in hard})
    print(
        f"drafts: {len(cases)}   exact verdict: {exact}/{len(cases)}"
        f" ({100 * exact / len(cases):.1f} %)"
    )
    print("catch rate per code (right code and right verdict):")
    ok = True
    for code in FORBIDDEN + REVIEW:
        if total[code]:
            rate = 100 * caught[code] / total[code]
            ok &= rate >= 97 or code in REVIEW
            print(f"  {code:<14} {caught[code]:>4}/{total[code]:<4} {rate:5.1f} %")
    rate = 100 * len(alarms) / compliant if compliant else 0.0
    ok &= rate <= 3
    print(
        f"false alarms on compliant drafts: {len(alarms)}/{compliant} ({rate:.1f} %)"
        f"   of which hard negatives: {hard_alarms}/{len(hard)}"
    )
    for alarm in alarms:
        print("  ", *alarm)
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    args = [Path(arg) for arg in sys.argv[1:]] or sorted(
        (ROOT / "tests" / "data").glob("corpus*.jsonl")
    )
    sys.exit(main(args))
