"""How fast balise's commands answer: `balise --help`, each command's `--help`, `draft add`, `status`.

Usage: python benchmarks/cli_speed.py [--runs 5]
Targets (issue 19, item 12): `balise --help` <= 0.15 s, any `--help` <= 0.2 s, `draft add` and
`status` <= 0.5 s.

This machine's absolute times drift from run to run (2 cores shared with other work), so each
command is timed right after a bare `python -c "import typer"`, its baseline, and judged on the
median of their ratios. The targets in seconds were set when that baseline took 0.05 s (issue 19
measured `balise --help` at 0.42-0.45 s; that code ran 8.9 times the baseline's time here), so a
target of 0.15 s is a ratio of 3.0. `draft add` and `status` run as subprocesses on a new
installation in a temporary folder (SQLite, the embedded Redis), as a person types them.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from balise.cli.main import COMMANDS  # noqa: E402
from benchmarks._common import ROOT, installation, load_note  # noqa: E402
from tests.helpers import make_org  # noqa: E402

BASELINE_SECONDS = 0.05  # `python -c "import typer"` when the targets were set (see the docstring)
BALISE = [sys.executable, "-c", "from balise.cli.main import run; run()"]
# For reference, Typer alone: the help of an app of one command with one option, with no target.
TYPER_APP = """import typer
app = typer.Typer()
@app.command()
def hello(name: str = typer.Option("Julie", help="Qui.")) -> None:
    "Bonjour."
app()
"""


@dataclass
class Case:
    """One command line (none: `draft_add`'s), its target in seconds, its times and their ratios to
    the baseline's."""

    label: str
    command: list[str]
    target: float | None
    times: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.target is None or statistics.median(self.ratios) <= self.target / BASELINE_SECONDS

    def row(self) -> str:
        if self.target is None:
            target, verdict = "", "(reference)"
        else:
            target, verdict = (
                f"{self.target:.2f} s ({self.target / BASELINE_SECONDS:.1f}×)",
                "ok" if self.ok else "NOT OK",
            )
        figures = f"{statistics.median(self.times):6.3f} s {statistics.median(self.ratios):10.1f}×"
        return f"{self.label:34} {figures} {target:>16}  {verdict}"


def cases() -> list[Case]:
    found = [Case("one-command Typer app --help", [sys.executable, "-c", TYPER_APP, "--help"], None)]
    found.append(Case("balise --help", [*BALISE, "--help"], 0.15))
    found += [Case(f"balise {name} --help", [*BALISE, name, "--help"], 0.2) for name in COMMANDS]
    found.append(Case("balise draft add --help", [*BALISE, "draft", "add", "--help"], 0.2))
    found.append(Case("balise draft add", [], 0.5))
    found.append(Case("balise status", [*BALISE, "status"], 0.5))
    return found


def draft_add(run: int) -> list[str]:
    """A new draft each run, as Marie (author), queued for the gate on the embedded Redis."""
    text = f"Offre d'emploi : ESPACE recrute une animatrice (poste n° {run})."
    return [*BALISE, "draft", "add", text, "-p", "facebook", "--at", "2031-06-01 10:00", "--as", "Marie"]


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if "Traceback" in done.stderr:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return elapsed


def measure(all_cases: list[Case], runs: int, env: dict[str, str]) -> list[float]:
    """Each round times every case once, each right after the baseline; returns the baseline's times."""
    baseline_times = []
    for run in range(runs):
        for case in all_cases:
            baseline = timed([sys.executable, "-c", "import typer"], env)
            elapsed = timed(case.command or draft_add(run), env)
            baseline_times.append(baseline)
            case.times.append(elapsed)
            case.ratios.append(elapsed / baseline)
    return baseline_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    all_cases = cases()
    with installation("sqlite") as place:
        make_org()
        baseline = measure(all_cases, args.runs, place.env)
    print(f"{load_note()}; {args.runs} runs of each, medians")
    typer_import = statistics.median(baseline)
    print(f'baseline `python -c "import typer"`: {typer_import:.3f} s (targets set at {BASELINE_SECONDS} s)')
    print(f"{'command':34} {'time':>8} {'× baseline':>11} {'target':>16}  verdict")
    for case in all_cases:
        print(case.row())
    failed = [case.label for case in all_cases if not case.ok]
    if failed:
        raise SystemExit(f"over their targets: {', '.join(failed)}")


if __name__ == "__main__":
    main()
