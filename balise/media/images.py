"""What balise does to a photo with Pillow: open it within the pixel limit, read its format,
convert a phone's HEIC, check it before it enters the store, and make the copy that leaves
balise, without location or camera metadata and within a platform's size. Faces: `faces.py`.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageOps, UnidentifiedImageError

from balise.config import get_settings
from balise.errors import InvalidInput
from balise.media.store import MIME, keep, keep_made, read
from balise.private import private_dir

if TYPE_CHECKING:  # the gate reads photos through this module and never loads the database's models
    from balise.models import Photo

# Above every phone's ordinary photo (12 to 50 megapixels); decoded, 100 megapixels already take 300 MB.
MAX_MEGAPIXELS = 100
MAX_PIXELS = MAX_MEGAPIXELS * 1_000_000
# Pillow's own guard, set to the same limit, fails beyond twice it and warns in English below that;
# `open_photo` refuses those photos itself, in French, so the warning would only repeat it.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


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


ACCEPTED = {*MIME, "HEIF"}  # HEIF (a phone's HEIC) is converted to JPEG


@cache
def allow_heif() -> None:
    """Let Pillow open HEIC/HEIF files (pillow-heif), once per process."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


@dataclass(frozen=True)
class ImageInfo:
    """A photo's format and size, or why it cannot be published (`problem`)."""

    format: str | None
    size: int
    animated: bool = False
    problem: str | None = None  # "unreadable" | "corrupt" | "unsupported"


def inspect(path: Path) -> ImageInfo:
    """Read the header and decode the image once, so a truncated file is caught here, not at upload."""
    allow_heif()
    try:
        size = path.stat().st_size
    except OSError:
        return ImageInfo(None, 0, problem="unreadable")
    try:
        with Image.open(path) as image:
            fmt = image.format
            animated = bool(getattr(image, "is_animated", False))
            if fmt in ACCEPTED:
                image.load()
    except UnidentifiedImageError:
        return ImageInfo(None, size, problem="corrupt")
    except (OSError, SyntaxError, ValueError):
        return ImageInfo(None, size, problem="corrupt")
    if fmt not in ACCEPTED:
        return ImageInfo(fmt, size, problem="unsupported")
    return ImageInfo(fmt, size, animated)


def importable(source: Path, workdir: Path) -> Path:
    """A phone's HEIC becomes a JPEG the media store accepts; any other file is returned as is."""
    allow_heif()
    try:
        with open_photo(source) as image:
            if image.format != "HEIF":
                return source
            converted = ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, SyntaxError, ValueError):
        return source  # the store says what is wrong with it
    private_dir(workdir)
    target = workdir / f"{source.stem}.jpg"
    converted.save(target, "JPEG", quality=92)
    return target


def preview_image(source: Path, side: int = 600) -> bytes:
    """A small upright JPEG of an uploaded photo for a page's preview, made in memory: nothing is
    kept, and no metadata (GPS, camera) goes with it."""
    allow_heif()
    try:
        with open_photo(source) as image:
            image.draft("RGB", (side, side))  # a JPEG is decoded at a fraction of its size
            small = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput("media.not_an_image", path=source) from exc
    small.thumbnail((side, side))
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()


@dataclass(frozen=True)
class StoredPhoto:
    sha256: str
    path: Path
    mime: str
    original_name: str


def store_photo(source: Path, media_dir: Path) -> StoredPhoto:
    """Check `source` is a readable image of a supported format and copy it into the store."""
    data = read(source, "media.unreadable")
    try:
        with open_photo(source) as image:
            image.verify()
            fmt = image.format or ""
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InvalidInput("media.not_an_image", path=source) from exc
    if fmt not in MIME:
        raise InvalidInput("media.unsupported", path=source, format=fmt, known="JPEG, PNG, GIF, WebP")
    kept = keep(data, media_dir, f".{fmt.lower()}")
    return StoredPhoto(kept.sha256, kept.path, MIME[fmt], source.name)


@dataclass(frozen=True)
class UploadCopy:
    path: Path
    mime: str


def upload_copy(
    source: Path, sha256: str, cache_dir: Path, *, max_side: int | None, max_bytes: int | None
) -> UploadCopy:
    """The copy a platform receives: no EXIF (GPS, camera, maker notes), XMP or comments, turned
    upright, within the platform's size; made once per photo and limit, kept by hash."""
    allow_heif()
    with Image.open(source) as image:
        fmt = image.format or "JPEG"
        animated = bool(getattr(image, "is_animated", False))
        out_fmt = fmt if fmt in MIME else "JPEG"
        target = keep_made(
            sha256, cache_dir, f"-{max_side or 0}-{max_bytes or 0}.{out_fmt.lower()}",
            lambda: _animated(image) if animated else _still(image, out_fmt, max_side, max_bytes),
        )  # fmt: skip
    return UploadCopy(target, MIME[out_fmt])


def outgoing_copy(photo: Photo, *, max_side: int | None = None, max_bytes: int | None = None) -> UploadCopy:
    """The copy of a stored photo that leaves balise (platform, sign-off mail and page): without
    EXIF (GPS, camera), XMP or comments. The stored original never leaves."""
    return upload_copy(
        Path(photo.stored_path), photo.sha256, get_settings().data_path / "media" / "upload",
        max_side=max_side, max_bytes=max_bytes,
    )  # fmt: skip


def _still(image: Image.Image, fmt: str, max_side: int | None, max_bytes: int | None) -> bytes:
    """Pixels only (plus the colour profile): a new image carries none of the original's metadata."""
    upright = ImageOps.exif_transpose(image)
    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    if upright.mode == "P":
        clean.putpalette(upright.getpalette() or [])
    options: dict[str, Any] = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
    if icc := image.info.get("icc_profile"):
        options["icc_profile"] = icc
    if max_side:
        clean.thumbnail((max_side, max_side))
    while True:
        buffer = io.BytesIO()
        clean.save(buffer, fmt, **options)
        if not max_bytes or buffer.tell() <= max_bytes or min(clean.size) < 64:
            return buffer.getvalue()
        clean = clean.resize((clean.width * 4 // 5, clean.height * 4 // 5))  # too heavy: 20 % smaller


def _animated(image: Image.Image) -> bytes:
    """An animated GIF or WebP keeps its frames and timing, none of its metadata."""
    frames = []
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        frame = image.convert("RGBA")
        frames.append(Image.frombytes(frame.mode, frame.size, frame.tobytes()))
    buffer = io.BytesIO()
    frames[0].save(
        buffer, image.format or "GIF", save_all=True, append_images=frames[1:],
        duration=image.info.get("duration", 100), loop=image.info.get("loop", 0),
    )  # fmt: skip
    return buffer.getvalue()
