"""An organization with a post published on the fake Facebook Page and the fake X account, mail
going to a real SMTP server: what the comment tests start from."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import select

from balise.config import reset_settings
from balise.db import session_scope
from balise.models import Comment, Organization
from balise.queue.queues import PUBLISH, enqueue_publish
from balise.queue.worker import run_worker
from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.fixtures import FakeAccount
from tests.fakes.x_server import FakeX
from tests.helpers import gate, make_org, make_post, targets_by_platform
from tests.smtp import Mailbox
from tests.test_pipeline import _sign

PHONE = "450 555-1234"
JOB_OFFER = "Offre d'emploi : animatrice recherchée pour nos ateliers dans les écoles primaires."


@dataclass(frozen=True)
class Published:
    org_id: int
    author_id: int
    approver_id: int
    post_id: int
    facebook: FakeFacebook
    x: FakeX
    remote: dict[str, str]  # platform -> the post's id there


@pytest.fixture
def published(
    env: dict[str, str], mailbox: Mailbox, fake_facebook: FakeFacebook, fake_x: FakeX, monkeypatch: pytest.MonkeyPatch
) -> Published:
    values = {
        **FakeAccount("facebook", fake_facebook).env(),
        **FakeAccount("x", fake_x).env(),
        "BALISE_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "BALISE_MAIL_FROM": "balise@espace-test.org",
        "BALISE_SECRET_KEY": "clé-de-test-des-commentaires",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    env.update(values)
    reset_settings()
    org_id, author_id, approver_id = make_org()
    with session_scope() as session:
        org = session.get(Organization, org_id)
        assert org
        org.phone = PHONE
    post_id = make_post(org_id, author_id, text=JOB_OFFER, platforms=("facebook", "x"))
    gate(post_id)
    for target_id in _sign(post_id, approver_id):
        enqueue_publish(target_id, 0)
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    remote = {name: target.remote_id or "" for name, target in targets_by_platform(post_id).items()}
    assert all(remote.values()), remote
    return Published(org_id, author_id, approver_id, post_id, fake_facebook, fake_x, remote)


def stored() -> dict[str, Comment]:
    """Every stored comment by its text."""
    with session_scope() as session:
        return {c.text: c for c in session.exec(select(Comment))}
