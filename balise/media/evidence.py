"""Signed consent forms: what balise accepts as the proof of a signature, then keeps in the media
store. The command line (`consent grant --evidence`) and the workspace's upload both come here,
so a form is limited in size and type, and decoded safely, whoever gives it.

A form is a PDF (recognised by its header; never rendered) or a photo of the paper (opened by
Pillow within the photos' pixel limit, so a decompression bomb is refused before it is decoded).
"""

from __future__ import annotations

from pathlib import Path

from PIL import UnidentifiedImageError

from balise.config import get_settings
from balise.errors import InvalidInput
from balise.media.images import allow_heif, open_photo
from balise.media.store import keep

MAX_BYTES = 10_000_000  # a scan of a few pages, or a phone's photo of the form
PDF_HEADER = b"%PDF-"
IMAGE_SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "HEIF": ".heic"}
KNOWN = "PDF, JPEG, PNG, WebP, HEIC"


def evidence_folder() -> Path:
    """Where signed forms are kept: the media store's folder of consents."""
    return get_settings().data_path / "media" / "consents"


def keep_evidence(source: Path, folder: Path) -> str:
    """Check the form, copy it in once; its SHA-256 is what the consent records.
    `InvalidInput` says what is wrong before anything is written."""
    try:
        with source.open("rb") as form:
            data = form.read(MAX_BYTES + 1)  # no further: a huge file, or a device, is never read whole
    except OSError as exc:
        raise InvalidInput("consent.evidence_unreadable", path=source, detail=exc.strerror or str(exc)) from exc
    if len(data) > MAX_BYTES:
        raise InvalidInput("consent.evidence_too_big", path=source, megabytes=MAX_BYTES // 1_000_000)
    if not data.strip():
        raise InvalidInput("consent.evidence_empty", path=source)  # an empty file proves no signature
    return keep(data, folder, _suffix(source, data)).sha256


def _suffix(source: Path, data: bytes) -> str:
    """The form's kind, from its content (never from the name it came with)."""
    if data.startswith(PDF_HEADER):
        return ".pdf"
    allow_heif()
    try:
        with open_photo(source) as image:
            image.verify()
            fmt = image.format or ""
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput("consent.evidence_unsupported", path=source, known=KNOWN) from exc
    if fmt not in IMAGE_SUFFIXES:
        raise InvalidInput("consent.evidence_unsupported", path=source, known=KNOWN)
    return IMAGE_SUFFIXES[fmt]
