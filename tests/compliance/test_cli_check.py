"""`balise check` and `balise policy`: the offline contract used by authors and evaluators."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from balise.compliance import load_policy
from balise.compliance.batch import check_lines


def _balise(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    code = "from balise.cli.main import run; run()"
    return subprocess.run([sys.executable, "-c", code, *args], input=stdin, capture_output=True, timeout=60)


def _outputs(lines: list[bytes]) -> list[dict[str, object]]:
    return list(check_lines(lines, load_policy()))


def test_each_line_gets_one_object_in_input_order() -> None:
    lines = [
        json.dumps(
            {
                "id": 1,
                "text": "Joyeuse Journée nationale des enfants!",
                "platforms": ["facebook", "twitter"],
            }
        ).encode(),
        json.dumps({"id": "b", "text": "Bonne fête à notre animatrice Julie!", "platforms": ["x"]}).encode(),
        b"",
        json.dumps({"id": 3, "text": "Nous embauchons!", "category": "emploi"}).encode(),
    ]
    out = _outputs(lines)
    assert [(o["id"], o["verdict"]) for o in out] == [
        (1, "approved"),
        ("b", "rejected"),
        (3, "approved"),
    ]
    reason = out[1]["reasons"][0]  # type: ignore[index]
    assert set(reason) >= {"code", "message", "span", "clause"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"\xff\xfe{}", "UTF-8"),
        (b"{pas du json", "JSON valide"),
        (b"[1, 2, 3]", "objet JSON"),
        (b'{"id": 1}', "« text » est absent"),
        (b'{"id": 1, "text": 12}', "« text »"),
        (b'{"id": 1, "text": "Bonjour", "platforms": "myspace"}', "Plateforme inconnue"),
        (b'{"id": 1, "text": "Bonjour", "platforms": [1]}', "« platforms »"),
        (b'{"id": 1, "text": "Bonjour", "category": "recettes"}', "Catégorie inconnue"),
        (b'{"id": 1, "text": "   "}', "vide"),
        (b"[" * 100_000, "JSON valide"),
        (b'{"id": 1, "text": "Bonjour", "at": "demain soir"}', "« at »"),
        (b'{"id": 1, "text": "Bonjour", "at": "2027-01-15T10:00", "timezone": "America"}', "« timezone »"),
        (b'{"id": 1, "text": "Bonjour", "timezone": "Mars/Olympus"}', "« timezone »"),
    ],
)
def test_a_bad_line_gets_an_error_object_and_the_run_goes_on(line: bytes, expected: str) -> None:
    good = b'{"id": "ok", "text": "Joyeuse Journee nationale des enfants!"}'
    error, after = _outputs([line, good])
    assert error["verdict"] == "error"
    assert expected in str(error["message"])
    assert error["line"] == 1
    assert after["verdict"] == "approved"


def test_an_oversized_text_is_an_error_line() -> None:
    line = json.dumps({"id": 9, "text": "a" * 1_000_001}).encode()
    (error,) = _outputs([line])
    assert error["verdict"] == "error" and error["id"] == 9
    assert "trop" in str(error["message"])


def test_jsonl_from_a_file_exits_zero_even_with_rejections_and_errors(tmp_path: Path) -> None:
    source = tmp_path / "brouillons.jsonl"
    source.write_bytes(b'{"id": 1, "text": "Bonne f\xc3\xaate \xc3\xa0 notre coordo Julie!"}\nnot json\n')
    result = _balise("check", "--jsonl", str(source))
    assert result.returncode == 0, result.stderr.decode()
    verdicts = [json.loads(line)["verdict"] for line in result.stdout.decode().splitlines()]
    assert verdicts == ["rejected", "error"]


def test_jsonl_from_stdin() -> None:
    result = _balise("check", "--jsonl", "-", stdin=b'{"id": 7, "text": "Suivez notre page!"}\n')
    assert result.returncode == 0
    assert json.loads(result.stdout)["id"] == 7


def test_text_mode_prints_the_verdict_for_a_person() -> None:
    result = _balise("check", "--text", "Écris-nous en message privé si tu vis de la violence, on va t'aider.")
    assert result.returncode == 0
    out = result.stdout.decode()
    assert "Refusé" in out and "INTERVENTION" in out and "811" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("check", "--text", "   "), "Le texte est vide"),
        (("check",), "Donnez soit --text"),
        (("check", "--jsonl", "/nonexistent/file.jsonl"), "Impossible de lire"),
        (("check", "--text", "Bonjour", "--platform", "myspace"), "Plateforme inconnue"),
    ],
)
def test_bad_input_is_a_french_error_without_traceback(args: tuple[str, ...], expected: str) -> None:
    result = _balise(*args)
    assert result.returncode != 0
    assert expected in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def test_policy_check_reports_a_typo_with_its_line(tmp_path: Path) -> None:
    override = tmp_path / "balises.toml"
    override.write_text('[organization]\nphnoe = "819 555-0142"\n', encoding="utf-8")
    result = _balise("policy", "check", str(override))
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "phnoe" in err and "ligne 2" in err and "phone" in err
    assert "Traceback" not in err


def test_policy_check_accepts_a_valid_file_and_show_prints_it(tmp_path: Path) -> None:
    override = tmp_path / "balises.toml"
    override.write_text('[organization]\nphone = "819 555-0142"\n', encoding="utf-8")
    assert _balise("policy", "check", str(override)).returncode == 0
    shown = _balise("policy", "show", "--policy", str(override))
    assert shown.returncode == 0
    assert 'phone = "819 555-0142"' in shown.stdout.decode()


def test_a_line_with_its_time_is_held_inside_the_quiet_hours() -> None:
    offer = "Offre d'emploi : ESPACE recrute une animatrice."
    lines = [
        json.dumps({"id": "soir", "text": offer, "at": "2027-01-15T22:30"}).encode(),
        json.dumps({"id": "midi", "text": offer, "at": "2027-01-15T12:00"}).encode(),
        json.dumps({"id": "utc", "text": offer, "at": "2027-01-16T03:30:00+00:00"}).encode(),  # 22:30 in Toronto
        json.dumps({"id": "paris", "text": offer, "at": "2027-01-15T12:00", "timezone": "Europe/Paris"}).encode(),
        json.dumps({"id": "sans", "text": offer}).encode(),
    ]
    verdicts = {o["id"]: (o["verdict"], [r["code"] for r in o["reasons"]]) for o in _outputs(lines)}  # type: ignore[union-attr]
    assert verdicts == {
        "soir": ("needs_review", ["QUIET_HOURS"]),
        "midi": ("approved", []),
        "utc": ("needs_review", ["QUIET_HOURS"]),
        "paris": ("approved", []),
        "sans": ("approved", []),
    }
