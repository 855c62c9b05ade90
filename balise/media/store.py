"""The media store: every file balise keeps of a person's media (photos, signed consent forms,
the copies sent to platforms) is written here, once, under a name derived from its content.

A stored file's name is the SHA-256 of its bytes (an upload copy's, of its source and how it was
made), so the path a person gave is not trusted after it was copied in, the same file is kept
once, and a file found under its name is complete: it is written to a unique temporary name
beside it, created 0600, synced to disk, then renamed (`private.write_private`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from balise.errors import InvalidInput
from balise.private import write_private

# Pillow's format name -> the MIME type a platform or a mail is told: the formats balise keeps and sends.
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


@dataclass(frozen=True)
class Kept:
    sha256: str
    path: Path


def read(source: Path, unreadable: str) -> bytes:
    """The bytes of a file a person named; `InvalidInput(unreadable)` says why it cannot be read."""
    try:
        return source.read_bytes()
    except OSError as exc:
        raise InvalidInput(unreadable, path=source, detail=exc.strerror or str(exc)) from exc


def keep(data: bytes, folder: Path, suffix: str) -> Kept:
    """`data` kept in `folder` under its SHA-256; written only if not there yet."""
    digest = hashlib.sha256(data).hexdigest()
    return Kept(digest, keep_made(digest, folder, suffix, lambda: data))


def keep_made(source_sha256: str, folder: Path, suffix: str, make: Callable[[], bytes]) -> Path:
    """A file made from the content `source_sha256` names (`suffix` says how it was made), kept
    under that name: `make` runs only when it is not there yet."""
    target = folder / source_sha256[:2] / f"{source_sha256}{suffix}"  # 256 folders: none grows too large
    if not target.exists():
        write_private(target, make(), durable=True)
    return target
