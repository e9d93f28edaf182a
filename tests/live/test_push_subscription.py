"""The waiting room's "notify me when my turn is near": the button, the service worker and
the route that keeps a browser's push subscription (JSON, CSRF-protected)."""

from __future__ import annotations

import base64
import os
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.notify.models import PushSubscription
from app.notify.push import new_vapid_keys
from tests.factories import sign_in

ENDPOINT = "https://push.example.test/send/abc123"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def subscription(endpoint: str = ENDPOINT) -> dict:
    return {"endpoint": endpoint, "expirationTime": None,
            "keys": {"p256dh": _b64(b"\x04" + os.urandom(64)), "auth": _b64(os.urandom(16))}}


@pytest.fixture
def room(app, make):
    from types import SimpleNamespace

    unit = make.make_unit()
    host = make.make_user("host", unit=unit)
    reception = make.make_reception(unit, host, starts_in_minutes=30)
    citizen, other = make.make_user("citizen"), make.make_user("citizen")
    make.make_booking(reception, citizen, slot_index=0)
    public, private = new_vapid_keys()
    app.config.update(VAPID_PUBLIC_KEY=public, VAPID_PRIVATE_KEY=private,
                      VAPID_SUBJECT="mailto:tiepcongdan@example.test")
    db.session.commit()
    return SimpleNamespace(reception=reception, host=host, citizen=citizen, other=other,
                           url=f"/live/{reception.id}/push-subscription", public=public)


def count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(PushSubscription))


def test_a_citizen_of_the_session_saves_the_subscription_once(client, room):
    sign_in(client, room.citizen)
    response = client.post(room.url, json=subscription())
    assert response.status_code == 201 and response.get_json() == {"ok": True}
    renewed = subscription()
    assert client.post(room.url, json=renewed).status_code == 201
    assert count() == 1
    row = db.session.scalar(select(PushSubscription))
    assert (row.user_id, row.endpoint, row.p256dh, row.auth) == (
        room.citizen.id, ENDPOINT, renewed["keys"]["p256dh"], renewed["keys"]["auth"])


@pytest.mark.parametrize("body", [
    None, [], {"endpoint": ENDPOINT}, {**subscription(), "endpoint": "http://push.example.test/x"},
    {**subscription(), "endpoint": "javascript:alert(1)"},
    {**subscription(), "endpoint": "https://x.test/" + "a" * 1000},
    {"endpoint": ENDPOINT, "keys": {"p256dh": "khong-hop-le", "auth": _b64(os.urandom(16))}},
    {"endpoint": ENDPOINT, "keys": {"p256dh": _b64(b"\x04" + os.urandom(64)), "auth": 7}},
    {"endpoint": ENDPOINT, "keys": {"p256dh": _b64(b"\x04" + os.urandom(64)),
                                    "auth": _b64(os.urandom(15))}},
])
def test_bad_input_is_refused_in_vietnamese_and_nothing_is_saved(client, room, body):
    sign_in(client, room.citizen)
    response = (client.post(room.url, data="{khong phai json", content_type="application/json")
                if body is None else client.post(room.url, json=body))
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["error"] == "validation_error" and "không hợp lệ" in answer["message"]
    assert count() == 0


def test_route_permissions_per_role(client, room, make):
    assert client.post(room.url, json=subscription()).status_code == 302  # to the login
    for user in (room.other, room.host, make.make_user("officer"), make.make_user("admin")):
        sign_in(client, user)
        assert client.post(room.url, json=subscription()).status_code == 404, user
    sign_in(client, room.citizen)
    assert client.post(f"/live/{room.reception.id + 99}/push-subscription",
                       json=subscription()).status_code == 404
    assert count() == 0


def test_without_vapid_keys_nothing_is_saved_and_no_button_shows(client, room, app):
    app.config.update(VAPID_PUBLIC_KEY=None, VAPID_PRIVATE_KEY=None)
    sign_in(client, room.citizen)
    assert client.post(room.url, json=subscription()).status_code == 409
    page = client.get(f"/live/{room.reception.id}/room").get_data(as_text=True)
    assert 'id="push-subscribe"' not in page and "live-push.js" not in page
    assert count() == 0


@pytest.mark.parametrize("locale,label", [("vi", "Báo cho tôi khi sắp đến lượt"),
                                          ("en", "Notify me when my turn is near")])
def test_the_button_needs_the_csrf_token_of_the_page(client, room, app, locale, label):
    sign_in(client, room.citizen)
    client.get(f"/lang/{locale}")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(room.url, json=subscription()).status_code == 400
    page = client.get(f"/live/{room.reception.id}/room",
                      headers={"Accept-Language": locale}).get_data(as_text=True)
    button = re.search(r'<button[^>]*id="push-subscribe".*?</button>', page, re.S).group(0)
    assert label in button and f'data-key="{room.public}"' in button
    token = re.search(r'data-csrf="([^"]+)"', button).group(1)
    response = client.post(room.url, json=subscription(), headers={"X-CSRFToken": token})
    assert response.status_code == 201 and count() == 1


def test_the_service_worker_is_served_with_the_live_scope(client):
    response = client.get("/live/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/live/"
    script = response.get_data(as_text=True)
    response.close()
    assert "showNotification" in script and "openWindow" in script
    assert "http" not in script.replace("http_", "")  # nothing from another site
