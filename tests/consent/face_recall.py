"""Recall of balise's face counter on real photos with known face counts.

    python -m tests.consent.face_recall

Prints each photo, the faces it holds and the faces counted, then the recall (faces found /
faces present) and the false faces counted on photos without anyone.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from balise.media.faces import count_faces
from tests.consent.images import PHOTOS, compose

SINGLES = {
    "astronaut.jpg": 1, "grace_hopper.jpg": 1, "camera.jpg": 1, "hopper.heif": 1, "coffee.jpg": 0, "chelsea.jpg": 0,
}  # fmt: skip
GROUPS = {
    "2 : astronaut + grace_hopper": ["astronaut.jpg", "grace_hopper.jpg"],
    "3 : astronaut + grace_hopper + camera": ["astronaut.jpg", "grace_hopper.jpg", "camera.jpg"],
    "4 : grace_hopper + astronaut + grace_hopper + astronaut": [
        "grace_hopper.jpg",
        "astronaut.jpg",
        "grace_hopper.jpg",
        "astronaut.jpg",
    ],
}


def measure(folder: Path) -> tuple[int, int, int]:
    """(faces present, faces found, false faces) over every test photo."""
    cases = [(name, PHOTOS / name, faces) for name, faces in SINGLES.items()]
    for label, names in GROUPS.items():
        for height in (400, 160):  # a portrait row, then small faces as in a group photo
            path = compose(names, folder / f"{len(cases)}.jpg", height=height)
            cases.append((f"{label} ({height} px)", path, len(names)))
    present = found = false = 0
    for label, path, faces in cases:
        counted = count_faces(path)
        present, found, false = present + faces, found + min(counted, faces), false + max(counted - faces, 0)
        print(f"{label:62} visages : {faces}  comptés : {counted}")
    return present, found, false


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        present, found, false = measure(Path(tmp))
    print(f"\nRappel : {found}/{present} = {found / present:.0%}; faux visages : {false}")
    sys.exit(0)
