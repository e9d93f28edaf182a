"""SMS text (app/notify/sms.py) and the facts of booking messages (app/notify/facts.py):
CONTRACT §6's limits with the longest real unit name and a long host name."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from vietnam_provinces import Province, Ward

from app.bookings.messages import notify_booking
from app.extensions import db
from app.notify import sms
from app.notify.facts import booking_facts
from app.notify.models import Notification
from app.notify.services import queue_notification
from tests import factories

# GSM 03.38's basic character set (an extension character costs two and is refused).
GSM7_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"¤%&'()*+,-./0123456789:;<=>?¡"
                 "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
FORBIDDEN = set("%#&[]{}\\<@")
LONG_SITE = "https://tiepcongdan.ubnd-phuong-van-mieu-quoc-tu-giam.thanhphohochiminh.gov.vn"
BOOKING_KINDS = sorted(sms.TEMPLATES)


def longest_unit_name() -> str:
    """The longest name of a province or commune/ward in the vietnam-provinces data."""
    names = [p.name for p in Province.iter_all()] + [w.name for w in Ward.iter_all()]
    return max(names, key=lambda name: len(sms.fold(name)))


@pytest.fixture
def long_booking(app):
    """A booking at the unit with the longest real name, SITE_URL on a long host."""
    app.config["SITE_URL"] = LONG_SITE + "/"
    unit = factories.make_unit(name=longest_unit_name())
    host = factories.make_user("host", unit=unit)
    reception = factories.make_reception(unit, host)
    citizen = factories.make_user(full_name="Nguyễn Thị Thanh Hương", phone="0912345678")
    return factories.make_booking(reception, citizen)


def assert_sendable(text: str, *, limit: int = 306) -> None:
    assert 0 < len(text) <= limit, (len(text), text)
    assert set(text) <= GSM7_BASIC, set(text) - GSM7_BASIC
    assert not set(text) & FORBIDDEN, text


def test_the_longest_unit_name_is_a_ward_with_thirty_characters():
    assert longest_unit_name() == "Phường Văn Miếu - Quốc Tử Giám"


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("kind", BOOKING_KINDS)
def test_every_template_fits_two_gsm_segments_with_every_fact(long_booking, kind, locale):
    facts = booking_facts(long_booking, kind)
    assert facts["link"] == LONG_SITE + "/track"
    with force_locale(locale):
        text = sms.render(kind, facts)
        whole = sms.fold(sms.clean(str(sms.TEMPLATES[kind]) % facts))
    assert_sendable(text)
    assert text == whole  # the whole template, not the facts-only fallback
    for fact in ("tracking_code", "date", "time", "link"):
        assert facts[fact] in text
    assert "Phuong Van Mieu - Quoc Tu Giam" in text


def test_facts_are_the_booking_s_in_vietnam_time(long_booking):
    long_booking.slot_start = long_booking.slot_start.replace(hour=1, minute=20)  # 08:20 +7
    facts = booking_facts(long_booking, "booking_reminder_24h")
    assert facts["time"] == "08:20"
    assert facts["date"] == long_booking.slot_start.strftime("%d/%m/%Y")
    assert facts["hours"] == "24"
    assert facts["unit"] == "Phường Văn Miếu - Quốc Tử Giám"
    assert "?" not in facts["link"] and "#" not in facts["link"]


def test_a_link_without_site_url_points_at_the_tracking_page(app, scene):
    booking = factories.make_booking(scene.reception, scene.citizen)
    assert booking_facts(booking, "booking_accepted")["link"] == "http://localhost/track"


def test_vietnamese_letters_are_folded_to_their_base_letters():
    assert sms.fold("Đặng Thị Ưởng, Đường Lê Lợi: ơ ư ă â ê ô đ") == \
        "Dang Thi Uong, Duong Le Loi: o u a a e o d"
    assert sms.fold("“Trích” – Hết…") == '"Trich" - Het...'


def test_characters_carriers_refuse_are_replaced():
    text = sms.fold(sms.clean("Lãi 5% & phí #3 [x] {y} a\\b <c> d@e ~f|g^h `i`\ndòng 2"))
    assert_sendable(text)
    assert text == "Lai 5 pt + phi No.3 (x) (y) a/b (c> d(a)e -f/gh 'i' dong 2"


def test_unicode_sms_keep_diacritics_within_two_ucs2_segments(app, scene):
    app.config.update(SMS_UNICODE=True, SITE_URL="https://tcd.hagiang.gov.vn")
    scene.unit.name = "Hà Giang"
    booking = factories.make_booking(scene.reception, scene.citizen)
    notify_booking(booking, "booking_rescheduled")
    notify_booking(booking, "booking_expired")
    db.session.flush()
    moved, expired = db.session.scalars(select(Notification.body).where(
        Notification.channel == "sms").order_by(Notification.id))
    # too long in full for 134 characters: the subject and the facts
    assert moved.startswith("Lịch tiếp công dân đã được thay đổi. Mã ")
    assert expired.startswith("Lịch hẹn tiếp công dân đã hết hiệu lực. Mã ")
    for text in (moved, expired):
        assert len(text) <= 134 and not set(text) & FORBIDDEN
        assert booking.tracking_code in text and "https://tcd.hagiang.gov.vn/track" in text


@pytest.mark.parametrize("kind", BOOKING_KINDS)
def test_a_unicode_sms_too_long_for_two_segments_goes_in_gsm7(long_booking, kind):
    with force_locale("vi"):
        text = sms.render(kind, booking_facts(long_booking, kind), unicode=True)
    assert_sendable(text)


def test_the_facts_alone_when_a_site_url_is_very_long(long_booking):
    facts = dict(booking_facts(long_booking, "booking_expired"),
                 link="https://" + "tiep-cong-dan-" * 14 + ".gov.vn/track")
    with force_locale("vi"):
        text = sms.render("booking_expired", facts)
    assert_sendable(text)
    for fact in ("tracking_code", "date", "time", "link"):
        assert facts[fact] in text


@pytest.mark.parametrize("kind, subject, body", [
    ("password_reset_code", "Mã đặt lại mật khẩu",
     "Mã của ông/bà là 482913, có hiệu lực 10 phút.\nKhông chia sẻ mã này."),
    ("task_assigned", "Nhiệm vụ mới sau buổi tiếp công dân – Nhiệm vụ số 12",
     "Nhiệm vụ số 12.\nCơ quan thực hiện: Sở Xây dựng.\nNội dung: kiểm tra hiện trạng"),
    ("staff_invitation", "Lời mời " + "rất dài " * 60, "Dòng đầu " * 80),
])
def test_other_kinds_send_their_subject_and_first_line(app, kind, subject, body):
    with force_locale("vi"):
        text = sms.render(kind, None, subject, body)
    assert_sendable(text)
    assert text.startswith(sms.fold(subject)[:20])
    if kind == "password_reset_code":
        assert "482913" in text
    if kind == "task_assigned":
        assert "kiem tra" not in text  # only the first line of the body


def test_queued_sms_are_rendered_in_the_citizen_s_language(app, scene):
    scene.citizen.locale = "en"
    booking = factories.make_booking(scene.reception, scene.citizen)
    notify_booking(booking, "booking_accepted")
    db.session.flush()
    row = db.session.scalar(select(Notification).where(Notification.channel == "sms"))
    assert row.body.startswith("People's Committee of ") and booking.tracking_code in row.body
    assert row.facts == booking_facts(booking, "booking_accepted")
    assert_sendable(row.body)


def test_a_message_without_template_is_queued_as_its_first_line(app, scene):
    queue_notification(scene.citizen, "password_reset_code", "Mã đặt lại mật khẩu",
                       "Mã của ông/bà là 482913.")
    db.session.flush()
    row = db.session.scalar(select(Notification).where(Notification.channel == "sms"))
    assert row.body == "Ma dat lai mat khau. Ma cua ong/ba la 482913"


@pytest.mark.parametrize("kind", ["booking_received", "booking_accepted", "booking_reminder_24h"])
def test_the_reception_point_is_added_when_it_fits(kind):
    facts = {"tracking_code": "TCD-ABCD-1234", "date": "16/02/2027", "time": "08:20",
             "unit": "Tuyên Quang", "link": "https://tiepcongdan.example.vn/track",
             "point": "Điểm cầu UBND Phường Minh Xuân, Trụ sở UBND Phường Minh Xuân"}
    with force_locale("vi"):
        text = sms.render(kind, facts)
        without = sms.render(kind, dict(facts, point=""))
    assert "Den Diem cau UBND Phuong Minh Xuan" in text and "mang CCCD" in text
    assert len(text) <= sms.GSM_LIMIT and not set(text) & sms.FORBIDDEN
    assert "Diem cau" not in without


def test_a_point_that_does_not_fit_is_left_out():
    facts = {"tracking_code": "TCD-ABCD-1234", "date": "16/02/2027", "time": "08:20",
             "unit": "Tuyên Quang", "link": "https://tiepcongdan.example.vn/track",
             "point": "Điểm cầu " + "rất dài " * 40}
    with force_locale("vi"):
        text = sms.render("booking_accepted", facts)
    assert "Diem cau" not in text and len(text) <= sms.GSM_LIMIT
