"""A denouncer's identity across every door, for every viewer (docs/security.md §2).

The world of conftest.py holds a ``to_cao`` booking of ``Lê Văn Tố`` in the open
session (a representative, an attachment named after him, a task for the officer's
agency). Each door is called as an agency officer, an administrator, a deputy who is
not hosting and nobody signed in; none may get the name, an initial pattern, or a
digit sequence of the CCCD or phone (CONTRACT §8).
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from tests import factories as make

WORDS = "Người tố cáo (được giữ bí mật)"
#: Who sees the identity through the API (app/bookings/access.py may_see_identity).
API_SEES = {"citizen": True, "secretary": True, "host": True, "inspector": True,
            "deputy": False, "admin": False}
OUTSIDERS = ("officer", "admin", "deputy", "anonymous")
#: Anything derived from the identity: a masked form (a letter or digit next to a star)
#: or a run of the CCCD's or phones' digits.
MASK = re.compile(r"\w\*|\*\w")


def secrets_of(world) -> list[str]:
    person = world.denouncer
    return [person.full_name, person.full_name.upper(), person.email, person.address,
            "Le-Van-To", "don-cua", "Trần Thị Đại Diện", person.cccd, person.cccd[-6:],
            person.cccd[:6], "987654321", "0987", "4321", "654321", "5670", "912345670"]


def assert_hidden(world, text: str, where: str) -> None:
    for secret in secrets_of(world):
        assert secret not in text, f"{where}: {secret!r} leaked"
    assert not MASK.search(text), f"{where}: a masked form {MASK.search(text).group()!r}"


def _user(world, caller):
    return None if caller == "anonymous" else world.users[caller]


def _reveals(booking_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "reveal", AuditEvent.target == f"booking:{booking_id}"))


def _api(app, user, path):
    headers = {"Authorization": f"Bearer {make.token_for(user)}"} if user else {}
    response = app.test_client().get(f"/api/v1{path}", headers=headers)
    db.session.expire_all()
    return response


def _web(app, user, path):
    client = app.test_client()
    if user is not None:
        make.sign_in(client, user)
    response = client.get(path)
    db.session.expire_all()
    return response


def _xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return "\n".join(str(cell) for sheet in book.worksheets
                     for row in sheet.iter_rows(values_only=True) for cell in row
                     if cell is not None)


def _docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# --- the API ----------------------------------------------------------------------------

def test_api_shows_the_identity_only_to_host_secretary_inspector(secured):
    app, world = secured
    booking, name = world.denounced, world.denouncer.full_name
    for role, sees in API_SEES.items():
        before = _reveals(booking.id)
        viewer = world.denouncer if role == "citizen" else world.users[role]
        response = _api(app, viewer, f"/bookings/{booking.id}")
        assert response.status_code == 200, role
        data = response.get_json()
        if sees:
            assert data["citizen"]["full_name"] == name and "masked" not in data["citizen"]
            assert data["citizen"]["cccd"] == "001090012345", role
            assert data["attachments"][0]["filename"] == "don-cua-Le-Van-To.pdf", role
        else:
            assert data["citizen"] == {"full_name": WORDS, "phone": None, "cccd": None,
                                       "masked": True}, role
            assert data["representatives"] == [{"full_name": WORDS, "phone": None}], role
            assert data["attachments"][0]["filename"] is None, role
            assert_hidden(world, response.get_data(as_text=True), role)
        logged = _reveals(booking.id) - before
        assert logged == (1 if sees and role != "citizen" else 0), role


def test_callers_without_the_relation_get_the_answer_of_a_missing_booking(secured):
    app, world = secured
    path = f"/bookings/{world.denounced.id}"
    missing = _api(app, world.users["officer"], "/bookings/999999")
    for caller in ("officer", "citizen"):
        response = _api(app, world.users[caller], path)
        assert response.status_code == 404, caller
        assert response.get_json() == missing.get_json(), caller
        assert_hidden(world, response.get_data(as_text=True), caller)
    for suffix in ("/attachments/1", "/invite.ics"):
        assert _api(app, world.users["officer"], path + suffix).status_code == 404, suffix
    assert _api(app, None, path).status_code == 401


def test_attachment_files_are_refused_to_outsiders(secured):
    app, world = secured
    attachment = world.denounced.attachments[0]
    for caller in ("admin", "deputy"):
        response = _api(app, world.users[caller],
                        f"/bookings/{world.denounced.id}/attachments/{attachment.id}")
        assert response.status_code in (403, 404), caller
        assert_hidden(world, response.get_data(as_text=True), caller)


def test_tasks_show_the_words_and_no_tracking_code_to_officers(secured):
    app, world = secured
    task = world.denounced_task
    for caller in OUTSIDERS:
        response = _api(app, _user(world, caller), f"/tasks/{task.id}")
        body = response.get_data(as_text=True)
        assert_hidden(world, body, caller)
        if caller == "officer":
            assert world.denounced.tracking_code not in body
        if caller in ("officer", "admin"):
            assert response.status_code == 200, caller
            assert response.get_json()["case"]["citizen"] == WORDS, caller
    listed = _api(app, world.users["officer"], "/tasks")
    assert listed.status_code == 200 and listed.get_json()
    text = listed.get_data(as_text=True)
    assert world.denounced.tracking_code not in text and world.booking.tracking_code not in text
    assert all("tracking_code" not in t for t in listed.get_json())
    entry = next(t for t in listed.get_json() if t["id"] == task.id)
    assert_hidden(world, json.dumps(entry, ensure_ascii=False), "task list")
    staff = _api(app, world.users["secretary"], f"/tasks/{task.id}").get_json()
    assert staff["tracking_code"] == world.denounced.tracking_code


def test_task_messages_to_the_agency_carry_no_tracking_code(secured):
    app, world = secured
    from app.notify.models import Notification
    from app.tasks.notices import notify_agency

    world.agency.email = "so-xay-dung@example.test"
    with app.test_request_context():
        notify_agency(world.denounced_task, "task_assigned", "test-denounced-task")
        db.session.flush()
        sent = db.session.scalars(select(Notification).where(
            Notification.dedupe_key.like("test-denounced-task%"))).all()
    assert len(sent) >= 2  # the officers and the agency's mailbox
    for message in sent:
        text = f"{message.subject}\n{message.body}"
        assert world.denounced.tracking_code not in text
        assert_hidden(world, text, message.recipient)
    db.session.rollback()


# --- tracking ---------------------------------------------------------------------------

def test_the_tracking_answer_leads_to_no_letter(secured):
    app, world = secured
    task = world.denounced_task
    task.apology_stored_name = "world-apology.docx"
    task.due_date = date.today() - timedelta(days=3)
    db.session.commit()
    try:
        response = _api(app, None, f"/track/{world.denounced.tracking_code}?phone_last4=4321")
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "apology" not in body and "/tasks/" not in body
        assert_hidden(world, body.replace("4321", ""), "tracking")
    finally:
        task.apology_stored_name = None
        task.due_date = date.today() + timedelta(days=10)
        db.session.commit()


def test_wrong_phone_digits_are_limited_per_tracking_code(secured):
    app, world = secured
    reception = world.other
    booking = make.make_booking(reception, world.denouncer, slot_index=3, matter_type="to_cao")
    db.session.commit()
    path = f"/track/{booking.tracking_code}?phone_last4="
    client = app.test_client()
    for n in range(10):
        headers = {"X-Forwarded-For": f"10.0.0.{n}"}  # from many addresses
        assert client.get(f"/api/v1{path}0000", headers=headers).status_code == 404
    refused = client.get(f"/api/v1{path}4321")
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    page = client.get(f"/track?code={booking.tracking_code}&phone_last4=4321")
    assert page.status_code == 429
    other = client.get(f"/api/v1/track/{world.denounced.tracking_code}?phone_last4=4321")
    assert other.status_code == 200


# --- pages, exports, consoles -------------------------------------------------------------

def test_exports_print_the_words_whoever_exports(secured):
    app, world = secured
    from app.timeutil import local_today

    period = f"from={local_today() - timedelta(days=30)}&to={local_today() + timedelta(days=30)}"
    for caller in ("secretary", "admin"):
        register = _api(app, world.users[caller],
                        f"/reports/register.xlsx?unit={world.unit.code}&{period}")
        assert register.status_code == 200, caller
        text = _xlsx_text(register.data)
        assert WORDS in text, caller
        assert_hidden(world, text, f"register as {caller}")
    conclusion = _api(app, world.users["host"], f"/sessions/{world.reception.id}/conclusion.docx")
    assert conclusion.status_code == 200
    text = _docx_text(conclusion.data)
    assert WORDS in text
    assert_hidden(world, text, "conclusion")


def test_console_case_list_shows_the_words_to_the_administrator(secured):
    app, world = secured
    name = world.denouncer.full_name
    for role, sees in (("host", True), ("secretary", True), ("admin", False)):
        before = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "denouncer_revealed",
            AuditEvent.actor_id == world.users[role].id))
        response = _web(app, world.users[role], f"/live/{world.reception.id}/cases")
        assert response.status_code == 200, role
        cases = {c["booking_id"]: c for c in response.get_json()["cases"]}
        shown = cases[world.denounced.id]
        if sees:
            assert shown["citizen_name"] == name
            assert shown["attachments"][0]["name"] == "don-cua-Le-Van-To.pdf"
        else:
            assert shown["citizen_name"] == WORDS
            assert shown["attachments"] == [{"name": None, "url": None}]
            assert_hidden(world, str(shown), role)
        after = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "denouncer_revealed",
            AuditEvent.actor_id == world.users[role].id))
        assert after - before == (1 if sees else 0), role
    for caller in ("deputy", "officer"):
        assert _web(app, world.users[caller],
                    f"/live/{world.reception.id}/cases").status_code == 403, caller


@pytest.mark.parametrize("page", ["minutes", "triage"])
def test_minutes_and_triage_pages_show_the_words_to_the_administrator(secured, page):
    app, world = secured
    if page == "triage":
        world.denounced.status = "pending"
        db.session.commit()
    try:
        path = (f"/minutes/{world.denounced.id}" if page == "minutes"
                else "/triage")
        response = _web(app, world.users["admin"], path)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert WORDS in body and "None" not in body
        assert_hidden(world, body, page)
    finally:
        world.denounced.status = "accepted"
        db.session.commit()


# --- the administrator's pages and the recording ----------------------------------------

def _audit_trail(world):
    from app.audit.services import record_event

    person = world.denouncer
    record_event("login", actor=person, target=f"user:{person.id}", via="password")
    record_event("profile_changed", actor=world.users["admin"], target=f"user:{person.id}",
                 changes={"full_name": person.full_name, "phone": person.phone})
    record_event("booking_created", actor=person, target=f"booking:{world.denounced.id}",
                 summary="Tố cáo", cccd=person.cccd)
    db.session.commit()


def test_the_audit_log_and_its_export_hide_the_denouncer(secured):
    app, world = secured
    _audit_trail(world)
    admin = world.users["admin"]
    page = _web(app, admin, "/admin/audit/")
    assert page.status_code == 200
    assert_hidden(world, page.get_data(as_text=True), "audit page")
    assert WORDS in page.get_data(as_text=True)
    export = _web(app, admin, "/admin/audit/export.csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) > 3
    # The hash column is hex: only the readable columns are searched for digits.
    assert_hidden(world, "\n".join(",".join(r[:-1]) for r in rows), "audit export")
    by_name = _web(app, admin, f"/admin/audit/?actor={world.denouncer.full_name}")
    assert "Không có sự kiện nào." in by_name.get_data(as_text=True)


def test_the_outbox_hides_messages_to_a_denouncer(secured):
    app, world = secured
    from app.bookings.messages import notify_booking

    with app.test_request_context():
        notify_booking(world.denounced, "booking_accepted", dedupe_key="test-outbox-denouncer")
    db.session.commit()
    response = _web(app, world.users["admin"], "/admin/notifications/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert WORDS in body
    assert world.denounced.tracking_code not in body
    assert_hidden(world, body, "outbox")


@pytest.fixture
def stored_recording(secured):
    from pathlib import Path

    from app.live.models import Recording
    from app.live.recording import file_path
    from app.timeutil import utcnow

    app, world = secured
    recording = Recording(session_id=world.reception.id, booking_id=world.denounced.id,
                          stored_name="world-recording.webm", take="t1", status="stored",
                          size=4, sha256="0" * 64, created_at=utcnow(), stored_at=utcnow())
    db.session.add(recording)
    db.session.commit()
    path = Path(file_path(recording))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"webm")
    yield recording
    db.session.delete(recording)
    db.session.commit()


def test_the_recording_reaches_only_those_who_see_the_identity(secured, stored_recording):
    app, world = secured
    path = f"/live/{world.reception.id}/recordings/{stored_recording.id}"
    for caller, status in (("host", 200), ("secretary", 200), ("admin", 403),
                           ("deputy", 403), ("officer", 403)):
        response = _web(app, world.users[caller], path)
        response.close()
        assert response.status_code == status, caller


# --- who hosts ----------------------------------------------------------------------------

def test_only_the_acting_host_hosts_and_sees_the_denouncer(secured):
    from app.bookings.access import may_see_identity
    from app.live.access import resolve_role, staff_role
    from sessions.errors import CoreError

    app, world = secured
    reception, deputy = world.reception, world.users["deputy"]
    assert staff_role(deputy, reception) is None
    with pytest.raises(CoreError) as caught:
        resolve_role(deputy, reception, "host")
    assert caught.value.code == "forbidden"
    assert not may_see_identity(deputy, world.denounced)
    reception.acting_host_id = deputy.id
    try:
        assert resolve_role(deputy, reception, "host") == "host"
        assert may_see_identity(deputy, world.denounced)
        assert staff_role(world.users["host"], reception) is None  # no longer acting
        assert not may_see_identity(world.users["host"], world.denounced)
    finally:
        reception.acting_host_id = None
        db.session.commit()


def test_a_province_deputy_does_not_host_a_commune_session(secured):
    from app.bookings.access import may_see_identity
    from app.live.access import staff_role

    app, world = secured
    commune = make.make_unit(level="commune", parent=world.unit)
    host = make.make_user("host", unit=commune)
    reception = make.make_reception(commune, host, starts_in_minutes=30,
                                    acting_host_id=world.users["deputy"].id)
    booking = make.make_booking(reception, world.denouncer, matter_type="to_cao")
    db.session.commit()
    assert staff_role(world.users["deputy"], reception) is None
    assert not may_see_identity(world.users["deputy"], booking)
    assert staff_role(host, reception) is None  # the deputy acts, on paper


# --- the apology letter -------------------------------------------------------------------

def test_the_apology_letter_of_a_denouncer_is_not_copied_to_the_agency(secured):
    app, world = secured
    from app.tasks.apology import agency_apology_docx, apology_letter_docx

    with app.test_request_context():
        own = _docx_text(apology_letter_docx(world.denounced_task))
        copy = _docx_text(agency_apology_docx(world.denounced_task))
    assert world.denouncer.full_name in own  # the citizen's own copy
    received = own[own.index("Nơi nhận"):]
    assert world.agency.name not in received
    assert WORDS in copy
    assert_hidden(world, copy, "the agency's copy")
