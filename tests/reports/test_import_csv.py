"""`balise import`: every row is checked first; all rows become drafts, or none does."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image
from sqlmodel import select

from balise.consent import add_person
from balise.db import session_scope
from balise.models import Organization, Person, Photo, PhotoPerson, Target
from balise.queue.queues import COMPLIANCE, queue
from balise.states import State
from tests.conftest import ROOT, run_cli
from tests.helpers import make_org
from tests.reports.builders import posts_of, write_csv
from tests.terminal import Terminal

TORONTO = ZoneInfo("America/Toronto")
HEADER = "date,time,platforms,text,photos,people,topic"


def photo(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, format="JPEG")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


def import_rows(
    env: dict[str, str], folder: Path, rows: list[str], header: str = HEADER, encoding: str = "utf-8"
) -> subprocess.CompletedProcess[str]:
    """`balise import` of `folder/calendrier.csv` holding `header` and `rows`, as Marie."""
    path = write_csv(folder / "calendrier.csv", [header, *rows], encoding)
    return run_cli(["import", str(path), "--as", "Marie"], env)


def test_a_good_file_imports_every_row_as_a_draft_and_queues_the_gate(env: dict[str, str], tmp_path: Path) -> None:
    org_id, _, _ = make_org()
    photo(tmp_path / "calendrier" / "photos" / "atelier.jpg")
    result = import_rows(
        env,
        tmp_path / "calendrier",
        [
            '2031-01-12,10:00,facebook;x,"Offre d\'emploi : animatrice, 28 h par semaine",,,emploi',
            '2031-01-19,13h30,facebook,"Atelier pour les parents,\nmardi soir",photos/atelier.jpg,,evenements',
            "2031-02-09,9 h 05,twitter,Lecture de la semaine : le guide du ROEQ,,,",
        ],
    )

    assert result.returncode == 0, result.stderr
    posts = posts_of(org_id)
    assert [p.state for p in posts] == [State.PENDING_CHECK] * 3
    assert [p.text for p in posts] == [
        "Offre d'emploi : animatrice, 28 h par semaine",
        "Atelier pour les parents,\nmardi soir",
        "Lecture de la semaine : le guide du ROEQ",
    ]
    assert [p.scheduled_at for p in posts] == [
        datetime(2031, 1, 12, 10, 0, tzinfo=TORONTO).astimezone(UTC),
        datetime(2031, 1, 19, 13, 30, tzinfo=TORONTO).astimezone(UTC),
        datetime(2031, 2, 9, 9, 5, tzinfo=TORONTO).astimezone(UTC),
    ]
    assert [p.topic for p in posts] == ["emploi", "evenements", None]
    with session_scope() as session:
        platforms = [
            sorted(t.platform for t in session.exec(select(Target).where(Target.post_id == p.id))) for p in posts
        ]
        photos = list(session.exec(select(Photo)))
    assert platforms == [["facebook", "x"], ["facebook"], ["x"]]
    assert [(p.post_id, p.original_name) for p in photos] == [(posts[1].id, "atelier.jpg")]
    assert queue(COMPLIANCE).count == 3
    assert str(tmp_path / "calendrier" / "calendrier.csv") in result.stdout


def test_a_file_with_two_bad_rows_imports_nothing_and_names_rows_3_and_5(env: dict[str, str], tmp_path: Path) -> None:
    org_id, _, _ = make_org()
    result = import_rows(
        env,
        tmp_path,
        [
            "2031-01-12,10:00,facebook,Offre d'emploi : animatrice,,,emploi",
            "2031-01-13,10:00,myspace,Atelier pour les parents,,,",
            "2031-01-14,10:00,x,Formation des bénévoles,,,",
            "2031-01-15,10:00,facebook,,,,",
        ],
    )

    assert result.returncode != 0
    assert "Rien n'a été importé" in result.stderr
    assert "Ligne 3" in result.stderr and "myspace" in result.stderr
    assert "Ligne 5" in result.stderr and "texte" in result.stderr
    assert "Ligne 2" not in result.stderr and "Ligne 4" not in result.stderr
    assert posts_of(org_id) == []
    assert queue(COMPLIANCE).count == 0


def test_a_row_in_the_spring_forward_gap_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    org_id, _, _ = make_org()
    # 9 March 2031, America/Toronto: clocks jump from 02:00 to 03:00.
    result = import_rows(
        env, tmp_path, ["2031-03-10,10:00,facebook,Un bon texte,,,", "2031-03-09,02:30,facebook,Un autre texte,,,"]
    )

    assert result.returncode != 0
    assert "Ligne 3" in result.stderr and "n'existe pas" in result.stderr and "2031-03-09" in result.stderr
    assert posts_of(org_id) == []


def test_an_ambiguous_fall_back_time_asks_for_the_offset_and_accepts_it(env: dict[str, str], tmp_path: Path) -> None:
    org_id, _, _ = make_org()
    # 7 November 2027, America/Toronto: 01:30 happens at -04:00, then again at -05:00.
    refused = import_rows(env, tmp_path, ["2027-11-07,01:30,x,Un texte,,,"])
    assert refused.returncode != 0 and "01:30-04:00" in refused.stderr and "01:30-05:00" in refused.stderr

    accepted = import_rows(env, tmp_path, ["2027-11-07,01:30-05:00,x,Un texte,,,"])

    assert accepted.returncode == 0, accepted.stderr
    [post] = posts_of(org_id)
    assert post.scheduled_at == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)


def test_an_excel_file_with_semicolons_and_a_bom_imports(env: dict[str, str], tmp_path: Path) -> None:
    org_id, _, _ = make_org()

    result = import_rows(
        env,
        tmp_path,
        ["2031-01-12;10:00;facebook,x;Été : camp de jour;;;"],
        header="\ufeffdate;heure;plateformes;texte;photos;personnes;sujet",
    )

    assert result.returncode == 0, result.stderr
    [post] = posts_of(org_id)
    assert post.text == "Été : camp de jour"


def test_a_windows_1252_file_is_refused_with_how_to_save_it_as_utf8(env: dict[str, str], tmp_path: Path) -> None:
    org_id, _, _ = make_org()

    result = import_rows(env, tmp_path, ["2031-01-12,10:00,facebook,Été : camp de jour,,,"], encoding="cp1252")

    assert result.returncode != 0
    assert "UTF-8" in result.stderr and "Enregistrer sous" in result.stderr and "ligne 2" in result.stderr
    assert posts_of(org_id) == []


def test_a_missing_or_unreadable_photo_is_named_with_its_row(env: dict[str, str], tmp_path: Path) -> None:
    org_id, _, _ = make_org()
    (tmp_path / "pas-une-image.jpg").write_text("bonjour")

    result = import_rows(
        env,
        tmp_path,
        ["2031-01-12,10:00,facebook,Texte,absente.jpg,,", "2031-01-13,10:00,facebook,Texte,pas-une-image.jpg,,"],
    )

    assert result.returncode != 0
    assert "Ligne 2" in result.stderr and "absente.jpg" in result.stderr
    assert "Ligne 3" in result.stderr and "pas une image" in result.stderr
    assert posts_of(org_id) == []


def test_people_of_the_registry_are_declared_on_the_row_photos(env: dict[str, str], tmp_path: Path) -> None:
    org_id, _, _ = make_org()
    with session_scope() as session:
        org = session.get(Organization, org_id)
        assert org
        add_person(session, org, name="Julie Gagnon", minor=False, guardian=None, guardian_email=None, actor="test")
    photo(tmp_path / "groupe.jpg")
    known = "2031-01-12,10:00,facebook,Notre équipe,groupe.jpg,Julie Gagnon,"

    refused = import_rows(
        env, tmp_path, [known, "2031-01-13,10:00,facebook,Notre équipe,groupe.jpg,Personne Inconnue,"]
    )
    accepted = import_rows(env, tmp_path, [known])

    assert refused.returncode != 0 and "Ligne 3" in refused.stderr and "Personne Inconnue" in refused.stderr
    assert "Ligne 2" not in refused.stderr
    assert accepted.returncode == 0, accepted.stderr
    [post] = posts_of(org_id)
    with session_scope() as session:
        shown = session.exec(select(Person.name).join(PhotoPerson).join(Photo).where(Photo.post_id == post.id)).all()
    assert shown == ["Julie Gagnon"]


def test_an_unknown_topic_is_named_with_its_row(env: dict[str, str], tmp_path: Path) -> None:
    org_id, _, _ = make_org()

    result = import_rows(
        env, tmp_path, ["2031-01-12,10:00,facebook,Texte,,,emploi", "2031-01-13,10:00,facebook,Texte,,,recettes"]
    )

    assert result.returncode != 0 and "Ligne 3" in result.stderr and "recettes" in result.stderr
    assert posts_of(org_id) == []


def test_the_template_in_docs_imports_cleanly(env: dict[str, str], tmp_path: Path) -> None:
    org_id, _, _ = make_org()
    header, *rows = (ROOT / "docs" / "modele-import.csv").read_text(encoding="utf-8").splitlines()
    # The template's dates are examples: moved to next year so they stay in the future.
    next_year = [f"{datetime.now(UTC).year + 1}{row[4:]}" for row in rows]

    result = import_rows(env, tmp_path, next_year, header=header)

    assert result.returncode == 0, result.stderr
    assert len(posts_of(org_id)) == len(rows) > 0


def test_a_crowded_day_in_the_file_is_warned_about_and_still_imported(env: dict[str, str], tmp_path: Path) -> None:
    org_id, _, _ = make_org()
    offer = "Offre d'emploi : animatrice recherchée"
    result = import_rows(
        env, tmp_path, [f"2031-01-14,{hour}:00,facebook,{offer} ({hour} h),,,emploi" for hour in (9, 11, 14)]
    )
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stderr.split())
    assert "Semaine du lundi 13 janvier 2031 : 1 jour(s) chargé(s) sur Facebook : mardi 14 janvier 2031 (3)" in said
    assert len(posts_of(org_id)) == 3


def test_a_long_crowded_file_is_summed_up_in_one_line_per_week(env: dict[str, str], tmp_path: Path) -> None:
    make_org()
    offer = "Offre d'emploi : animatrice recherchée"
    days = [date(2031, 1, 13) + timedelta(weeks=week, days=day) for week in range(4) for day in range(5)]
    rows = [f"{day},{hour}:00,facebook,{offer} ({day} {hour} h),,,emploi" for day in days for hour in (9, 11, 14)]
    result = import_rows(env, tmp_path, rows)  # 60 posts: 4 crowded weeks of 5 crowded days each
    assert result.returncode == 0, result.stderr
    weekly = [" ".join(week.split()) for week in result.stderr.split("Semaine du ")[1:]]
    assert len(weekly) == 4, result.stderr
    assert "15 publications sur Facebook" in weekly[0] and "5 jour(s) chargé(s) sur Facebook" in weekly[0]
    assert "publications sont prévues" not in result.stderr  # no line per day


def test_a_long_file_shows_a_progress_bar_at_a_terminal(env: dict[str, str], tmp_path: Path) -> None:
    make_org()
    offer = "Offre d'emploi : animatrice recherchée"
    rows = [f"2031-02-{1 + n % 20:02d},10:{n % 60:02d},sandbox,{offer} {n},,,emploi" for n in range(40)]
    path = write_csv(tmp_path / "calendrier.csv", [HEADER, *rows], "utf-8")
    terminal = Terminal(["import", str(path), "--as", "Marie"], env)
    terminal.until("40 brouillon(s) importé(s)")
    assert terminal.exit_code() == 0
    assert b"Lecture des lignes" in terminal.shown and "━".encode() in terminal.shown
