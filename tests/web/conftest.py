"""The email channel for real: an SMTP server (aiosmtpd) that receives what balise sends, and the
approval app served by uvicorn on a free port of 127.0.0.1, reached over HTTP."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from PIL import Image
from sqlmodel import func, select

from balise.config import get_settings, reset_settings
from balise.db import session_scope
from balise.mail.outbox import queue_waiting
from balise.models import Approval, AuditEvent, Member, Organization, Post, UsedToken, utcnow
from balise.organizations import add_member
from balise.pipeline.draft import DraftInput, create_post
from balise.queue.queues import COMPLIANCE, MAIL, enqueue_check
from balise.queue.worker import run_worker
from balise.web.server import make_server
from tests.helpers import make_org
from tests.smtp import Mailbox, free_port

JOB_OFFER = (
    "Offre d'emploi : ESPACE recrute une animatrice pour ses ateliers de prévention. Postulez avant le 15 janvier."
)
SECRET = "clé-de-test-qui-signe-les-liens"


@pytest.fixture
def web(env: dict[str, str], mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`balise serve` in a thread, with SMTP and the public URL pointing at the test's servers."""
    port = free_port()
    values = {
        "BALISE_SECRET_KEY": SECRET,
        "BALISE_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "BALISE_MAIL_FROM": "balise@espace-test.org",
        "BALISE_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    env.update(values)  # for `run_cli`
    reset_settings()
    server = make_server("127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield values["BALISE_PUBLIC_URL"]
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def access_log() -> Iterator[list[str]]:
    """The lines `balise serve` writes to its access log during the test."""
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    yield lines
    access.removeHandler(handler)


@dataclass(frozen=True)
class Team:
    org_id: int
    author_id: int  # Marie, author
    approver_id: int  # Julie, approver
    admin_id: int  # Chantal, admin


def make_team(required_signoffs: int = 1) -> Team:
    org_id, author_id, approver_id = make_org()
    with session_scope() as session:
        org = session.get(Organization, org_id)
        assert org
        org.required_signoffs = required_signoffs
        session.add(org)
        admin = add_member(session, org, name="Chantal", email="chantal@exemple.org", role="admin", actor="test")
        assert admin.id
        return Team(org_id, author_id, approver_id, admin.id)


def awaiting_draft(
    team: Team, *, author_id: int | None = None, text: str = JOB_OFFER, link: str | None = None,
    photos: tuple[Path, ...] = (), in_minutes: int = 60,
) -> int:  # fmt: skip
    """A draft through the real compliance worker, now awaiting sign-off (and announced by mail)."""
    with session_scope() as session:
        org = session.get(Organization, team.org_id)
        author = session.get(Member, author_id or team.author_id)
        assert org and author
        draft = DraftInput(
            text=text, platforms=("sandbox", "x"), scheduled_at=utcnow() + timedelta(minutes=in_minutes), link=link,
            photos=photos,
        )  # fmt: skip
        post = create_post(session, org, author, draft, get_settings().data_path / "media")
        assert post.id
        post_id = post.id
    enqueue_check(post_id, 1)
    run_worker([COMPLIANCE, MAIL], burst=True, with_scheduler=False)
    assert state(post_id) == "awaiting_signoff"
    return post_id


def deliver() -> None:
    """After a step committed: queue its notices (as every caller of a step does) and let a real
    worker of the mail queue send them."""
    queue_waiting()
    run_worker([MAIL], burst=True, with_scheduler=False)


def make_photo(path: Path) -> Path:
    Image.new("RGB", (60, 40), "orange").save(path)
    return path


def state(post_id: int) -> str:
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        return post.state


def footprint(post_id: int) -> tuple[object, ...]:
    """Everything a decision would change: state, version, approvals, spent links, audit events."""
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        counts = [
            session.exec(select(func.count()).select_from(table)).one() for table in (Approval, UsedToken, AuditEvent)
        ]
        return post.state, post.version, post.content_hash, *counts


def open_page(browser: requests.Session, url: str) -> tuple[requests.Response, str]:
    """GET a decision page as a browser does; the page and the CSRF token of its form."""
    page = browser.get(url, timeout=10)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    return page, found.group(1) if found else ""


def click(browser: requests.Session, url: str, **fields: str) -> requests.Response:
    """GET the page, then POST its form with `fields`, as a person clicking the button."""
    _, csrf = open_page(browser, url)
    return browser.post(url, data={"csrf": csrf, **fields}, timeout=10, allow_redirects=False)


def audit_channels(post_id: int) -> list[tuple[str, str | None, str]]:
    with session_scope() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.post_id == post_id).order_by(AuditEvent.id))  # type: ignore[arg-type]
        return [(e.action, e.to_state, e.channel) for e in events]
