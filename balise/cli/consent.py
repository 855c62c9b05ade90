"""`balise consent`: record, withdraw and list photo consents; the expiry sweep for cron."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balise.cli import output
from balise.cli.common import AsOption, JsonOption, acting_member, after_commit, org_session
from balise.cli.help_lang import help_text
from balise.i18n import t
from balise.platforms import SPELLED

if TYPE_CHECKING:
    from balise.pipeline.consent import Consequences

app = typer.Typer(help=help_text("consent.help"), no_args_is_help=True)


@app.command("grant", help=help_text("consent.grant.help"))
def grant(
    person: Annotated[str, typer.Argument(help=help_text("consent.grant.person"))],
    platform: Annotated[
        list[str], typer.Option("--platform", "-p", help=help_text("consent.grant.platform", platforms=SPELLED))
    ],
    until: Annotated[str | None, typer.Option("--until", help=help_text("consent.grant.until"))] = None,
    evidence: Annotated[Path | None, typer.Option("--evidence", help=help_text("consent.grant.evidence"))] = None,
    by_guardian: Annotated[bool, typer.Option("--by-guardian", help=help_text("consent.grant.by_guardian"))] = False,
    as_: AsOption = None,
) -> None:
    from balise.consent import grant as record
    from balise.consent import last_day, parse_until
    from balise.media.evidence import evidence_folder
    from balise.models import Person
    from balise.organizations import org_zone
    from balise.timeparse import local_day

    with org_session() as (session, org):
        member = acting_member(session, org, as_)
        zone = org_zone(org)
        when = parse_until(until, zone) if until else None
        consent = record(
            session, org, person, platforms=platform, until=when, by_guardian=by_guardian, evidence=evidence,
            evidence_dir=evidence_folder(), actor=member.name,
        )  # fmt: skip
        shown = session.get(Person, consent.person_id)
        minor = shown is not None and shown.is_minor
        ends = t("consent.until_date", date=local_day(last_day(when, zone))) if when else t("consent.until_none")
    output.ok(t("consent.granted", name=person, platforms=", ".join(consent.platforms), until=ends))
    if consent.evidence_sha256:
        output.console.print(t("consent.evidence_kept", sha=consent.evidence_sha256[:16]))
    if minor and not by_guardian:
        output.warn(t("consent.minor_self_warning", name=person))


@app.command("revoke", help=help_text("consent.revoke.help"))
def revoke(
    person: Annotated[str, typer.Argument(help=help_text("consent.revoke.person"))],
    reason: Annotated[str | None, typer.Option("--reason", help=help_text("consent.revoke.reason"))] = None,
    as_: AsOption = None,
) -> None:
    from balise.pipeline.consent import revoke as withdraw

    with org_session() as (session, org):
        member = acting_member(session, org, as_, guarded=True)
        done = withdraw(session, org, person, reason=reason, actor=member.name)
    output.ok(t("consent.revoked", name=person))
    _follow_up(done)


@app.command("sweep", help=help_text("consent.sweep.help"))
def sweep(as_: AsOption = None) -> None:
    from balise.db import session_scope
    from balise.pipeline.consent import sweep as run

    with session_scope() as session:  # every organization of the installation, like publish-due
        done = run(session, actor=as_ or "cron")
    output.ok(t("consent.sweep_done", count=len(done.rechecks)))
    _follow_up(done)


def _follow_up(done: Consequences) -> None:
    """After the commit: the takedowns and the new checks go to their queues, the mails out."""
    after_commit(done.after)
    if done.withdrawn:
        count = len(done.after.takedowns)
        output.console.print(t("consent.revoked_takedowns", posts=len(done.withdrawn), count=count))
    if done.rechecks:
        output.console.print(t("consent.revoked_rechecks", count=len(done.rechecks)))


@app.command("list", help=help_text("consent.list.help"))
def list_(
    expiring_within: Annotated[
        str | None, typer.Option("--expiring-within", help=help_text("consent.list.expiring_within"))
    ] = None,
    json_: JsonOption = False,
) -> None:
    from datetime import date

    from balise.consent import consents, last_day, parse_days, state_of
    from balise.models import utcnow
    from balise.organizations import org_zone
    from balise.timeparse import local_day, local_iso

    within = parse_days(expiring_within) if expiring_within else None
    now = utcnow()
    with org_session() as (session, org):
        zone = org_zone(org)
        rows: list[dict[str, Any]] = [
            {
                "person": person.name,
                "platforms": c.platforms,
                "given_by": c.given_by,
                "valid_until": local_iso(c.valid_until, zone) if c.valid_until else None,
                "valid_through": last_day(c.valid_until, zone).isoformat() if c.valid_until else None,
                "revoked_at": local_iso(c.revoked_at, zone) if c.revoked_at else None,
                "state": state_of(c, now),
                "evidence_sha256": c.evidence_sha256,
            }
            for person, c in consents(session, org, within)
        ]
    if json_:
        output.print_json(rows)
        return
    if not rows:
        output.console.print(t("consent.no_consents"))
        return
    table = output.table("person", "platforms", "signed_by", "until", "state")
    for row in rows:
        through = row["valid_through"]
        table.add_row(
            row["person"], ", ".join(row["platforms"]), t(f"consent.given_{row['given_by']}"),
            local_day(date.fromisoformat(through)) if through else t("consent.until_none"),
            t(f"consent.state_{row['state']}"),
        )  # fmt: skip
    output.console.print(table)
