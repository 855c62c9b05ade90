"""Issue 17, item 8: eight inputs that ended in a traceback. Each now gets a French message, a
non-zero exit, and leaves the database and the audit chain as they were."""

from __future__ import annotations

import sqlite3
import struct
import zlib
from pathlib import Path

import pytest

from balise.db import reset_engine
from tests.conftest import run_cli
from tests.helpers import make_org, make_post, run_in_process, snapshot

HEADER = "date,time,platforms,text"


def refused(env: dict[str, str], args: list[str], expected: str, code: int = 2) -> None:
    """`balise ARGS` fails with `expected` in French, exit `code`, and writes nothing."""
    before = snapshot()
    result = run_cli(args, env)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == code, result.stderr
    assert "Erreur :" in result.stderr and expected in result.stderr, result.stderr
    assert snapshot() == before


def blank_png(path: Path, width: int, height: int) -> Path:
    """A valid black-and-white PNG of any size in a few kilobytes (rows of zeros compress well)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))
    return path


def test_an_argument_that_is_not_utf8_is_refused(env: dict[str, str]) -> None:
    make_org()
    # What Python makes of the bytes "Offre \xff" in a command line (PEP 383).
    args = ["draft", "add", "Offre \udcff", "-p", "facebook", "--at", "2031-01-10 10:00", "--as", "Marie"]
    refused(env, args, "L'argument n° 3 (« Offre ? ») contient des octets qui ne sont pas du texte")


def test_a_nul_in_an_argument_from_a_python_caller_is_refused(env: dict[str, str]) -> None:
    """A shell cannot pass NUL, a caller of `main` can; PostgreSQL would fail on it mid-command."""
    make_org()
    before = snapshot()
    outcome = run_in_process(["draft", "add", "Of\x00fre", "-p", "x", "--at", "2031-01-10 10:00", "--as", "Marie"])
    assert outcome.code == 2 and "L'argument n° 3 (« Of?fre ») contient des octets" in outcome.stderr
    assert snapshot() == before


@pytest.mark.parametrize(
    "args",
    [
        ["draft", "add", "Offre", "-p", "facebook", "--at", "9999-12-31 23:59", "--as", "Marie"],
        ["draft", "add", "Offre", "-p", "facebook", "--at", "9999-12-31T23:00-05:00", "--as", "Marie"],
        ["report", "--from", "2026-04-01", "--to", "9999-12-31"],
    ],
    ids=["at", "at-iso", "report-to"],
)
def test_a_year_9999_date_is_out_of_range(env: dict[str, str], args: list[str]) -> None:
    make_org()
    refused(env, args, "est hors limites : balise accepte les années 2000 à 2100")


@pytest.mark.parametrize("megapixels", [144, 400])
def test_a_photo_over_100_megapixels_is_refused_in_french(env: dict[str, str], tmp_path: Path, megapixels: int) -> None:
    make_org()
    side = int((megapixels * 1_000_000) ** 0.5)
    photo = blank_png(tmp_path / "immense.png", side, side)
    args = ["draft", "add", "Offre", "-p", "facebook", "--at", "2031-01-10 10:00", "--as", "Marie"]
    args += ["--photo", str(photo)]
    before = snapshot()
    result = run_cli(args, env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "a plus de 100 mégapixels" in result.stderr and "Warning" not in result.stderr, result.stderr
    assert snapshot() == before


def test_a_post_id_beyond_64_bits_is_not_found(env: dict[str, str]) -> None:
    org_id, author_id, _ = make_org()
    make_post(org_id, author_id)
    refused(env, ["draft", "show", str(2**64)], f"Aucune publication n° {2**64}")
    refused(env, ["approve", str(10**30), "--as", "Julie"], f"Aucune publication n° {10**30}")


def test_a_csv_cell_over_131072_characters_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    make_org()
    path = tmp_path / "calendrier.csv"
    path.write_text(f'{HEADER}\n2031-01-10,10:00,facebook,"{"a" * 131_073}"\n', encoding="utf-8")
    refused(env, ["import", str(path), "--as", "Marie"], "une cellule dépasse 131072 caractères")


def test_a_folder_as_balise_config_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    make_org()
    refused({**env, "BALISE_CONFIG": str(tmp_path)}, ["status"], "doit désigner un fichier TOML lisible", code=3)


def test_a_nul_character_in_a_csv_import_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    make_org()
    path = tmp_path / "calendrier.csv"
    path.write_text(f"{HEADER}\n2031-01-10,10:00,facebook,Offre\n2031-01-11,10:00,x,Of\x00fre\n", encoding="utf-8")
    refused(env, ["import", str(path), "--as", "Marie"], "contient un caractère nul (octet 0) à la ligne 3")


@pytest.mark.parametrize("damage", ["header", "pages"])
def test_a_corrupt_sqlite_file_is_named_and_left_alone(
    env: dict[str, str], backend: str, tmp_path: Path, damage: str
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite only")
    make_org()
    database = tmp_path / "balise.db"
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the file itself
    reset_engine()
    data = bytearray(database.read_bytes())
    page = struct.unpack(">H", data[16:18])[0]
    if damage == "header":
        data[:100] = b"\xa5" * 100  # "file is not a database"
    else:
        data[page:] = b"\xa5" * (len(data) - page)  # every page but the schema's: "malformed"
    database.write_bytes(bytes(data))
    result = run_cli(["draft", "add", "Offre", "-p", "facebook", "--at", "2031-01-10 10:00", "--as", "Marie"], env)
    assert result.returncode == 3 and "Traceback" not in result.stderr, result.stderr
    assert f"La base de données SQLite {database} est endommagée" in result.stderr
    assert database.read_bytes() == bytes(data)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["signoff", "remind", "--after", str(2**63)], "Valeur invalide pour --after."),
        (["consent", "list", "--expiring-within", "999999999"], "Écrivez un nombre de jours, au plus 3660"),
    ],
    ids=["remind-after", "expiring-within"],
)
def test_a_huge_duration_is_refused(env: dict[str, str], args: list[str], expected: str) -> None:
    """Found by the fuzz test (test_fuzz_cli.py): both overflowed the date they were subtracted from."""
    make_org()
    refused(env, args, expected)
