"""The outbox page /admin/notifications/ (app/admin/outbox_views.py)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.timeutil import utcnow
from tests.factories import sign_in


@pytest.fixture
def admin_client(client, make):
    sign_in(client, make.make_user("admin"))
    return client


def test_the_outbox_shows_each_message_in_full(admin_client, outbox):
    outbox("email", recipient="lan@example.test", subject="Lời mời", body="Liên kết: http://x/y",
           attempts=2, last_error="SMTPServerDisconnected: mất kết nối")
    page = admin_client.get("/admin/notifications/").get_data(as_text=True)
    for text in ("lan@example.test", "Lời mời", "Liên kết: http://x/y",
                 "SMTPServerDisconnected: mất kết nối", "Số lần thử: 2"):
        assert text in page
    assert "chỉ được ghi vào nhật ký" in page  # development: nothing really leaves


def test_the_outbox_filters_by_status_and_channel(admin_client, outbox):
    outbox("email", recipient="da-gui@example.test", sent_at=utcnow())
    outbox("email", recipient="loi@example.test", failed_at=utcnow(), attempts=8)
    outbox("sms", recipient="+84911111111")
    failed = admin_client.get("/admin/notifications/?status=failed").get_data(as_text=True)
    assert "loi@example.test" in failed and "da-gui@example.test" not in failed
    sms = admin_client.get("/admin/notifications/?channel=sms").get_data(as_text=True)
    assert "+84911111111" in sms and "loi@example.test" not in sms
    odd = admin_client.get("/admin/notifications/?status=x&channel=fax&page=abc")
    assert odd.status_code == 200 and "da-gui@example.test" in odd.get_data(as_text=True)


def test_retry_now_puts_a_failed_message_back_in_the_queue(admin_client, outbox):
    row = outbox("email", failed_at=utcnow(), attempts=8, last_error="hỏng")
    response = admin_client.post(f"/admin/notifications/{row.id}/retry",
                                 data={"status": "failed"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/notifications/?status=failed")
    db.session.expire_all()
    assert (row.failed_at, row.attempts) == (None, 0)


def test_retrying_a_sent_message_says_why_not(admin_client, outbox):
    row = outbox("email", sent_at=utcnow())
    page = admin_client.post(f"/admin/notifications/{row.id}/retry", follow_redirects=True)
    assert "Thông báo này đã được gửi." in page.get_data(as_text=True)


@pytest.mark.parametrize("role", ["citizen", "secretary", "host", "officer", "inspector"])
def test_the_outbox_is_for_administrators_only(client, make, outbox, role):
    row = outbox("email", failed_at=utcnow())
    sign_in(client, make.make_user(role, unit=make.make_unit()))
    assert client.get("/admin/notifications/").status_code == 403
    assert client.post(f"/admin/notifications/{row.id}/retry").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/admin/notifications/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_outbox_shows_the_channel_and_the_provider_s_answer(admin_client, outbox):
    outbox("zalo", recipient="+84912345678", attempts=1, sent_at=utcnow(),
           provider_id="a1b2c3d4e5", provider_answer='{"error": 0, "message": "Success"}')
    outbox("sms", recipient="+84911111111", attempts=3, send_after=utcnow(),
           provider_answer='{"error": "down"}', last_error="SendError: HTTP 503")
    page = admin_client.get("/admin/notifications/").get_data(as_text=True)
    for text in ("Zalo ZNS", "Tin nhắn SMS", "a1b2c3d4e5", "&#34;Success&#34;",
                 "&#34;down&#34;", "SendError: HTTP 503", "Số lần thử: 3", "Thử lại lúc",
                 "Gửi lại ngay"):
        assert text in page, text
    zalo = admin_client.get("/admin/notifications/?channel=zalo").get_data(as_text=True)
    assert "+84912345678" in zalo and "+84911111111" not in zalo


def test_a_denouncer_s_message_hides_the_provider_s_answer(admin_client, outbox, scene):
    from tests import factories

    factories.make_booking(scene.reception, scene.citizen, matter_type="to_cao")
    outbox("sms", user_id=scene.citizen.id, recipient=scene.citizen.phone, attempts=1,
           provider_id="sms-9", provider_answer='{"to": "+84912345678"}')
    page = admin_client.get("/admin/notifications/").get_data(as_text=True)
    assert "sms-9" in page and "+84912345678" not in page
    assert "Người tố cáo (được giữ bí mật)" in page


@pytest.mark.parametrize("kind", ["password_reset_code", "phone_check_code"])
def test_the_outbox_hides_the_digits_of_a_one_time_code(admin_client, outbox, kind):
    text = "Ma dat lai mat khau: 482913. Hieu luc 15 phut."
    outbox("sms", recipient="+84911111112", body=text, kind=kind,
           provider_answer='{"code": 482913}')
    page = admin_client.get("/admin/notifications/").get_data(as_text=True)
    assert "482913" not in page
    assert "Ma dat lai mat khau: ••••••. Hieu luc 15 phut." in page
    assert "+84911111112" in page


def test_the_outbox_keeps_the_digits_of_other_messages(admin_client, outbox):
    outbox("sms", recipient="+84911111113", body="Lich tiep 2026-12-15 08:00, so 4821",
           kind="booking_accepted")
    page = admin_client.get("/admin/notifications/").get_data(as_text=True)
    assert "Lich tiep 2026-12-15 08:00, so 4821" in page
