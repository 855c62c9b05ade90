"""The media store: photos are copied in by content hash, so the original path is not trusted
after a draft is added, and the same photo is stored once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from PIL import UnidentifiedImageError

from balise.config import get_settings
from balise.errors import InvalidInput
from balise.models import Photo
from balise.photos import UploadCopy, open_photo, upload_copy
from balise.private import write_private

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
@dataclass(frozen=True)
class StoredPhoto:
    sha256: str
    path: Path
    mime: str
    original_name: str


def store_photo(source: Path, media_dir: Path) -> StoredPhoto:
    """Check `source` is a readable image of a supported format and copy it into the store."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise InvalidInput("media.unreadable", path=source, detail=exc.strerror or str(exc)) from exc
    try:
        with open_photo(source) as image:
            image.verify()
            fmt = image.format or ""
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InvalidInput("media.not_an_image", path=source) from exc
    if fmt not in FORMATS:
        raise InvalidInput("media.unsupported", path=source, format=fmt, known="JPEG, PNG, GIF, WebP")
    digest = hashlib.sha256(data).hexdigest()
    target = media_dir / digest[:2] / f"{digest}.{fmt.lower()}"
    if not target.exists():
        write_private(target, data)
    return StoredPhoto(digest, target, FORMATS[fmt], source.name)


def outgoing_copy(photo: Photo, *, max_side: int | None = None, max_bytes: int | None = None) -> UploadCopy:
    """The copy of a stored photo that leaves balise (platform, sign-off mail and page): without
    EXIF (GPS, camera), XMP or comments. The stored original never leaves."""
    return upload_copy(
        Path(photo.stored_path), photo.sha256, get_settings().data_path / "media" / "upload",
        max_side=max_side, max_bytes=max_bytes,
    )  # fmt: skip
