"""A citizen's personal data (app/privacy): download, deletion on request, the retention job."""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.audit.models import AuditEvent
from app.auth import services as auth_services
from app.auth.models import ApiToken, User
from app.bookings.models import Attachment, Booking, IdempotencyKey, Rating
from app.extensions import db
from app.jobs import run_job
from app.minutes.models import Minutes
from app.notify.models import Notification
from app.privacy import services
from app.timeutil import utcnow
from sessions.errors import CoreError
from tests.factories import PASSWORD, sign_in

FILE_BYTES = b"%PDF-1.4 don de nghi cua cong dan\n"


def retention_twice(app) -> None:
    """Run the scheduled job as the scheduler does (its own app context), twice."""
    db.session.commit()  # end this test's transaction: SQLite allows one writer
    run_job(app, "retention")
    run_job(app, "retention")
    db.session.expire_all()


def actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def world(app, make):
    """A citizen with a served case (file, rating, minutes, notice) and a refused one."""
    unit = make.make_unit()
    host = make.make_user("host", unit=unit)
    reception = make.make_reception(unit, host, starts_in_minutes=-60 * 24)
    citizen = make.make_user(full_name="Trần Thị Bình", phone="+84987654321",
                             email="binh@example.test", cccd="001190012345",
                             address="Số 5 phố Huế, Hà Nội")
    served = make.make_booking(reception, citizen, status="served", matter_type="khieu_nai",
                               summary="Khiếu nại quyết định thu hồi đất của ông Bình.")
    refused = make.make_booking(reception, citizen, slot_index=1, status="refused",
                                matter_type="to_cao", summary="Tố cáo cán bộ xã.")
    stored = secrets.token_hex(16)
    upload = Path(app.config["UPLOAD_DIR"])
    upload.mkdir(parents=True, exist_ok=True)
    (upload / stored).write_bytes(FILE_BYTES)
    attachment = Attachment(booking_id=served.id, filename="don.pdf", stored_name=stored,
                            content_type="application/pdf", size=len(FILE_BYTES),
                            sha256="0" * 64, uploaded_by_id=citizen.id)
    db.session.add_all([
        attachment,
        Rating(booking_id=served.id, score=4, comment="Cán bộ Nguyễn Văn C nhiệt tình."),
        Minutes(booking_id=served.id, content="Ông Bình trình bày.", conclusion="Giao Sở."),
        Notification(user_id=citizen.id, channel="email", recipient=citizen.email,
                     subject="Lịch tiếp đã được nhận", body="Kính gửi bà Bình", kind="accepted",
                     sent_at=utcnow(), facts={"tracking_code": "ABCD-EFGH-JKLMN"},
                     provider_answer=f'{{"to": "{citizen.email}"}}'),
        Notification(user_id=citizen.id, channel="sms", recipient=citizen.phone,
                     subject="", body="Nhắc lịch", kind="reminder"),
        IdempotencyKey(user_id=citizen.id, key="k1", booking_id=served.id),
    ])
    auth_services.new_calendar_token(citizen)
    auth_services.issue_token(citizen, 24)
    db.session.commit()
    return {"citizen": citizen, "served": served, "refused": refused,
            "file": upload / stored, "host": host}


def test_the_citizen_downloads_everything_as_json(client, world):
    citizen = world["citizen"]
    sign_in(client, citizen)
    page = client.get("/account/data/")
    assert page.status_code == 200 and "Dữ liệu cá nhân của tôi" in page.get_data(as_text=True)
    response = client.post("/account/data/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.get_data())
    assert data["profile"]["cccd"] == "001190012345"
    assert data["profile"]["phone"] == "+84987654321"
    assert data["consents"]["data_processing_at"]
    assert set(data["tracking_codes"]) == {world["served"].tracking_code,
                                           world["refused"].tracking_code}
    served = next(b for b in data["bookings"] if b["status"] == "served")
    assert served["summary"].startswith("Khiếu nại quyết định")
    assert served["rating"]["score"] == 4 and served["attachments"][0]["filename"] == "don.pdf"
    assert {n["body"] for n in data["notifications"]} == {"Kính gửi bà Bình", "Nhắc lịch"}
    assert actions()[-1] == "personal_data_export"


def test_the_zip_holds_the_json_and_the_uploaded_files(client, world):
    sign_in(client, world["citizen"])
    response = client.post("/account/data/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    assert "data.json" in names
    assert json.loads(archive.read("data.json"))["profile"]["full_name"] == "Trần Thị Bình"
    files = [n for n in names if n.startswith("attachments/")]
    assert len(files) == 1 and files[0].endswith("-don.pdf")
    assert world["served"].tracking_code in files[0]
    assert archive.read(files[0]) == FILE_BYTES
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "personal_data_export" and '"zip"' in event.detail


def test_only_the_signed_in_citizen_reaches_the_page(client, make, world):
    assert client.get("/account/data/").status_code == 302
    assert client.post("/account/data/export.json").status_code == 302
    sign_in(client, make.make_user("officer"))
    assert client.get("/account/data/").status_code == 403
    assert client.post("/account/data/export.json").status_code == 403
    assert client.post("/account/data/delete", data={"password": PASSWORD,
                                                      "confirm": "y"}).status_code == 403


def test_deletion_needs_the_password_and_the_confirmation(client, world):
    citizen = world["citizen"]
    sign_in(client, citizen)
    client.post("/account/data/delete", data={"password": "sai-mat-khau1", "confirm": "y"})
    client.post("/account/data/delete", data={"password": PASSWORD})
    db.session.refresh(citizen)
    assert citizen.is_active_account and citizen.deletion_requested_at is None
    assert "personal_data_deletion_request" not in actions()


def test_deletion_waits_until_open_cases_are_cancelled(client, make, world):
    citizen = world["citizen"]
    reception = world["served"].reception
    make.make_booking(reception, citizen, slot_index=2, status="accepted")
    sign_in(client, citizen)
    assert "Vui lòng hủy các lịch này" in client.get("/account/data/").get_data(as_text=True)
    client.post("/account/data/delete", data={"password": PASSWORD, "confirm": "y"})
    db.session.refresh(citizen)
    assert citizen.is_active_account


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def deleted(client, world):
    """The world's citizen after asking for deletion through the page (signed out since)."""
    sign_in(client, world["citizen"])
    response = client.post("/account/data/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    return db.session.get(User, world["citizen"].id)


def test_deletion_erases_contact_details_secrets_and_tokens_at_once(client, deleted):
    assert not deleted.is_active_account and deleted.deletion_requested_at is not None
    assert (deleted.email, deleted.phone, deleted.password_hash,
            deleted.calendar_token_hash) == (None, None, None, None)
    assert _count(ApiToken, ApiToken.user_id == deleted.id) == 0
    assert _count(IdempotencyKey, IdempotencyKey.user_id == deleted.id) == 0
    notices = db.session.scalars(select(Notification).where(Notification.user_id == deleted.id))
    assert [(n.recipient, n.body, n.facts, n.provider_answer) for n in notices] == [
        ("", "", None, "")]  # the unsent one is gone
    assert db.session.scalar(select(Rating.comment)) == ""
    assert client.get("/account/data/").status_code == 302  # signed out
    assert auth_services.authenticate("binh@example.test", PASSWORD) is None
    assert actions()[-1] == "personal_data_deletion_request"


def test_case_records_are_kept_while_retention_runs(app, world, deleted):
    retention_twice(app)
    citizen = db.session.get(User, deleted.id)
    assert (citizen.full_name, citizen.cccd) == ("Trần Thị Bình", "001190012345")
    assert db.session.get(Booking, world["served"].id).summary.startswith("Khiếu nại")
    assert citizen.anonymised_at is None and world["file"].exists()


def test_case_records_are_anonymised_once_retention_ends(app, world, deleted):
    long_ago = utcnow() - timedelta(days=366 * (app.config["RECORD_RETENTION_YEARS"] + 1))
    db.session.execute(update(Booking).values(updated_at=long_ago))
    db.session.execute(update(Minutes).values(updated_at=long_ago))
    retention_twice(app)
    citizen = db.session.get(User, deleted.id)
    assert (citizen.full_name, citizen.cccd, citizen.address) == (services.ANONYMOUS_NAME,
                                                                  None, "")
    booking = db.session.get(Booking, world["served"].id)
    assert booking.summary == services.REDACTED
    assert (booking.status, booking.matter_type) == ("served", "khieu_nai")  # statistics
    assert db.session.scalar(select(Minutes.content)) == services.REDACTED
    assert _count(Attachment) == 0 and not world["file"].exists()
    assert actions().count("personal_data_anonymised") == 1


def test_a_citizen_without_cases_is_anonymised_at_once(client, make):
    citizen = make.make_user(full_name="Lê Văn Cường", cccd="079090001111", address="Quận 1")
    sign_in(client, citizen)
    client.post("/account/data/delete", data={"password": PASSWORD, "confirm": "y"})
    db.session.expire_all()
    citizen = db.session.get(User, citizen.id)
    assert citizen.full_name == services.ANONYMOUS_NAME and citizen.cccd is None
    assert citizen.anonymised_at is not None and not citizen.is_active_account


def test_staff_accounts_are_closed_by_the_administrator(app, make):
    both = make.make_user("citizen", "secretary")
    with pytest.raises(CoreError) as refused:
        services.request_deletion(both, PASSWORD)
    assert refused.value.code == "staff_account"


def test_the_retention_job_purges_expired_data_and_is_safe_twice(app, make):
    user = make.make_user()
    now = utcnow()
    db.session.add_all([
        ApiToken(user_id=user.id, token_hash="a" * 64, expires_at=now - timedelta(hours=1)),
        ApiToken(user_id=user.id, token_hash="b" * 64, expires_at=now + timedelta(hours=1),
                 revoked_at=now),
        ApiToken(user_id=user.id, token_hash="c" * 64, expires_at=now + timedelta(hours=1)),
    ])
    user.locked_until, user.failed_logins = now - timedelta(minutes=1), 3
    locked = make.make_user()
    locked.locked_until = now + timedelta(minutes=10)
    unit = make.make_unit()
    booking = make.make_booking(make.make_reception(unit, make.make_user("host", unit=unit)),
                                user, status="served")
    old_days = app.config["IDEMPOTENCY_KEY_DAYS"] + 1
    db.session.add_all([
        IdempotencyKey(user_id=user.id, key="old", booking_id=booking.id,
                       created_at=now - timedelta(days=old_days)),
        IdempotencyKey(user_id=user.id, key="new", booking_id=booking.id),
    ])
    retention_twice(app)
    assert list(db.session.scalars(select(ApiToken.token_hash))) == ["c" * 64]
    assert db.session.get(User, user.id).locked_until is None
    assert db.session.get(User, locked.id).locked_until is not None
    assert list(db.session.scalars(select(IdempotencyKey.key))) == ["new"]
