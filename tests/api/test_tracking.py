"""GET /api/v1/track/<code>?phone_last4=NNNN: a timeline that identifies nobody."""

import json

import pytest

from tests.bookings.scene import build_scene


@pytest.fixture
def tracked(make):
    scene = build_scene(make)
    booking = make.make_booking(scene.reception, scene.citizen, matter_type="to_cao",
                                status="pending", summary="Tố cáo ông Trần Văn Bí mật.")
    return scene, booking


def test_timeline_with_code_and_last_four_digits(api, tracked):
    _scene, booking = tracked
    response = api.get(f"/track/{booking.tracking_code}?phone_last4=5678")
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "pending"
    assert data["history"][0]["status"] == "pending"
    assert data["session_date"] and data["tasks"] == []


def test_nothing_identifying_is_given(api, tracked):
    scene, booking = tracked
    text = json.dumps(api.get(f"/track/{booking.tracking_code}?phone_last4=5678").get_json(),
                      ensure_ascii=False)
    for secret in ("Nguyễn Văn An", "912345678", "008190004321", "Bí mật", scene.citizen.email,
                   "Chủ Tịch Tỉnh"):
        assert secret not in text


def test_code_is_read_leniently(api, tracked):
    _scene, booking = tracked
    typed = booking.tracking_code.replace("-", " ").lower()
    assert api.get(f"/track/{typed}?phone_last4=5678").status_code == 200


@pytest.mark.parametrize("query", ["phone_last4=0000", "phone_last4=", "", "phone_last4=abcd"])
def test_wrong_phone_is_404(api, tracked, query):
    _scene, booking = tracked
    assert api.get(f"/track/{booking.tracking_code}?{query}").status_code == 404


def test_wrong_code_is_the_same_404(api, tracked):
    _scene, booking = tracked
    wrong = api.get("/track/K7MC-4TXP-9HRBX?phone_last4=5678")
    wrong_phone = api.get(f"/track/{booking.tracking_code}?phone_last4=1111")
    assert wrong.status_code == wrong_phone.status_code == 404
    assert wrong.get_json() == wrong_phone.get_json()


def test_rate_limited_at_thirty_a_minute(api, tracked):
    _scene, booking = tracked
    for _ in range(30):
        api.get(f"/track/{booking.tracking_code}?phone_last4=0000")
    response = api.get(f"/track/{booking.tracking_code}?phone_last4=5678")
    assert response.status_code == 429
    assert response.get_json()["error"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0
