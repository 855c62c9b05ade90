"""How many faces a photo shows, so the gate can tell when more people appear than were declared.

Faces are counted with OpenCV's Haar cascades (frontal, and profile both ways), whose model files
ship inside the `opencv-python-headless` wheel: nothing to download, no network at run time.
Recall measured on the photos of `tests/data/photos/` (`python -m tests.consent.face_recall`).
"""

from __future__ import annotations

import os
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from balise.media.images import allow_heif

DETECT_SIDE = 1024  # faces are looked for on a copy this wide at most: fast enough, faces stay > 24 px
MIN_FACE = 24
SCALE_STEP = 1.1  # 1.15 is twice as fast but missed small faces in group photos (recall 82 % instead of 95 %)
OVERLAP = 0.3  # boxes from two cascades overlapping this much are one face


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

    allow_heif()
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
