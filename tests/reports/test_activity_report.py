"""`balise report`: one self-contained HTML file in French, and the same figures as CSV."""

from __future__ import annotations

import base64
import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlmodel import col, update

from balise.compliance import load_policy
from balise.db import session_scope
from balise.models import ComplianceResult
from balise.pipeline.check import check_post
from tests.conftest import run_cli
from tests.helpers import make_org
from tests.reports.builders import Clock, account_snapshot, draft, mark_published, post_snapshot, sign_off

TORONTO = ZoneInfo("America/Toronto")
PERIOD = ["--from", "2026-04-01", "--to", "2027-03-31"]
TOO_LONG_FOR_X = ("Formation pour les parents sur la prévention. " * 8).strip()


@dataclass
class Page(HTMLParser):
    """What the tests read in the report: section ids, headings, images, table heads and cells, text."""

    sections: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    column_heads: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    lang: str = ""
    _tag: str = ""

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self._tag = "figure" if values.get("class") == "figure" else tag
        if tag == "section":
            self.sections.append(values.get("id") or "")
        elif tag == "img":
            self.images.append(values.get("src") or "")
        elif tag == "html":
            self.lang = values.get("lang") or ""

    def handle_endtag(self, tag: str) -> None:
        self._tag = ""

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._tag == "h2":
            self.headings.append(data.strip())
        elif self._tag == "th":
            self.column_heads.append(data.strip())
        elif self._tag in ("td", "strong", "code"):
            self.cells.append(data.strip())
        elif self._tag == "figure":
            self.figures.append(data.strip())


def read_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@dataclass
class Year:
    """A year of activity made through the real gate and sign-off, at known times."""

    org_id: int
    published: list[tuple[int, str | None, datetime]]  # post, topic, published at
    delays: list[timedelta]
    rejected: dict[str, int]


def a_year_of_activity(monkeypatch: pytest.MonkeyPatch) -> Year:
    org_id, author_id, approver_id = make_org()
    clock = Clock(monkeypatch, datetime(2026, 5, 4, 13, 0, tzinfo=UTC))
    published = []
    delays = [timedelta(hours=2), timedelta(hours=30), timedelta(minutes=45)]
    plan = [
        ("emploi", datetime(2026, 5, 12, 14, tzinfo=UTC)),
        ("evenements", datetime(2026, 5, 20, 14, tzinfo=UTC)),
        (None, datetime(2026, 9, 3, 14, tzinfo=UTC)),
    ]
    for (topic, at), delay in zip(plan, delays, strict=True):
        post_id = draft(org_id, author_id, platforms=("facebook", "x"), topic=topic, at=at + timedelta(days=400))
        check_post(post_id, 1)  # the gate's go-ahead: awaiting_signoff at the clock's time
        clock.advance(delay)
        sign_off(post_id, approver_id)
        targets = mark_published(post_id, at)
        post_snapshot(org_id, post_id, targets["facebook"], "facebook", at + timedelta(days=1), reactions=1)
        post_snapshot(
            org_id,
            post_id,
            targets["facebook"],
            "facebook",
            at + timedelta(days=30),
            reactions=10 * len(published) + 5,
            comments=2,
            shares=1,
            reach=300,
        )
        published.append((post_id, topic, at))
        clock.advance(timedelta(days=1))
    for platforms in (("x",), ("x", "facebook")):
        rejected = draft(org_id, author_id, text=TOO_LONG_FOR_X, platforms=platforms)
        check_post(rejected, 1)
        checked_at(rejected, clock.now)
    for day, followers, likes in ((date(2026, 4, 2), 1200, 1150), (date(2026, 10, 1), 1290, 1230)):
        account_snapshot(org_id, "facebook", datetime(day.year, day.month, day.day, 10, tzinfo=UTC), followers, likes)
        account_snapshot(org_id, "x", datetime(day.year, day.month, day.day, 10, tzinfo=UTC), followers // 2)
    return Year(org_id, published, delays, {"TOO_LONG": 2})


def checked_at(post_id: int, at: datetime) -> None:
    """The gate's result dated in the period (the table stamps it with the real time)."""
    with session_scope() as session:
        session.execute(update(ComplianceResult).where(col(ComplianceResult.post_id) == post_id).values(created_at=at))


def png_images(page: Page) -> list[Image.Image]:
    images = []
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        image = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
        image.verify()
        images.append(Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))))
    return images


def test_the_report_has_every_section_with_valid_embedded_charts(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    year = a_year_of_activity(monkeypatch)
    output = tmp_path / "rapport.html"

    result = run_cli(["report", *PERIOD, "--output", str(output)], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(output)
    page = read_page(output)
    assert page.lang == "fr"
    assert page.sections == ["abonnes", "publications", "engagement", "refus", "approbations"]
    assert page.headings[0] == "Abonnés et mentions J'aime"
    images = png_images(page)
    assert len(images) == 2 and all(i.format == "PNG" and i.width > 400 and i.height > 200 for i in images)
    assert "Sans sujet" in page.column_heads and "Offres d'emploi, de stage ou de bénévolat" in page.column_heads
    assert "TOO_LONG" in page.cells and "Trop long pour la plateforme" in page.cells
    # Sign-offs after 2 h, 30 h and 45 min: three, a median of 2 h, at most 30 h.
    assert year.delays == [timedelta(hours=2), timedelta(hours=30), timedelta(minutes=45)]
    assert page.figures[-3:] == ["3", "2 h 00 min", "1 j 6 h"]
    assert "http" not in "".join(page.images)  # nothing to fetch: the file travels alone


def test_the_csv_figures_are_the_data_of_the_period(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    year = a_year_of_activity(monkeypatch)

    result = run_cli(["report", *PERIOD, "--output", str(tmp_path / "r.html"), "--csv", str(tmp_path / "r.csv")], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(tmp_path / "r.html"), str(tmp_path / "r.csv")]
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the accents
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    labels = {topic.id: topic.label for topic in load_policy().topics}
    per_month = Counter(
        (at.astimezone(TORONTO).strftime("%Y-%m"), labels[topic] if topic else "Sans sujet")
        for _, topic, at in year.published
    )
    months = {
        (r["date"], r["element"]): int(r["valeur"])
        for r in rows
        if r["section"] == "publications_par_mois" and r["valeur"] != "0"
    }
    assert months == dict(per_month)
    assert len({r["date"] for r in rows if r["section"] == "publications_par_mois"}) == 12
    refusals = {r["element"]: int(r["valeur"]) for r in rows if r["section"] == "refus_par_raison"}
    assert refusals == year.rejected
    signoff = {r["mesure"]: int(r["valeur"]) for r in rows if r["section"] == "delais_approbation"}
    assert signoff == {
        "nombre": len(year.delays),
        "mediane_minutes": round(statistics.median(d.total_seconds() for d in year.delays) / 60),
        "max_minutes": round(max(year.delays).total_seconds() / 60),
    }
    followers = [(r["date"], r["plateforme"], r["mesure"], int(r["valeur"])) for r in rows if r["section"] == "abonnes"]
    assert ("2026-10-01", "facebook", "mentions_jaime", 1230) in followers and (
        "2026-04-02",
        "x",
        "abonnes",
        600,
    ) in followers
    engaging = [
        (r["element"], int(r["valeur"]))
        for r in rows
        if r["section"] == "publications_engageantes" and r["mesure"] == "reactions"
    ]
    # The latest snapshot of each post counts, the most engaging first.
    assert engaging == [
        (f"n° {post_id}", 10 * i + 5) for i, (post_id, _, _) in reversed(list(enumerate(year.published)))
    ]


def test_a_snapshot_older_than_two_years_is_still_in_the_report(env: dict[str, str], tmp_path: Path) -> None:
    org_id, author_id, _ = make_org()
    long_ago = datetime.now(UTC) - timedelta(days=2 * 365 + 60)
    account_snapshot(org_id, "facebook", long_ago, followers=777, likes=701)
    post_id = draft(org_id, author_id)
    target = mark_published(post_id, long_ago)["sandbox"]
    post_snapshot(org_id, post_id, target, "sandbox", long_ago + timedelta(days=2), reactions=41, comments=4)
    first = (long_ago - timedelta(days=10)).date().isoformat()
    last = (long_ago + timedelta(days=10)).date().isoformat()

    result = run_cli(["report", "--from", first, "--to", last, "--output", str(tmp_path / "r.html")], env)

    assert result.returncode == 0, result.stderr
    page = read_page(tmp_path / "r.html")
    assert "777" in page.cells and "701" in page.cells and "41" in page.cells
    assert len(png_images(page)) == 2


def test_the_default_output_is_in_the_reports_folder_of_the_data_directory(env: dict[str, str]) -> None:
    make_org()

    result = run_cli(["report", *PERIOD], env)

    expected = Path(env["BALISE_DATA_DIR"]) / "reports" / "rapport-2026-04-01-2027-03-31.html"
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(expected) and expected.exists()
    page = read_page(expected)
    assert page.images == [] and "Aucun relevé d'abonnés pour cette période." in "".join(page.text)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from", "2027-03-31", "--to", "2026-04-01"], "balise report --from 2026-04-01 --to 2027-03-31"),
        (["--from", "01/04/2026", "--to", "2027-03-31"], "AAAA-MM-JJ"),
        (["--from", "2026-04-01", "--to", "2027-02-30"], "--to"),
    ],
)
def test_a_bad_period_is_refused_in_french_and_nothing_is_written(
    env: dict[str, str], tmp_path: Path, args: list[str], says: str
) -> None:
    make_org()
    out = tmp_path / "sortie"
    out.mkdir()

    result = run_cli(["report", *args, "--output", str(out / "r.html"), "--csv", str(out / "r.csv")], env)

    assert result.returncode != 0 and says in result.stderr and "Erreur" in result.stderr
    assert list(out.iterdir()) == []


def test_an_unwritable_output_names_the_fix_and_writes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    make_org()
    out = tmp_path / "sortie"
    out.mkdir()

    missing_folder = run_cli(
        ["report", *PERIOD, "--output", str(out / "r.html"), "--csv", str(out / "absent" / "r.csv")], env
    )
    a_folder = run_cli(["report", *PERIOD, "--output", str(out)], env)

    assert missing_folder.returncode != 0 and "absent" in missing_folder.stderr and "Créez-le" in missing_folder.stderr
    assert a_folder.returncode != 0 and "est un dossier" in a_folder.stderr
    assert list(out.iterdir()) == []
