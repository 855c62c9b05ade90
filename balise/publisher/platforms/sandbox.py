"""The sandbox platform: each publication becomes a JSON file in the data directory's outbox.

It is a real adapter behind the same interface as Facebook and X, so the whole pipeline
runs with no account (demo, tests, a new organization trying balise).
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from balise.config import OrganizationAccounts, Settings
from balise.errors import Permanent
from balise.private import private_dir, write_private
from balise.publisher.base import (
    AccountMetrics,
    CommentThread,
    CredentialReport,
    PostMetrics,
    Publication,
    RemotePost,
)


class SandboxPlatform:
    name = "sandbox"

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    @classmethod
    def from_accounts(cls, accounts: OrganizationAccounts, settings: Settings) -> SandboxPlatform:
        """Every organization may use the sandbox: it needs no account."""
        return cls(settings.data_path / "outbox")

    def _posts(self) -> list[dict[str, object]]:
        if not self.outbox.is_dir():
            return []
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.outbox.glob("*.json"))]

    def publish(self, publication: Publication) -> RemotePost:
        remote_id = uuid.uuid4().hex[:16]
        record = {
            "id": remote_id,
            "target_id": publication.target_id,
            "post_id": publication.post_id,
            "text": publication.text,
            "link": publication.link,
            "photos": [p.sha256 for p in publication.photos],
            "created_time": datetime.now(UTC).isoformat(),
        }
        write_private(self.outbox / f"{remote_id}.json", json.dumps(record, ensure_ascii=False, indent=2).encode())
        return RemotePost(remote_id, (self.outbox / f"{remote_id}.json").as_uri())

    def find(self, publication: Publication) -> RemotePost | None:
        for record in self._posts():
            if record["target_id"] == publication.target_id:
                remote_id = str(record["id"])
                return RemotePost(remote_id, (self.outbox / f"{remote_id}.json").as_uri())
        return None

    def delete(self, remote_id: str) -> None:
        path = self.outbox / f"{remote_id}.json"
        if path.exists():
            deleted = self.outbox / "deleted"
            private_dir(deleted)
            os.replace(path, deleted / path.name)

    def account_metrics(self) -> AccountMetrics:
        return AccountMetrics(followers=None, likes=None, notes=("sandbox",))

    def post_metrics(self, remote_id: str) -> PostMetrics:
        return PostMetrics(notes=("sandbox",))

    def check_credentials(self) -> CredentialReport:
        return CredentialReport(platform=self.name, ok=True, account=str(self.outbox))

    def comments(self, remote_id: str) -> CommentThread:
        return CommentThread(())  # nobody comments in the sandbox

    def hide_comment(self, remote_id: str, hidden: bool) -> None:
        raise Permanent("publisher.comment_gone", platform=self.name, name="sandbox")

    def delete_comment(self, remote_id: str) -> None:
        raise Permanent("publisher.comment_gone", platform=self.name, name="sandbox")

    def reply_comment(self, remote_id: str, text: str) -> str:
        raise Permanent("publisher.comment_gone", platform=self.name, name="sandbox")


ADAPTER = SandboxPlatform  # what `publisher.registry` builds for "sandbox"
