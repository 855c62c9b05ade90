"""`balise check`: the compliance gate offline, without database or queue."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer
from rich.markup import escape

from balise.cli import output
from balise.cli.help_lang import help_text
from balise.errors import InvalidInput, PolicyError
from balise.i18n import t
from balise.platforms import PUBLIC, SPELLED

if TYPE_CHECKING:
    from balise.compliance import Policy, Verdict
    from balise.compliance.photo_rules import PhotoFacts

_COLOURS = {"approved": "green", "needs_review": "yellow", "rejected": "red"}

PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        help=help_text("check.policy"),
        show_default=False,
    ),
]


def read_policy(path: Path | None) -> Policy:
    """ROEQ's policy, merged with the organization's file when one is given."""
    from balise.compliance import load_policy

    return load_policy(None if path is None else read_policy_text(path))


def read_policy_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError("compliance.policy_file_unreadable", path=path, detail=exc) from exc


def check_command(
    text: Annotated[str | None, typer.Option("--text", "-t", help=help_text("check.text"), show_default=False)] = None,
    jsonl: Annotated[
        str | None,
        typer.Option(
            "--jsonl",
            help=help_text("check.jsonl"),
            show_default=False,
        ),
    ] = None,
    platform: Annotated[
        list[str] | None,
        typer.Option(
            "--platform",
            "-p",
            help=help_text("check.platform", platforms=SPELLED, public=", ".join(PUBLIC)),
            show_default=False,
        ),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            "-c",
            help=help_text("check.category"),
            show_default=False,
        ),
    ] = None,
    policy: PolicyOption = None,
) -> None:
    from balise.compliance import Draft
    from balise.compliance.gate import check_draft
    from balise.compliance.rules import is_empty

    if (text is None) == (jsonl is None):
        raise InvalidInput("compliance.need_one_input")
    effective = read_policy(policy)
    if jsonl is not None:
        _check_jsonl(jsonl, effective)
        return
    assert text is not None
    if is_empty(text):
        raise InvalidInput("compliance.empty")
    platforms = tuple(platform) if platform else PUBLIC
    _show(text, check_draft(Draft(text, platforms, category), effective))


def _check_jsonl(source: str, policy: Policy) -> None:
    if source == "-":
        _write_verdicts(sys.stdin.buffer, policy)
        return
    try:
        with open(source, "rb") as stream:
            _write_verdicts(stream, policy)
    except OSError as exc:
        raise InvalidInput("compliance.jsonl_unreadable", path=source, detail=exc.strerror or exc) from exc


def _write_verdicts(stream: BinaryIO, policy: Policy) -> None:
    from balise.compliance.batch import check_lines

    write = sys.stdout.write
    for result in check_lines(stream, policy, _registry_photos):
        write(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _registry_photos(entries: list[tuple[str, list[str]]]) -> tuple[PhotoFacts, ...]:
    """Only lines with photos open the database: a text-only check stays fast and offline."""
    from balise.cli.common import org_session
    from balise.consent import declared_photos
    from balise.models import utcnow

    with org_session() as (session, org):
        return declared_photos(session, org, entries, utcnow())


def _show(text: str, verdict: Verdict) -> None:
    """The verdict for a person: coloured, each reason with the passage it is about."""
    colour = _COLOURS[verdict.verdict]
    console = output.console
    console.print(f"[bold {colour}]{t('compliance.verdict_' + verdict.verdict)}[/bold {colour}]")
    if verdict.topics:
        console.print(
            t("labels.labelled", label=t("compliance.topics_label"), value=", ".join(verdict.topics)), soft_wrap=True
        )
    if not verdict.reasons:
        console.print(t("compliance.no_reason"))
    for reason in verdict.reasons:
        severity = _COLOURS.get(reason.severity, "white")
        console.print(
            f"\n[bold {severity}]{reason.code}[/bold {severity}] — {escape(reason.message)}",
            soft_wrap=True,
        )
        if reason.span is not None:
            start, end = reason.span
            before, passage, after = (
                text[max(start - 30, 0) : start],
                text[start:end],
                text[end : end + 30],
            )
            excerpt = f"…{escape(before)}[reverse]{escape(passage)}[/reverse]{escape(after)}…"
            console.print("  " + t("labels.quoted", text=excerpt), soft_wrap=True)
        clause = t("labels.labelled", label=t("compliance.clause_label"), value=escape(reason.clause))
        console.print(f"  [dim]{clause}[/dim]", soft_wrap=True)
        if reason.suggestion:
            console.print(
                "  "
                + t(
                    "labels.labelled",
                    label=f"[cyan]{t('compliance.suggestion_label')}[/cyan]",
                    value=escape(reason.suggestion),
                ),
                soft_wrap=True,
            )
