"""Bulk import of a content calendar (CSV): every row is checked, then all become drafts or none does.

A spreadsheet of forty posts with one typo must not leave twenty-five drafts behind. Each row is
made into a draft by `posts.create_post` (the one place that knows what a valid draft is: topic,
people of the registry, photos) inside a savepoint, so every wrong row is named in one pass, and
the caller's transaction is rolled back if any row was wrong.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from balise.errors import BaliseError, InvalidInput
from balise.i18n import t
from balise.models import Member, Organization, Post
from balise.organizations import org_zone
from balise.pipeline.after_commit import AfterCommit
from balise.pipeline.draft import DraftInput, create_post
from balise.platforms import canonical_platforms
from balise.timeparse import parse_when

# Column names as the template writes them, and their French spellings.
COLUMNS = {
    "date": "date",
    "time": "time",
    "heure": "time",
    "platforms": "platforms",
    "plateformes": "platforms",
    "text": "text",
    "texte": "text",
    "photos": "photos",
    "people": "people",
    "personnes": "people",
    "topic": "topic",
    "sujet": "topic",
}
REQUIRED = ("date", "time", "platforms", "text")
FIRST_ROW = 2  # the header is row 1, as the spreadsheet numbers them
# "10:00", "10h00", "10 h 30", "9h": the ways a time is written in Québec.
CLOCK = re.compile(r"^(?P<hour>\d{1,2})\s*[h:]\s*(?P<minute>\d{2})?$", re.IGNORECASE)
# Times whose wording the importer owns: the column names replace the `--at` of the CLI.
TIME_KEYS = {"time.nonexistent", "time.ambiguous", "time.past", "time.malformed"}


@dataclass(frozen=True)
class CsvRow:
    """One non-empty row of the file, numbered as the spreadsheet shows it."""

    row: int
    cells: dict[str, str]
    too_many_cells: bool = False

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()


@dataclass(frozen=True)
class RowError:
    row: int
    error: BaliseError


class ImportRefused(InvalidInput):
    """At least one row is wrong: nothing was imported, and every wrong row is listed."""

    def __init__(self, path: Path, errors: list[RowError]) -> None:
        super().__init__("import.refused", path=path, count=len(errors))
        self.errors = errors

    def message(self, lang: str | None = None) -> str:
        lines = [t(self.key, lang=lang, **self.params)]
        lines += [t("import.row_error", lang=lang, row=e.row, detail=e.error.message(lang)) for e in self.errors]
        return "\n".join(lines)


def read_csv(path: Path) -> list[CsvRow]:
    """The rows of `path` keyed by column (`date`, `time`...).

    UTF-8 with or without BOM only: any byte sequence decodes as Windows-1252, so guessing it
    could put wrong accents into public posts; the error says how to save as CSV UTF-8.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput("import.unreadable", path=path, detail=exc.strerror or str(exc)) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("import.not_utf8", path=path, line=data[: exc.start].count(b"\n") + 1) from exc
    if "\x00" in text:  # no text column of PostgreSQL can hold it, nor any file path
        raise InvalidInput("import.nul_character", path=path, line=text[: text.index("\x00")].count("\n") + 1)
    header_line = text.split("\n", 1)[0]
    if not header_line.strip():
        raise InvalidInput("import.no_rows", path=path)
    # Excel in French saves "CSV" with semicolons; the header tells which separator is used.
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [_column(name, path) for name in next(reader)]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise InvalidInput("import.missing_columns", path=path, missing=", ".join(missing))
        rows = [
            CsvRow(number, dict(zip(header, cells, strict=False)), too_many_cells=len(cells) > len(header))
            for number, cells in enumerate(reader, start=FIRST_ROW)
            if any(cell.strip() for cell in cells)  # spreadsheets leave empty rows at the end
        ]
    except csv.Error as exc:  # a cell over the csv module's limit, most often a quote never closed
        limit = csv.field_size_limit()
        raise InvalidInput("import.cell_too_long", path=path, line=reader.line_num, limit=limit) from exc
    if not rows:
        raise InvalidInput("import.no_rows", path=path)
    return rows


def _column(name: str, path: Path) -> str:
    key = name.strip().lower()
    if key not in COLUMNS:
        raise InvalidInput(
            "import.unknown_column", path=path, name=name, known=", ".join(sorted(set(COLUMNS.values())))
        )
    return COLUMNS[key]


def import_csv(
    session: Session,
    org: Organization,
    author: Member,
    path: Path,
    media_dir: Path,
    now: datetime | None = None,
    track: Callable[[Sequence[CsvRow]], Iterable[CsvRow]] = iter,
) -> tuple[list[Post], AfterCommit]:
    """One draft per row of `path`, in the caller's transaction, and their checks for after its
    commit; `ImportRefused` naming every wrong row.

    The caller must not commit after `ImportRefused` (`db.session_scope` rolls back).
    """
    zone = org_zone(org)
    posts: list[Post] = []
    errors: list[RowError] = []
    for row in track(read_csv(path)):
        try:
            with session.begin_nested():
                posts.append(create_post(session, org, author, _draft(row, path.parent, zone, now), media_dir))
        except BaliseError as exc:
            errors.append(RowError(row.row, exc))
    if errors:
        raise ImportRefused(path, errors)
    return posts, sum((AfterCommit.check(post) for post in posts), AfterCommit())


def _draft(row: CsvRow, base: Path, zone: ZoneInfo, now: datetime | None) -> DraftInput:
    if row.too_many_cells:
        raise InvalidInput("import.too_many_cells")
    text = row.get("text")
    if not text:
        raise InvalidInput("import.empty_text")
    platforms = canonical_platforms(_split(row.get("platforms"), ";,"))
    if not platforms:
        raise InvalidInput("import.no_platform")
    return DraftInput(
        text=text,
        platforms=platforms,
        scheduled_at=_when(row.get("date"), row.get("time"), zone, now),
        topic=row.get("topic") or None,
        photos=tuple(_path(name, base) for name in _split(row.get("photos"), ";")),
        people=tuple(_split(row.get("people"), ";")),
    )


def _split(cell: str, separators: str) -> list[str]:
    return [part.strip() for part in re.split(f"[{re.escape(separators)}]", cell) if part.strip()]


def _path(name: str, base: Path) -> Path:
    path = Path(name).expanduser()
    return path if path.is_absolute() else base / path


def _when(day: str, clock: str, zone: ZoneInfo, now: datetime | None) -> datetime:
    try:
        datetime.strptime(day, "%Y-%m-%d")
    except ValueError as exc:
        raise InvalidInput("import.bad_date", value=day) from exc
    match = CLOCK.match(clock)
    if match:
        clock = f"{int(match['hour']):02d}:{match['minute'] or '00'}"
    try:
        return parse_when(f"{day} {clock}", zone, now)
    except InvalidInput as exc:
        if exc.key not in TIME_KEYS:
            raise
        params = {**exc.params, "date": day, "time": clock}
        if exc.key == "time.ambiguous":
            params |= {
                "first": str(exc.params["first"]).split("T")[1],
                "second": str(exc.params["second"]).split("T")[1],
            }
        raise InvalidInput("import." + exc.key.removeprefix("time."), **params) from exc
