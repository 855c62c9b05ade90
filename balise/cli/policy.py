"""`balise policy show | check`: read the effective policy, validate an organization's file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from balise.cli import output
from balise.cli.check import PolicyOption, read_policy, read_policy_text
from balise.cli.common import AsOption, acting_member, org_session
from balise.cli.help_lang import help_text
from balise.i18n import t

if TYPE_CHECKING:
    from balise.compliance.policy import Policy

app = typer.Typer(help=help_text("policy.help"), no_args_is_help=True)


@app.command("show", help=help_text("policy.show.help"))
def show(policy: PolicyOption = None) -> None:
    effective = read_policy(policy) if policy is not None else _installed()
    print(f"# {effective.version}")
    print(effective.to_toml())


@app.command("check", help=help_text("policy.check.help"))
def check(
    file: Annotated[Path, typer.Argument(help=help_text("policy.check.file"), show_default=False)],
) -> None:
    effective = read_policy(file)
    output.ok(t("compliance.policy_ok", path=file, version=effective.version))


def _installed() -> Policy:
    """The organization's installed policy; ROEQ's alone when balise has no organization yet."""
    from balise.compliance import load_policy
    from balise.errors import NotFound

    try:
        with org_session() as (_, org):
            return load_policy(org.policy_override)
    except NotFound:
        return load_policy()


@app.command("set", help=help_text("policy.set.help"))
def set_(
    file: Annotated[Path, typer.Argument(help=help_text("policy.set.file"), show_default=False)],
    as_: AsOption = None,
) -> None:
    from balise.organizations import set_policy

    text = read_policy_text(file)
    with org_session() as (session, org):
        version = set_policy(session, org, acting_member(session, org, as_), text)
    output.ok(t("compliance.policy_set", path=file, version=version))


@app.command("clear", help=help_text("policy.clear.help"))
def clear(as_: AsOption = None) -> None:
    from balise.organizations import set_policy

    with org_session() as (session, org):
        version = set_policy(session, org, acting_member(session, org, as_), None)
    output.ok(t("compliance.policy_cleared", version=version))
