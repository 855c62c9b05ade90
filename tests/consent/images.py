"""Test photos built from the real ones in tests/data/photos: several faces side by side, and
a photo carrying the GPS and camera metadata a phone writes."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

PHOTOS = Path(__file__).resolve().parent.parent / "data" / "photos"
GPS_IFD, MAKE, MODEL, MAKER_NOTE, EXIF_IFD = 0x8825, 0x010F, 0x0110, 0x927C, 0x8769


def compose(names: list[str], out: Path, height: int = 400) -> Path:
    """The named photos scaled to one height and placed side by side, 20 px apart."""
    parts = []
    for name in names:
        with Image.open(PHOTOS / name) as image:
            rgb = image.convert("RGB")
        parts.append(rgb.resize((rgb.width * height // rgb.height, height)))
    canvas = Image.new("RGB", (sum(p.width for p in parts) + 20 * (len(parts) + 1), height + 40), "white")
    x = 20
    for part in parts:
        canvas.paste(part, (x, 20))
        x += part.width + 20
    canvas.save(out, "JPEG", quality=90)
    return out


def with_gps(name: str, out: Path) -> Path:
    """A real photo with what a phone adds: where it was taken, the camera, a maker note."""
    with Image.open(PHOTOS / name) as image:
        rgb = image.convert("RGB")
    exif = Image.Exif()
    exif[MAKE], exif[MODEL] = "Apple", "iPhone 15"
    exif.get_ifd(EXIF_IFD)[MAKER_NOTE] = b"Apple iOS\x00secret"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (45.0, 30.0, 12.5), 3: "W", 4: (73.0, 33.0, 50.0)})
    rgb.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out
