"""The phone check at registration (PHONE_CHECK, app/auth/recovery.py): the account of a
citizen who registers with a phone works once the code sent there by SMS is given."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.auth import codes
from app.auth.models import User
from app.config import DevelopmentConfig, ProductionConfig, TestingConfig
from app.extensions import db
from app.notify.models import Notification

PASSWORD = "mat-khau-2027"


def body(phone="0912345678", **extra):
    return {"full_name": "Nguyễn Văn An", "phone": phone, "password": PASSWORD,
            "consents": {"data_processing": True}, **extra}


def sent_code(phone="+84912345678", nth=-1) -> str:
    """The code in the SMS queued for ``phone`` (the ``nth``)."""
    rows = db.session.scalars(select(Notification).where(Notification.recipient == phone)
                              .order_by(Notification.id)).all()
    assert rows and all(r.channel == "sms" and r.kind == "phone_check_code" for r in rows)
    return re.findall(r"\b(\d{6})\b", rows[nth].body)[0]


def api(client, path, json, address="203.0.113.20"):
    db.session.commit()
    response = client.post(f"/api/v1{path}", json=json, environ_base={"REMOTE_ADDR": address})
    db.session.expire_all()
    return response


def login(client, password=PASSWORD):
    return api(client, "/auth/login", {"username": "0912345678", "password": password})


def test_off_by_default_except_in_production():
    assert not TestingConfig.PHONE_CHECK and not DevelopmentConfig.PHONE_CHECK
    assert ProductionConfig.PHONE_CHECK


def test_without_the_check_the_account_works_at_once(app, client):
    assert api(client, "/auth/register", body()).status_code == 201
    assert login(client).status_code == 200
    assert db.session.scalar(select(Notification.id)) is None


def test_api_registration_waits_for_the_code(app, client):
    app.config["PHONE_CHECK"] = True
    created = api(client, "/auth/register", body())
    assert created.status_code == 201 and created.get_json()["phone_check"] is True
    assert login(client).status_code == 401  # not active yet
    code = sent_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = api(client, "/auth/register/confirm", {"username": "0912345678", "code": wrong})
    assert refused.status_code == 422 and refused.get_json()["error"] == "validation_error"
    assert "code" in refused.get_json()["errors"]
    done = api(client, "/auth/register/confirm", {"username": "0912345678", "code": code})
    assert done.status_code == 200 and done.get_json()["full_name"] == "Nguyễn Văn An"
    user = db.session.scalar(select(User))
    assert user.is_active and user.phone_verified_at is not None
    assert login(client).status_code == 200
    again = api(client, "/auth/register/confirm", {"username": "0912345678", "code": code})
    assert again.status_code == 422  # nothing waits any more


def test_five_wrong_codes_then_a_new_code(app, client):
    app.config["PHONE_CHECK"] = True
    api(client, "/auth/register", body())
    code = sent_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(codes.MAX_TRIES):
        api(client, "/auth/register/confirm", {"username": "0912345678", "code": wrong})
    assert api(client, "/auth/register/confirm",
               {"username": "0912345678", "code": code}).status_code == 422
    assert api(client, "/auth/register/resend", {"username": "0912345678"}).status_code == 202
    fresh = sent_code()
    assert api(client, "/auth/register/confirm",
               {"username": "+84912345678", "code": fresh}).status_code == 200


def test_resend_says_nothing_about_other_numbers(app, client, make):
    app.config["PHONE_CHECK"] = True
    active = make.make_user("citizen")
    for name in (active.phone, "0987654321", "khong-phai-so"):
        answer = api(client, "/auth/register/resend", {"username": name})
        assert answer.status_code == 202 and answer.get_json() == {"ok": True}
    assert db.session.scalar(select(Notification.id)) is None


def test_web_registration_with_the_check(app, client):
    app.config["PHONE_CHECK"] = True
    registered = client.post("/register", data={
        "full_name": "Nguyễn Văn An", "phone": "0912345678", "password": PASSWORD,
        "consent_data": "y"})
    assert registered.status_code == 302
    assert registered.headers["Location"].endswith("/register/confirm")
    assert client.get("/profile").status_code == 302  # not signed in
    page = client.get("/register/confirm").get_data(as_text=True)
    assert "Chúng tôi đã gửi mã xác nhận" in page
    code_input = re.search(r'<input[^>]*name="code"[^>]*>', page).group(0)
    assert 'autocomplete="one-time-code"' in code_input and 'inputmode="numeric"' in code_input
    assert 'value="+84912345678"' in page
    code = sent_code()
    wrong = client.post("/register/confirm", data={"username": "+84912345678",
                                                   "code": f"{(int(code) + 1) % 10**6:06d}"})
    assert "Mã xác nhận không đúng hoặc đã hết hạn." in wrong.get_data(as_text=True)
    resent = client.post("/register/confirm/resend", data={"username": "+84912345678"})
    assert resent.status_code == 302
    replaced = client.post("/register/confirm", data={"username": "+84912345678",
                                                      "code": code})
    assert "Mã xác nhận không đúng hoặc đã hết hạn." in replaced.get_data(as_text=True)
    done = client.post("/register/confirm", data={"username": "+84912345678",
                                                  "code": sent_code()})
    assert done.status_code == 302
    assert client.get("/profile").status_code == 200


def _expire_codes():
    from app.auth.models import OneTimeCode
    from app.timeutil import utcnow

    for row in db.session.scalars(select(OneTimeCode)):
        row.expires_at = utcnow() - codes.LIFETIME
    db.session.commit()


def test_an_unconfirmed_registration_does_not_hold_the_phone(app, client):
    """Someone typed this phone by mistake and never confirmed: once the code expired, the
    phone's holder registers with it, and only they receive the new code."""
    app.config["PHONE_CHECK"] = True
    assert api(client, "/auth/register", body(email="nham@example.test")).status_code == 201
    held = api(client, "/auth/register", body(full_name="Trần Thị Bình"))
    assert held.status_code == 422  # the code still runs: the number is taken for now
    _expire_codes()
    again = api(client, "/auth/register", body(full_name="Trần Thị Bình",
                                               email="nham@example.test"))
    assert again.status_code == 201
    done = api(client, "/auth/register/confirm", {"username": "0912345678", "code": sent_code()})
    assert done.status_code == 200 and done.get_json()["full_name"] == "Trần Thị Bình"
    users = db.session.scalars(select(User).order_by(User.id)).all()
    assert [u.phone for u in users] == [None, "+84912345678"]
    assert users[0].full_name != "Nguyễn Văn An" and users[0].email is None
    assert not users[0].is_active
    old_sms = db.session.scalars(select(Notification).where(Notification.user_id == users[0].id))
    assert all(n.body == "" and n.recipient == "" for n in old_sms)


def test_a_confirmed_or_waiting_account_is_never_released(app, client, make):
    app.config["PHONE_CHECK"] = True
    make.make_user("citizen", phone="+84912345678", is_active_account=False)  # disabled
    db.session.commit()
    assert api(client, "/auth/register", body()).status_code == 422
    assert db.session.scalar(select(User.phone)) == "+84912345678"


def test_the_retention_job_releases_what_waited_a_day(app, client):
    from datetime import timedelta

    from app.auth.recovery import release_unconfirmed
    from app.timeutil import utcnow

    app.config["PHONE_CHECK"] = True
    api(client, "/auth/register", body())
    _expire_codes()
    assert release_unconfirmed() == 0  # expired minutes ago: the citizen may still resend
    assert release_unconfirmed(utcnow() + timedelta(days=1, minutes=1)) == 1
    db.session.commit()
    assert db.session.scalar(select(User.phone)) is None
    assert api(client, "/auth/register", body()).status_code == 201
