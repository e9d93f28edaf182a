"""POST/GET /api/v1/bookings/<id>/attachments: checked by content, stored privately."""

import io
from pathlib import Path

import pytest

from app.bookings import uploads
from app.bookings.models import Attachment
from app.extensions import db
from tests.bookings.scene import build_scene

PDF = b"%PDF-1.7\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


@pytest.fixture
def booked(make):
    scene = build_scene(make)
    return scene, make.make_booking(scene.reception, scene.citizen, status="pending")


def _upload(api, booking, user, content: bytes, name: str = "don-khieu-nai.pdf"):
    return api.post(f"/bookings/{booking.id}/attachments", user=user,
                    data={"file": (io.BytesIO(content), name)},
                    content_type="multipart/form-data")


@pytest.mark.parametrize(("content", "kind"), [(PDF, "application/pdf"),
                                                (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_pdf_png_jpeg_are_stored_under_random_names(api, app, booked, content, kind):
    scene, booking = booked
    response = _upload(api, booking, scene.citizen, content, "ảnh hiện trường.bin")
    assert response.status_code == 201
    assert response.get_json()["content_type"] == kind
    stored = db.session.scalar(db.select(Attachment))
    path = Path(app.config["UPLOAD_DIR"]) / stored.stored_name
    assert path.read_bytes() == content
    assert "static" not in path.parts and stored.stored_name != stored.filename
    assert stored.filename == "ảnh hiện trường.bin"


def test_a_file_that_only_claims_to_be_pdf_is_422(api, booked):
    scene, booking = booked
    response = _upload(api, booking, scene.citizen, b"<html>not a pdf</html>", "don.pdf")
    assert response.status_code == 422
    assert "file" in response.get_json()["errors"]
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0


def test_missing_file_is_422(api, booked):
    scene, booking = booked
    response = api.post(f"/bookings/{booking.id}/attachments", user=scene.citizen, data={},
                        content_type="multipart/form-data")
    assert response.status_code == 422


def test_file_over_the_limit_is_413_and_leaves_no_file(api, app, booked, monkeypatch):
    # The limit is 10 MB; a small one spares the test client from spooling 10 MB to disk.
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 64 * 1024)
    scene, booking = booked
    response = _upload(api, booking, scene.citizen, PDF + b"0" * (64 * 1024))
    assert response.status_code == 413
    assert response.get_json()["error"] == "too_large"
    assert list(Path(app.config["UPLOAD_DIR"]).iterdir()) == []


def test_the_limit_is_ten_megabytes():
    assert uploads.MAX_FILE_BYTES == 10 * 1024 * 1024 and uploads.MAX_FILES == 5


def test_at_most_five_files_per_case(api, booked):
    scene, booking = booked
    for _ in range(5):
        assert _upload(api, booking, scene.citizen, PDF).status_code == 201
    assert _upload(api, booking, scene.citizen, PDF).status_code == 422


def test_download_is_an_attachment_for_the_citizen_and_the_secretary(api, booked):
    scene, booking = booked
    attachment_id = _upload(api, booking, scene.citizen, PDF).get_json()["id"]
    url = f"/bookings/{booking.id}/attachments/{attachment_id}"
    for user in (scene.citizen, scene.secretary):
        with api.get(url, user=user) as response:
            assert response.status_code == 200
            assert response.headers["Content-Disposition"].startswith("attachment")
            assert response.data == PDF
    with api.get(url, user=scene.other_citizen) as response:
        assert response.status_code == 404  # as for a missing booking


def test_closed_booking_takes_no_file(api, booked):
    scene, booking = booked
    booking.status = "cancelled"
    assert _upload(api, booking, scene.citizen, PDF).status_code == 409


def test_a_full_disk_is_a_clear_507_leaves_nothing_and_a_retry_works(api, app, booked,
                                                                     full_upload_disk):
    scene, booking = booked
    response = _upload(api, booking, scene.citizen, PDF)
    assert response.status_code == 507
    assert response.headers["Retry-After"].isdigit()
    body = response.get_json()
    assert body["error"] == "insufficient_storage" and "hết chỗ lưu tệp" in body["message"]
    assert not [p for p in Path(app.config["UPLOAD_DIR"]).iterdir() if p.is_file()]
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0
    full_upload_disk.clear()
    assert _upload(api, booking, scene.citizen, PDF).status_code == 201
