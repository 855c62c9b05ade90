"""The media store: photos are copied in by content hash, so the original path is not trusted
after a draft is added, and the same photo is stored once."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from balise.config import get_settings
from balise.errors import InvalidInput
from balise.models import Photo
from balise.photos import UploadCopy, upload_copy
from balise.private import write_private

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# Above every phone's ordinary photo (12 to 50 megapixels); decoded, 100 megapixels already take 300 MB.
MAX_MEGAPIXELS = 100
MAX_PIXELS = MAX_MEGAPIXELS * 1_000_000
# Pillow's own guard, set to the same limit, fails beyond twice it and warns in English below that;
# `open_photo` refuses those photos itself, in French, so the warning would only repeat it.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


@dataclass(frozen=True)
class StoredPhoto:
    sha256: str
    path: Path
    mime: str
    original_name: str


@contextmanager
def open_photo(source: Path) -> Iterator[Image.Image]:
    """The photo opened by Pillow, header read; `InvalidInput` if it has more pixels than balise accepts."""
    try:
        image = Image.open(source)
    except Image.DecompressionBombError as exc:  # beyond twice the limit Pillow refuses to open it at all
        raise InvalidInput("media.too_many_pixels", path=source, limit=MAX_MEGAPIXELS) from exc
    with image:
        if image.width * image.height > MAX_PIXELS:
            raise InvalidInput("media.too_many_pixels", path=source, limit=MAX_MEGAPIXELS)
        yield image


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
