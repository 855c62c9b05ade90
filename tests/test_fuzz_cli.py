"""Property-based fuzzing of every command and of the CSV importer (issue 17).

Arguments are generated from each command's declared parameters (the Typer command tree),
mixing values that look right with hostile ones. Whatever the input: no traceback; a non-zero
exit says what was wrong in French; and a refused command leaves every table and the audit
chain as it found them. The CLI runs in-process (`main.main` inside typer's CliRunner isolation)
so a few hundred examples take well under a minute.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from balise.cli.main import app
from balise.consent import add_person
from balise.db import session_scope
from balise.models import Organization
from tests.helpers import NO_QUIET_HOURS, make_org, make_post, run_in_process, snapshot

# `serve` and `worker` run until stopped; `demo` builds its own organization for a minute.
LONG_RUNNING = {"serve", "worker", "demo"}
# Their exit code is a finding (an account that fails its check, a stalled queue), not a refusal.
VERDICTS = {"status", "accounts check"}
# English that would mean a message escaped the translation (Click's and Python's own words).
ENGLISH = ("Traceback", "Usage:", "Error:", "Try '", "Warning", "Invalid value")
EXAMPLES = 100  # per database backend; the CSV importer has its own 30


@cache
def commands() -> list[tuple[tuple[str, ...], Any]]:
    """Every leaf command of `balise` with its path (`("draft", "add")`), from the Typer tree."""
    found: list[tuple[tuple[str, ...], Any]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        children = getattr(command, "commands", None)
        if not children:
            found.append((path, command))
            return
        for name, child in sorted(children.items()):
            walk(child, (*path, name))

    walk(typer.main.get_command(app), ())
    return [(path, command) for path, command in found if path[0] not in LONG_RUNNING]


def base_type(param: Any) -> type:
    """`str`, `int`, `float`, `bool` or `Path`, through `list[...]` and `... | None`."""
    annotation = param.type_descriptor.annotation
    while typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return typing.cast(type, annotation)


@dataclass(frozen=True)
class Files:
    """Files the generated arguments point at, good and hostile."""

    good: dict[str, str]
    hostile: list[str]


def make_files(folder: Path) -> Files:
    folder.mkdir()
    photo = folder / "atelier.jpg"
    Image.new("RGB", (40, 30), (200, 120, 40)).save(photo)
    header = "date,time,platforms,text\n"
    writes = {
        "calendrier.csv": f"{header}2031-02-03,10:00,facebook,Atelier pour les parents\n",
        "nul.csv": f"{header}2031-02-03,10:00,facebook,Ate\x00lier\n",
        "immense.csv": f'{header}2031-02-03,10:00,facebook,"{"a" * 140_000}"\n',
        "guillemet.csv": f'{header}2031-02-03,10:00,facebook,"Atelier\n',
        "balises.toml": NO_QUIET_HOURS,
        "brouillons.jsonl": '{"id": 1, "text": "Offre d\'emploi", "platforms": ["x"]}\n',
        "formulaire.pdf": "%PDF-1.4\n",
    }
    for name, text in writes.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "latin1.csv").write_bytes(f"{header}2031-02-03,10:00,facebook,Activité\n".encode("latin-1"))
    good = {
        "csv": str(folder / "calendrier.csv"),
        "photo": str(photo),
        "toml": str(folder / "balises.toml"),
        "jsonl": str(folder / "brouillons.jsonl"),
        "pdf": str(folder / "formulaire.pdf"),
        "out": str(folder / "sortie"),
    }
    hostile = [str(folder), str(folder / "nulle/part.csv"), str(folder / "nul.csv"), str(folder / "immense.csv")]
    hostile += [str(folder / "guillemet.csv"), str(folder / "latin1.csv"), str(folder / "sortie/x/y")]
    return Files(good, hostile)


HOSTILE = [
    "", " ", "\x00", "Of\x00fre", "\udcff", "Offre \udcff", "-1", "0", "1", str(2**31), str(2**63), str(2**64),
    "9" * 40, "1e308", "inf", "nan", "9999-12-31 23:59", "9999-12-31", "0001-01-01T00:00+05:00", "x" * 10_000,
    "../../etc/passwd", "--", "%s {0} {}", "été 😀", "DROP TABLE post;",
]  # fmt: skip


def good_values(param: Any, files: Files, post_ids: list[str]) -> list[str]:
    """Values that look like what a person would type for this parameter."""
    kind = base_type(param)
    by_name = {
        "post_id": post_ids,
        "at": ["2031-01-10 10:00", "maintenant", "2031-01-10T10:00-05:00"],
        "first": ["2026-04-01"],
        "last": ["2027-03-31"],
        "until": ["2031-06-30"],
        "as_": ["Marie", "Julie"],
        "platform": ["facebook", "x", "twitter", "sandbox"],
        "email": ["luc@exemple.org"],
        "guardian_email": ["anne@exemple.org"],
        "role": ["author", "approver", "admin"],
        "name": ["Luc Roy", "ESPACE Test"],
        "admin": ["Julie"],
        "person": ["Léa Côté"],
        "guardian": ["Anne Côté"],
        "topic": ["emploi"],
        "category": ["emploi"],
        "state": ["pending_check", "scheduled"],
        "link": ["https://exemple.org/offre"],
        "published": ["https://www.facebook.com/123_456"],
        "timezone": ["America/Toronto"],
        "expiring_within": ["30d", "30"],
        "after": ["48"],
        "weeks": ["4"],
        "photo": ["1"] if kind is int else [files.good["photo"]],
        "file": [files.good["csv"], files.good["toml"]],
        "jsonl": [files.good["jsonl"]],
        "policy": [files.good["toml"]],
        "evidence": [files.good["pdf"]],
        "output_path": [files.good["out"] + ".html"],
        "csv_path": [files.good["out"] + ".csv"],
    }
    if param.name in by_name:
        return by_name[param.name]
    if kind in (int, float):
        return ["1", "4"]
    return ["Offre d'emploi : animatrice recherchée", "Atelier pour les parents"]


def value(param: Any, files: Files, post_ids: list[str]) -> st.SearchStrategy[str]:
    """A good value, a hostile one or any short text, which never starts at the root: commands
    write where they are told (`report --output`), as whoever runs the tests."""
    hostile = HOSTILE + files.hostile if base_type(param) is Path else HOSTILE
    return st.one_of(
        st.sampled_from(good_values(param, files, post_ids)),
        st.sampled_from(hostile),
        st.text(max_size=12).map(lambda text: text.lstrip("/")),
    )


@st.composite
def invocations(draw: st.DrawFn, files: Files, post_ids: list[str]) -> tuple[str, list[str]]:
    """The command's name and `balise [--org ORG] COMMAND ARGS...`: every required parameter,
    some optional ones."""
    path, command = draw(st.sampled_from(commands()))
    args: list[str] = []
    if draw(st.integers(0, 9)) == 0:
        args += ["--org", draw(st.sampled_from(["espace-test", "inconnu", "\udcff"]))]
    args += path
    for param in command.params:
        if param.name == "help" or (not param.required and not draw(st.booleans())):
            continue
        if param.param_type_name == "argument":
            args.append(draw(value(param, files, post_ids)))
        elif getattr(param, "is_flag", False):
            args.append(param.opts[0])
        else:
            for _ in range(draw(st.integers(1, 2)) if param.multiple else 1):
                args += [draw(st.sampled_from(param.opts)), draw(value(param, files, post_ids))]
    return " ".join(path), args


def check(name: str, args: list[str]) -> None:
    """The property: no traceback; a refusal is French and changes nothing."""
    before = snapshot()
    outcome = run_in_process(args)  # an exception escaping `main` fails the test with its traceback
    shown = outcome.stdout + outcome.stderr
    assert not any(word in shown for word in ENGLISH), shown
    if outcome.code == 0:
        return
    assert name in VERDICTS or "Erreur :" in outcome.stderr, shown
    if "Erreur :" in outcome.stderr:
        assert snapshot() == before, shown


@pytest.fixture
def fuzz_setup(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Files, list[str]]]:
    """An organization with members, a registered person and two posts; files to point at; and a
    working folder deep inside `tmp_path`, so a relative path, even "../../etc/passwd" or twelve
    characters of "../", stays in it."""
    sandbox = tmp_path / "a" / "b" / "c" / "d" / "e" / "f"
    sandbox.mkdir(parents=True)
    monkeypatch.chdir(sandbox)
    org_id, author_id, _ = make_org()
    with session_scope() as session:
        org = session.get(Organization, org_id)
        assert org is not None
        add_person(session, org, name="Léa Côté", minor=False, guardian=None, guardian_email=None, actor="test")
    post_ids = [str(make_post(org_id, author_id)), str(make_post(org_id, author_id, in_minutes=600))]
    yield make_files(tmp_path / "fichiers"), post_ids


SETTINGS = settings(
    deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def test_no_command_argument_ends_in_a_traceback_or_a_half_written_refusal(
    fuzz_setup: tuple[Files, list[str]],
) -> None:
    files, post_ids = fuzz_setup

    @settings(SETTINGS, max_examples=EXAMPLES)
    @given(invocations(files, post_ids))
    def property_(invocation: tuple[str, list[str]]) -> None:
        check(*invocation)

    property_()


CELLS = st.one_of(
    st.sampled_from(["2031-02-03", "10:00", "10 h 30", "facebook", "x;facebook", "Atelier pour les parents", "emploi"]),
    st.sampled_from(HOSTILE),
    st.text(max_size=20),
)


def test_no_csv_file_ends_in_a_traceback_or_a_half_written_import(fuzz_setup: tuple[Files, list[str]]) -> None:
    files, _ = fuzz_setup
    target = Path(files.good["csv"]).with_name("fuzz.csv")

    @settings(SETTINGS, max_examples=30)
    @given(
        header=st.one_of(st.just("date,time,platforms,text,photos,people,topic"), st.text(max_size=30)),
        rows=st.lists(st.lists(CELLS, min_size=1, max_size=8), max_size=4),
        separator=st.sampled_from([",", ";"]),
    )
    def property_(header: str, rows: list[list[str]], separator: str) -> None:
        lines = [header.replace(",", separator)] + [separator.join(cells) for cells in rows]
        target.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape"))
        check("import", ["import", str(target), "--as", "Marie"])

    property_()


def test_the_fuzzer_reaches_every_command() -> None:
    """A command added later is fuzzed too: the list comes from the command tree itself."""
    names = {" ".join(path) for path, _ in commands()}
    assert {"draft add", "import", "report", "approve", "consent grant", "calendar show"} <= names
    assert not names & LONG_RUNNING
