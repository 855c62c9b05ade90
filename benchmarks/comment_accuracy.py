"""Accuracy of the comment triage on comments by writers it never learned from.

Usage: python benchmarks/comment_accuracy.py [--holdout-writer W] [--show-misses]

For each writer W (every writer when none is given), the model's weights and its thresholds are
built without W's comments, then W's comments are triaged with `balise.comments.triage.triage`
(the same path as the inbox). Printed per writer and on average: help requests flagged urgent,
children reaching out flagged urgent, ordinary comments flagged (any other category), and the
confusion by category (rows: the writer's category, columns: the triage's).
Targets: >= 95 % of help requests and of children reaching out flagged; <= 5 % of ordinary flagged.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from balise.comments.training import Comment, bags, build, read_comments
from balise.comments.triage import CATEGORIES, URGENT, triage
from balise.compliance.training import Bag

SHORT = {"help_request": "help", "child_contact": "child", "prejudice": "prej", "spam": "spam", "ordinary": "ord"}


def held_out(comments: list[Comment], writer: str, all_bags: list[Bag]) -> list[str]:
    """The category found for each of `writer`'s comments, by a model built from everyone else's."""
    inside = [i for i, c in enumerate(comments) if c.writer != writer]
    model = build([comments[i] for i in inside], [all_bags[i] for i in inside], version=f"sans-{writer}")
    return [triage(c.text, model).category for c in comments if c.writer == writer]


def share(mine: list[Comment], found: list[str], category: str, hit: frozenset[str]) -> float:
    rows = [f in hit for c, f in zip(mine, found, strict=True) if c.category == category]
    return 100 * float(np.mean(rows)) if rows else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holdout-writer", help="score only this writer (default: each in turn)")
    parser.add_argument("--show-misses", action="store_true", help="print each comment put in another category")
    args = parser.parse_args()
    comments = read_comments()
    writers = sorted({c.writer for c in comments})
    if args.holdout_writer and args.holdout_writer not in writers:
        print(f"écrivain inconnu : {args.holdout_writer} (connus : {', '.join(writers)})", file=sys.stderr)
        return 2
    started = time.monotonic()
    all_bags = bags(comments)
    flagged = frozenset(CATEGORIES) - {"ordinary"}
    confusion = np.zeros((len(CATEGORIES), len(CATEGORIES)), dtype=int)
    rows = []
    for writer in [args.holdout_writer] if args.holdout_writer else writers:
        mine = [c for c in comments if c.writer == writer]
        found = held_out(comments, writer, all_bags)
        row = (
            share(mine, found, "help_request", URGENT),
            share(mine, found, "child_contact", URGENT),
            share(mine, found, "ordinary", flagged),
        )
        rows.append(row)
        right = 100 * np.mean([c.category == f for c, f in zip(mine, found, strict=True)])
        print(
            f"{writer:<10} help requests urgent {row[0]:5.1f} %   children urgent {row[1]:5.1f} %"
            f"   ordinary flagged {row[2]:4.1f} %   right category {right:5.1f} %"
        )
        for c, f in zip(mine, found, strict=True):
            confusion[CATEGORIES.index(c.category), CATEGORIES.index(f)] += 1
            if args.show_misses and c.category != f:
                print(f"    {c.id} {c.category} -> {f}: {c.text[:110]!r}")
    mean = np.mean(rows, axis=0)
    worst = (min(r[0] for r in rows), min(r[1] for r in rows), max(r[2] for r in rows))
    print(
        f"mean       help requests urgent {mean[0]:5.1f} %   children urgent {mean[1]:5.1f} %"
        f"   ordinary flagged {mean[2]:4.1f} %   (worst writer: {worst[0]:.1f} / {worst[1]:.1f} / {worst[2]:.1f} %)"
    )
    print("confusion (rows: writer's category, columns: triage)")
    print("          " + "".join(f"{SHORT[name]:>7}" for name in CATEGORIES))
    for name, counts in zip(CATEGORIES, confusion, strict=True):
        print(f"  {SHORT[name]:<8}" + "".join(f"{n:>7}" for n in counts))
    print(f"({time.monotonic() - started:.0f} s)")
    ok = mean[0] >= 95 and mean[1] >= 95 and mean[2] <= 5
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
