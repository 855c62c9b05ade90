"""What the platforms receive: no location or camera metadata, a size they accept, JPEG for a
phone's HEIC."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from balise.db import session_scope
from balise.media.images import upload_copy
from balise.models import Photo
from balise.pipeline.publish import publish_target
from tests.consent.builders import consent, gate, person, photo_post
from tests.consent.images import GPS_IFD, MAKE, PHOTOS, with_gps
from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.x_server import FakeX
from tests.helpers import make_org
from tests.test_pipeline import _sign


def _metadata(data: bytes) -> tuple[dict[int, object], dict[int, object]]:
    """(EXIF, its GPS part) of an image file's bytes."""
    exif = Image.open(io.BytesIO(data)).getexif()
    return dict(exif), dict(exif.get_ifd(GPS_IFD))


def test_no_uploaded_image_carries_gps_or_camera_metadata(
    accounts: dict[str, str], fake_facebook: FakeFacebook, fake_x: FakeX, tmp_path: Path
) -> None:
    org, author, approver = make_org()
    person(org, "Alice Roy")
    consent(org, "Alice Roy", ("facebook", "x"))
    phone_photo = with_gps("astronaut.jpg", tmp_path / "IMG_0042.jpg")
    assert _metadata(phone_photo.read_bytes())[1]  # the photo as taken does say where
    post_id = photo_post(org, author, ("Alice Roy",), photo=phone_photo, platforms=("facebook", "x"))
    assert gate(post_id)[0] == "approved"

    assert [publish_target(t, "w")[0] for t in _sign(post_id, approver)] == ["published", "published"]

    uploads = [f.data for f in fake_facebook.photos.values()] + [f.data for f in fake_x.media.values()]
    assert len(uploads) == 2
    for data in uploads:
        assert _metadata(data) == ({}, {})
        assert b"iPhone" not in data and b"Apple iOS" not in data
        assert Image.open(io.BytesIO(data)).size == (512, 512)
    with session_scope() as session:  # the media store keeps the original as it was given
        stored = session.get(Photo, 1)
        assert stored and _metadata(Path(stored.stored_path).read_bytes())[0][MAKE] == "Apple"


def test_a_photo_too_big_for_a_platform_is_reduced_and_its_copy_kept(tmp_path: Path) -> None:
    source = PHOTOS / "astronaut.jpg"
    small = upload_copy(source, "a" * 64, tmp_path, max_side=256, max_bytes=None)
    light = upload_copy(source, "a" * 64, tmp_path, max_side=None, max_bytes=15_000)

    assert max(Image.open(small.path).size) == 256
    assert light.path.stat().st_size <= 15_000 and light.mime == "image/jpeg"
    assert upload_copy(source, "a" * 64, tmp_path, max_side=256, max_bytes=None).path == small.path


def test_a_phones_heic_photo_is_stored_and_sent_as_jpeg(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    person(org, "Alice Roy")
    consent(org, "Alice Roy", ("sandbox",))
    post_id = photo_post(org, author, ("Alice Roy",), photo=PHOTOS / "hopper.heif")

    assert gate(post_id)[0] == "approved"
    with session_scope() as session:
        stored = session.get(Photo, 1)
        assert stored and stored.mime == "image/jpeg" and stored.original_name == "hopper.jpg"
        assert Image.open(stored.stored_path).format == "JPEG"
