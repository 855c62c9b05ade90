"""The media store: photos are copied in by content hash, so the original path is not trusted
after a draft is added, and the same photo is stored once."""

from __future__ import annotations

import hashlib
import os
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from balise.errors import InvalidInput

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
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    return StoredPhoto(digest, target, FORMATS[fmt], source.name)
