"""`balise init`: a guided first setup (organization, first administrator, secret key)."""

from __future__ import annotations

import re
import secrets
import sys
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote, urlparse

import typer

from balise.cli import output
from balise.cli.help_lang import help_text
from balise.errors import BaliseError, InvalidInput
from balise.i18n import t

if TYPE_CHECKING:
    from balise.config import AccountOwner

YES = ("o", "oui", "y", "yes")
SMTPS_PORT = 465  # implicit TLS; any other port starts in clear and upgrades with STARTTLS


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "organisme"


def _store_secret_key() -> None:
    """Generate BALISE_SECRET_KEY once, in the config file (never in the database)."""
    from balise.config import get_settings, store_settings

    if not get_settings().secret_key:
        store_settings({"secret_key": secrets.token_urlsafe(32)})


def _asked(key: str, **params: str) -> str:
    """An optional answer: Enter alone skips it."""
    return str(typer.prompt(t(key, **params), default="", show_default=False)).strip()


def _mail_questions(admin_email: str) -> dict[str, str]:
    """Email approval's settings, asked one by one, each skippable: the sending server (its
    password typed unseen), the sender, and the address people reach `balise serve` at."""
    output.console.print(t("cli.init_mail_intro"))
    answers: dict[str, str] = {}
    server = _asked("cli.init_smtp_server")
    if server:
        user = _asked("cli.init_smtp_user")
        password = typer.prompt(t("cli.init_smtp_password"), default="", show_default=False, hide_input=True)
        host, _, port = server.partition(":")
        scheme = "smtps" if port == str(SMTPS_PORT) else "smtp"
        login = f"{quote(user, safe='')}:{quote(password, safe='')}@" if user else ""
        answers["smtp_url"] = f"{scheme}://{login}{host}" + (f":{port}" if port else "")
        answers["mail_from"] = _asked("cli.init_mail_from", email=admin_email) or admin_email
    public = _asked("cli.init_public_url")
    if public:
        answers["public_url"] = public
    return answers


def _checked_mail(values: dict[str, str]) -> dict[str, str]:
    """The email settings as given, or `InvalidInput` naming the wrong one, before anything is written."""
    if not _is_url(values.get("smtp_url", "smtp://ok"), ("smtp", "smtps")):
        raise InvalidInput("cli.init_bad_smtp")
    if "mail_from" in values and "@" not in values["mail_from"]:
        raise InvalidInput("cli.init_bad_mail_from", value=values["mail_from"])
    if "public_url" in values and not _is_url(values["public_url"], ("http", "https")):
        raise InvalidInput("cli.init_bad_public_url", value=values["public_url"])
    return values


def _is_url(text: str, schemes: tuple[str, ...]) -> bool:
    """Whether `text` is an address of one of `schemes` with a host (and a numeric port, if any)."""
    try:
        url = urlparse(text)
        url.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:  # a malformed host ("[") or port
        return False
    return url.scheme in schemes and bool(url.hostname)


def _offer(question: str, connect: Callable[[], None], later: str) -> None:
    """Connect an account now if the person says so; a refusal is said, and how to do it later."""
    answer = typer.prompt(t(question), default=t("cli.init_no"))
    if answer.strip().lower() not in YES:
        return
    try:
        connect()
    except BaliseError as exc:
        output.warn(exc.message())
        output.console.print(t("cli.init_connect_later", command=later))


def _another_wanted(existing: str, slug: str) -> bool:
    """Whether to create one more organization beside `existing`: asked at a terminal (default
    no); a script that means it says `--new-org`, else it is refused, nothing written."""
    if not sys.stdin.isatty():
        raise InvalidInput("cli.init_exists", name=existing, slug=slug)
    answer = typer.prompt(t("cli.init_another", name=existing), default=t("cli.init_no"))
    return answer.strip().lower() in YES


def init_command(
    name: Annotated[str | None, typer.Option("--name", help=help_text("init.name"))] = None,
    admin: Annotated[str | None, typer.Option("--admin", help=help_text("init.admin"))] = None,
    email: Annotated[str | None, typer.Option("--email", help=help_text("init.email"))] = None,
    timezone: Annotated[str | None, typer.Option("--timezone", help=help_text("init.timezone"))] = None,
    new_org: Annotated[bool, typer.Option("--new-org", help=help_text("init.new_org"))] = False,
    smtp_url: Annotated[
        str | None,
        typer.Option("--smtp-url", help=help_text("init.smtp_url")),
    ] = None,
    mail_from: Annotated[str | None, typer.Option("--mail-from", help=help_text("init.mail_from"))] = None,
    public_url: Annotated[str | None, typer.Option("--public-url", help=help_text("init.public_url"))] = None,
) -> None:
    from balise.config import config_path, get_settings, store_settings
    from balise.db import read_scope, session_scope
    from balise.organizations import account_owner, add_member, create_organization, own_organization

    with read_scope() as session:
        existing = own_organization(session)
        first = (existing.name, existing.slug) if existing else None
    if first and not new_org and not _another_wanted(*first):
        output.console.print(t("cli.init_kept", name=first[0]))
        return
    settings = get_settings()
    asking = admin is None  # the guided setup; a script gives --admin and gets no question
    name = (name or typer.prompt(t("cli.init_name"))).strip()
    if not name:
        raise InvalidInput("cli.init_empty_name")
    zone = timezone or (typer.prompt(t("cli.init_zone"), default=settings.timezone) if asking else settings.timezone)
    admin = admin or typer.prompt(t("cli.init_admin"))
    email = email or typer.prompt(t("cli.init_email"))
    from balise.timeparse import known_zone

    if known_zone(zone) is None:
        raise InvalidInput("cli.init_bad_zone", zone=zone)
    given = {"smtp_url": smtp_url, "mail_from": mail_from, "public_url": public_url}
    mail = _checked_mail(_mail_questions(email) if asking else {k: v for k, v in given.items() if v})
    with session_scope() as session:
        org = create_organization(session, slug=_slug(name), name=name, timezone=zone)
        add_member(session, org, name=admin, email=email, role="admin", actor=admin)
        slug = org.slug
        owner = account_owner(session, org)
    _store_secret_key()
    if mail:
        store_settings(mail)
    output.ok(t("cli.init_done", name=name, admin=admin, config=config_path()))
    if asking:
        _offer_accounts(owner)
    if first:
        output.console.print(t("cli.init_next_other", default=first[0], name=name, slug=slug))
    else:
        output.console.print(t("cli.init_next", admin=admin))


def _offer_accounts(owner: AccountOwner) -> None:
    """`accounts connect facebook` and `accounts connect x`, offered for the organization just made."""
    from balise.cli.accounts import connect_facebook, connect_x

    _offer("cli.init_offer_facebook", lambda: connect_facebook(owner, None, None), "balise accounts connect facebook")
    _offer("cli.init_offer_x", lambda: connect_x(owner, None), "balise accounts connect x")
