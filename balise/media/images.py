"""What balise does to a photo's pixels: count faces, read its format, convert a phone's HEIC,
and make the copy a platform receives, without location or camera metadata and within its size.

Faces are counted with OpenCV's Haar cascades (frontal, and profile both ways), whose model files
ship inside the `opencv-python-headless` wheel: nothing to download, no network at run time.
Recall measured on the photos of `tests/data/photos/` (`python -m tests.consent.face_recall`).
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from balise.errors import InvalidInput
from balise.private import private_dir, write_private

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


ACCEPTED = {"JPEG", "PNG", "GIF", "WEBP", "HEIF"}  # HEIF (a phone's HEIC) is converted to JPEG
UPLOAD_MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
DETECT_SIDE = 1024  # faces are looked for on a copy this wide at most: fast enough, faces stay > 24 px
MIN_FACE = 24
SCALE_STEP = 1.1  # 1.15 is twice as fast but missed small faces in group photos (recall 82 % instead of 95 %)
OVERLAP = 0.3  # boxes from two cascades overlapping this much are one face


@cache
def _heif() -> None:
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
    _heif()
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


def count_faces(path: Path) -> int:
    """Faces seen in the photo (0 for a file that cannot be read: `inspect` reports it)."""
    try:
        stat = path.stat()
    except OSError:
        return 0
    return _count_faces(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _count_faces(path: str, size: int, mtime: int) -> int:
    """Cached by file identity: the gate, re-run after each edit, does not detect twice."""
    import cv2
    import numpy as np

    _heif()
    try:
        with Image.open(path) as image:
            grey = ImageOps.exif_transpose(image).convert("L")
    except (OSError, SyntaxError, ValueError):
        return 0
    grey.thumbnail((DETECT_SIDE, DETECT_SIDE))
    pixels = cv2.equalizeHist(np.asarray(grey))
    width = pixels.shape[1]
    boxes: list[tuple[int, int, int, int]] = []
    for name, flipped in (("frontalface_default", False), ("profileface", False), ("profileface", True)):
        view = cv2.flip(pixels, 1) if flipped else pixels
        found = _cascade(name).detectMultiScale(view, scaleFactor=SCALE_STEP, minNeighbors=5, minSize=(MIN_FACE,) * 2)
        for x, y, w, h in found:
            box = (int(width - x - w if flipped else x), int(y), int(w), int(h))
            if not any(_overlap(box, seen) > OVERLAP for seen in boxes):
                boxes.append(box)
    return len(boxes)


@cache
def _cascade(name: str) -> Any:
    import cv2

    return cv2.CascadeClassifier(os.path.join(cv2.data.haarcascades, f"haarcascade_{name}.xml"))  # type: ignore[attr-defined]


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over the smaller box: a profile box inside a frontal one is the same face."""
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    return width * height / min(a[2] * a[3], b[2] * b[3])


def importable(source: Path, workdir: Path) -> Path:
    """A phone's HEIC becomes a JPEG the media store accepts; any other file is returned as is."""
    _heif()
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


@dataclass(frozen=True)
class UploadCopy:
    path: Path
    mime: str


def upload_copy(
    source: Path, sha256: str, cache_dir: Path, *, max_side: int | None, max_bytes: int | None
) -> UploadCopy:
    """The copy a platform receives: no EXIF (GPS, camera, maker notes), XMP or comments, turned
    upright, within the platform's size; made once per photo and limit, kept by hash."""
    _heif()
    with Image.open(source) as image:
        fmt = image.format or "JPEG"
        animated = bool(getattr(image, "is_animated", False))
        out_fmt = fmt if fmt in UPLOAD_MIME else "JPEG"
        ext = out_fmt.lower()
        target = cache_dir / sha256[:2] / f"{sha256}-{max_side or 0}-{max_bytes or 0}.{ext}"
        if not target.exists():
            data = _animated(image) if animated else _still(image, out_fmt, max_side, max_bytes)
            write_private(target, data)
    return UploadCopy(target, UPLOAD_MIME[out_fmt])


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

