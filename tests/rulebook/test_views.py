"""/quy-dinh (anyone) and the administrator's rule pages."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.rulebook import services as rulebook
from app.rulebook.models import RuleVersion
from tests.factories import make_unit, make_user, sign_in


@pytest.fixture
def units(app):
    rulebook.seed_rules()
    province = make_unit("08", name="Tuyên Quang")
    commune = make_unit("02269", level="commune", parent=province, name="Xã Thượng Lâm")
    db.session.commit()
    return province, commune


def _page(client, **query):
    response = client.get("/quy-dinh", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_anyone_sees_the_commune_rule_change_on_1_july_2026(client, units):
    before = _page(client, province="08", commune="02269", date="2026-06-30")
    after = _page(client, province="08", commune="02269", date="2026-07-01")
    assert "Xã Thượng Lâm" in before
    assert "Ít nhất 1 ngày mỗi tuần" in before and "Điều 15 khoản 2 điểm d" in before
    assert "Ít nhất 2 ngày mỗi tháng" in after and "Luật số 136/2025/QH15" in after
    freq_after = after.split('data-part="frequency"')[1].split("</section>")[0]
    assert "Cần kiểm tra lại" in freq_after
    assert "Cần kiểm tra lại" not in before.split('data-part="frequency"')[1].split(
        "</section>")[0]
    # The delegation rule, the grounds with their sources and the deadlines.
    assert "không được ủy quyền cho cấp phó" in after
    assert "Chủ tịch có thể ủy quyền cho cấp phó" in before
    assert "Nghị định 154/2026/NĐ-CP, Điều 4 khoản 1 điểm đ" in after
    assert 'data-ground="already_answered"' in after
    assert "Luật số 136/2025/QH15 (theo báo cáo, cần kiểm tra)" in after


def test_the_page_in_english(client, units):
    client.get("/lang/en")
    page = _page(client, province="08", commune="02269", date="2026-08-01")
    assert '<html lang="en">' in page
    assert "At least 2 days per month" in page
    assert "To be verified" in page
    assert "Grounds for refusing" in page


@pytest.mark.parametrize("query", [
    {"date": "31/12/2026"}, {"date": "2026-02-30"}, {"unit": "x" * 500},
    {"province": "99999"}, {"commune": "<script>"}, {"date": "9" * 400}])
def test_any_input_gives_a_page(client, units, query):
    page = _page(client, **query)
    assert "Quy định áp dụng" in page


def test_the_province_alone_shows_its_own_rule(client, units):
    page = _page(client, province="08", date="2026-08-01")
    assert "Ít nhất 1 ngày mỗi tháng" in page and 'data-level="commune"' not in page


def test_the_footer_links_the_page(client, units):
    assert "/quy-dinh" in client.get("/").get_data(as_text=True)


# --- the administrator's pages --------------------------------------------------------

def _province_rule():
    return db.session.scalar(select(RuleVersion).where(RuleVersion.kind == "frequency",
                                                       RuleVersion.code == "province"))


@pytest.mark.parametrize("role", [None, "citizen", "secretary", "host", "officer"])
def test_only_the_administrator_edits_rules(client, units, role):
    if role:
        sign_in(client, make_user(role, unit=units[0]) if role != "citizen" else make_user())
        db.session.commit()
    version = _province_rule()
    for url in ("/admin/quy-dinh", f"/admin/quy-dinh/{version.id}", "/admin/quy-dinh/moi"):
        response = client.get(url)
        assert response.status_code in (302, 403), url
    response = client.post(f"/admin/quy-dinh/{version.id}", data={"effective_from": "2020-01-01"})
    assert response.status_code in (302, 400, 403)
    db.session.expire_all()
    assert _province_rule().effective_from == date(2014, 7, 1)


def test_the_administrator_edits_a_rule_and_it_is_audited(client, units):
    admin = make_user("admin")
    db.session.commit()
    sign_in(client, admin)
    version = _province_rule()
    listing = client.get("/admin/quy-dinh").get_data(as_text=True)
    assert f'data-rule="{version.id}"' in listing and "Cần kiểm tra lại" in listing
    form = client.get(f"/admin/quy-dinh/{version.id}").get_data(as_text=True)
    assert 'value="2014-07-01"' in form
    response = client.post(f"/admin/quy-dinh/{version.id}", data={
        "effective_from": "2014-07-01", "effective_until": "", "min_days": "1", "per": "month",
        "source": "Luật Tiếp công dân 2013, Điều 12 khoản 5", "note": "Đã đối chiếu",
        "to_verify": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert _province_rule().to_verify and _province_rule().note == "Đã đối chiếu"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rule_edit"))
    assert event.actor_id == admin.id
    detail = json.loads(event.detail)
    assert (detail["before"]["to_verify"], detail["after"]["to_verify"]) == (False, True)


@pytest.mark.parametrize(("data", "message"), [
    ({"effective_from": "hôm nay"}, "Ngày phải có dạng YYYY-MM-DD."),
    ({"effective_until": "2000-01-01"}, "Ngày hết hiệu lực không được trước ngày có hiệu lực."),
    ({"min_days": "một"}, "Phải là số nguyên từ 0 đến 31."),
    ({"source": ""}, "Vui lòng nhập thông tin này."),
])
def test_bad_input_is_refused_in_vietnamese(client, units, data, message):
    sign_in(client, make_user("admin"))
    db.session.commit()
    version = _province_rule()
    values = {"effective_from": "2014-07-01", "min_days": "1", "per": "month",
              "source": "Luật"}
    values.update(data)
    response = client.post(f"/admin/quy-dinh/{version.id}", data=values)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert _province_rule().source == "Luật Tiếp công dân 2013, Điều 12 khoản 5"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rule_edit")) is None


def test_the_administrator_adds_a_version(client, units):
    sign_in(client, make_user("admin"))
    db.session.commit()
    version = _province_rule()
    form = client.get(f"/admin/quy-dinh/moi?from={version.id}").get_data(as_text=True)
    assert "Luật Tiếp công dân 2013, Điều 12 khoản 5" in form
    response = client.post("/admin/quy-dinh/moi", data={
        "kind": "delegation", "code": "deputy_hosting", "allowed": "1",
        "effective_from": "2027-01-01", "source": "Văn bản sửa đổi", "note": ""})
    assert response.status_code == 302
    assert rulebook.may_delegate(date(2027, 1, 1)) is True
    assert rulebook.may_delegate(date(2026, 12, 31)) is False
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rule_add"))
    bad = client.post("/admin/quy-dinh/moi", data={"kind": "frequency", "code": "thon",
                                                  "effective_from": "2027-01-01"})
    assert bad.status_code == 422 and "Mã quy định không hợp lệ." in bad.get_data(as_text=True)
    assert client.get("/admin/quy-dinh/999999").status_code == 404
    assert client.get("/admin/quy-dinh?kind=<b>").status_code == 200
