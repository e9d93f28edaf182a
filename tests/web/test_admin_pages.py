"""The administrators' pages (app/admin/views.py, people_views.py): access and flows."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import itsdangerous
import pytest
from sqlalchemy import func, select

from app.admin import services
from app.auth.models import RoleAssignment, User
from app.extensions import db
from app.notify.models import Notification
from app.timeutil import utcnow
from app.units.models import Agency, Unit
from tests.factories import PASSWORD, sign_in

NON_ADMIN_ROLES = ["citizen", "secretary", "host", "deputy", "officer", "inspector"]


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def world(make):
    """A province 08 with a commune, an agency, a chairman and an administrator."""
    province = make.make_unit("08", name="Tuyên Quang")
    commune = make.make_unit("02266", level="commune", parent=province, name="Phường Minh Xuân")
    agency = make.make_agency(province, "SNNMT", "Sở Nông nghiệp và Môi trường")
    chairman = make.make_user("host", unit=province, full_name="Nguyễn Văn Sơn")
    admin = make.make_user("admin", full_name="Quản Trị Viên")
    return SimpleNamespace(province=province, commune=commune, agency=agency,
                           chairman=chairman, admin=admin)


@pytest.fixture
def admin_client(client, world):
    sign_in(client, world.admin)
    return client


def get_pages(w) -> list[str]:
    return ["/admin/", "/admin/units/", "/admin/units/08", "/admin/units/08/hosts",
            "/admin/units/08/agencies", f"/admin/agencies/{w.agency.id}", "/admin/people/",
            f"/admin/people/{w.chairman.id}", "/admin/people/invite", "/admin/notifications/"]


def post_actions(w) -> list[str]:
    person = f"/admin/people/{w.chairman.id}"
    return ["/admin/units/import", "/admin/units/08", "/admin/units/08/hosts",
            "/admin/units/08/agencies", f"/admin/agencies/{w.agency.id}",
            f"/admin/agencies/{w.agency.id}/officers", "/admin/people/invite",
            f"{person}/details", f"{person}/roles", f"{person}/deactivate",
            f"{person}/reactivate", f"{person}/unlock", f"{person}/resend-invite",
            f"{person}/password", f"/admin/roles/{w.chairman.roles[0].id}/revoke"]


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_every_admin_page_and_action_is_refused_to(role, client, make, world):
    sign_in(client, make.make_user(role, unit=world.province,
                                 agency=world.agency if role == "officer" else None))
    for url in get_pages(world):
        assert client.get(url).status_code == 403, url
    for url in post_actions(world):
        assert client.post(url).status_code == 403, url
    assert world.chairman.is_active_account and world.chairman.has_role("host")


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    for url in get_pages(world):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for url in post_actions(world):
        assert client.post(url).status_code == 302, url


def test_every_admin_page_opens_for_an_administrator(admin_client, world):
    for url in get_pages(world):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert 'style="' not in text(response) and "onclick" not in text(response), url


def test_dashboard_counts_and_links(admin_client, world):
    page = text(admin_client.get("/admin/"))
    assert 'data-count="provinces">1<' in page and 'data-count="communes">1<' in page
    for link in ("/admin/units/", "/admin/people/", "/admin/people/invite",
                 "/admin/notifications/"):
        assert f'href="{link}"' in page


# -- units -------------------------------------------------------------------------------

def test_unit_list_filters_by_level_and_paginates(admin_client, make, world):
    for _ in range(55):
        make.make_unit(level="commune", parent=world.province)
    page = text(admin_client.get("/admin/units/?level=commune"))
    assert "Tìm thấy 56 đơn vị." in page and "<td>08</td>" not in page
    assert "/admin/units/?page=2&amp;level=commune" in page or \
        "/admin/units/?level=commune&amp;page=2" in page
    second = text(admin_client.get("/admin/units/?level=commune&page=2"))
    # Commune codes have five digits (the factory's sequence decides which).
    assert len(re.findall(r'href="/admin/units/\d{5}"', second)) >= 6


def test_edit_a_unit(admin_client, world):
    response = admin_client.post("/admin/units/02266", data={
        "name": "Phường Mỹ Lâm", "level": "commune", "parent_code": "08", "is_active": "y",
        "auto_accept": "y", "priority_jump": "3"})
    assert response.status_code == 302
    unit = db.session.get(Unit, world.commune.id)
    assert (unit.name, unit.auto_accept, unit.priority_jump, unit.is_active) == (
        "Phường Mỹ Lâm", True, 3, True)


def test_a_unit_form_error_is_shown_next_to_its_field(admin_client, world):
    response = admin_client.post("/admin/units/08", data={
        "name": "Tuyên Quang", "level": "province", "parent_code": "02266"})
    assert response.status_code == 200
    assert "Đơn vị cấp trên không thể là chính đơn vị này" in text(response)
    assert db.session.get(Unit, world.province.id).parent_id is None


def test_the_import_button_imports_the_34_provinces(admin_client, world):
    response = admin_client.post("/admin/units/import", data={"provinces": ""},
                                 follow_redirects=True)
    assert "đơn vị mới" in text(response)
    count = db.session.scalar(select(func.count(Unit.id)).where(Unit.level == "province"))
    assert count == 34


# -- hosts, deputies, agencies -----------------------------------------------------------

def test_assign_a_deputy_on_the_hosts_page(admin_client, make, world):
    vice = make.make_user(full_name="Phạm Văn Phó")
    response = admin_client.post("/admin/units/08/hosts", data={
        "person": vice.email, "role": "deputy", "deputy_of": str(world.chairman.id)})
    assert response.status_code == 302
    role = db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == vice.id,
                                                          RoleAssignment.role == "deputy"))
    assert (role.role, role.unit_id, role.deputy_of_id) == (
        "deputy", world.province.id, world.chairman.id)
    page = text(admin_client.get("/admin/units/08/hosts"))
    assert "Phạm Văn Phó" in page and "Nguyễn Văn Sơn" in page


def test_assigning_an_unknown_person_says_so(admin_client, world):
    response = admin_client.post("/admin/units/08/hosts", data={
        "person": "khongco@example.test", "role": "host", "deputy_of": "0"})
    assert response.status_code == 200
    assert "Không tìm thấy người có email hoặc số điện thoại này" in text(response)


def test_create_agency_and_refuse_a_duplicate_code(admin_client, world):
    data = {"code": "SXD", "name": "Sở Xây dựng", "email": "sxd@example.test", "is_active": "y"}
    assert admin_client.post("/admin/units/08/agencies", data=data).status_code == 302
    again = admin_client.post("/admin/units/08/agencies", data=data)
    assert again.status_code == 200
    assert "Mã cơ quan SXD đã có trong đơn vị này." in text(again)
    assert db.session.scalar(select(func.count(Agency.id))) == 2


def test_edit_agency_and_add_an_officer(admin_client, make, world):
    clerk = make.make_user(full_name="Lý Văn Hùng", phone="+84987654321")
    url = f"/admin/agencies/{world.agency.id}"
    admin_client.post(url, data={"code": "SNNMT", "name": "Sở NN và MT"})
    assert admin_client.post(f"{url}/officers",
                             data={"officer-person": "0987654321"}).status_code == 302
    agency = db.session.get(Agency, world.agency.id)
    assert (agency.name, agency.is_active) == ("Sở NN và MT", False)
    role = db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == clerk.id,
                                                          RoleAssignment.role == "officer"))
    assert (role.role, role.agency_id, role.unit_id) == ("officer", agency.id, world.province.id)
    assert "Lý Văn Hùng" in text(admin_client.get(url))


# -- people ------------------------------------------------------------------------------

def test_people_search(admin_client, make, world):
    make.make_user(full_name="Trần Thị Bình", phone="+84912345678")
    page = text(admin_client.get("/admin/people/?q=0912345678"))
    assert "Trần Thị Bình" in page and "Nguyễn Văn Sơn" not in page
    hosts = text(admin_client.get("/admin/people/?role=host"))
    assert "Nguyễn Văn Sơn" in hosts and "Trần Thị Bình" not in hosts


def test_grant_and_revoke_a_role_on_the_person_page(admin_client, make, world):
    person = make.make_user()
    admin_client.post(f"/admin/people/{person.id}/roles", data={
        "role-role": "secretary", "role-unit_code": "02266", "role-deputy_of": "0"})
    role = db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == person.id,
                                                          RoleAssignment.role == "secretary"))
    assert role.unit_id == world.commune.id
    admin_client.post(f"/admin/roles/{role.id}/revoke")
    db.session.expire_all()
    assert db.session.get(User, person.id).role_names == ["citizen"]


def test_the_last_admin_role_stays_with_a_clear_message(admin_client, world):
    role_id = world.admin.roles[0].id
    response = admin_client.post(f"/admin/roles/{role_id}/revoke", follow_redirects=True)
    assert "quản trị viên cuối cùng" in text(response)
    assert db.session.get(RoleAssignment, role_id) is not None


def test_deactivated_people_cannot_log_in(admin_client, api, world):
    admin_client.post(f"/admin/people/{world.chairman.id}/deactivate")
    response = api.post("/auth/login", json={"username": world.chairman.email,
                                             "password": PASSWORD})
    assert response.status_code == 401
    admin_client.post(f"/admin/people/{world.chairman.id}/reactivate")
    response = api.post("/auth/login", json={"username": world.chairman.email,
                                             "password": PASSWORD})
    assert response.status_code == 200


def test_reset_password_and_title(admin_client, api, world):
    url = f"/admin/people/{world.chairman.id}"
    admin_client.post(f"{url}/password", data={"pw-password": "tamthoi2027"})
    admin_client.post(f"{url}/details", data={"person-full_name": "Nguyễn Văn Sơn",
                                              "person-title": "Chủ tịch UBND tỉnh"})
    assert db.session.get(User, world.chairman.id).title == "Chủ tịch UBND tỉnh"
    response = api.post("/auth/login", json={"username": world.chairman.email,
                                             "password": "tamthoi2027"})
    assert response.status_code == 200


def test_a_weak_temporary_password_is_refused_in_vietnamese(admin_client, world):
    response = admin_client.post(f"/admin/people/{world.chairman.id}/password",
                                 data={"pw-password": "123"}, follow_redirects=True)
    assert "Mật khẩu phải có ít nhất 8 ký tự, gồm cả chữ và số." in text(response)


def test_unlock_on_the_person_page(admin_client, world):
    world.chairman.failed_logins, world.chairman.locked_until = 10, utcnow().replace(year=2100)
    url = f"/admin/people/{world.chairman.id}"
    assert "Tạm khóa đăng nhập đến" in text(admin_client.get(url))
    admin_client.post(f"{url}/unlock")
    assert db.session.get(User, world.chairman.id).locked_until is None


# -- invitations -------------------------------------------------------------------------

def invite(admin_client, email="lan@tuyenquang.gov.vn"):
    response = admin_client.post("/admin/people/invite", data={
        "full_name": "Hà Thị Lan", "email": email, "role": "officer", "unit_code": "08",
        "agency_code": "SNNMT"})
    assert response.status_code == 302, text(response)
    body = db.session.scalar(select(Notification.body).where(
        Notification.recipient == email, Notification.kind == "staff_invitation"))
    return re.search(r"http://localhost(/admin/invitations/\S+)", body).group(1)


def test_an_invited_officer_sets_a_password_and_is_signed_in(app, admin_client, world):
    link = invite(admin_client)
    visitor = app.test_client()
    assert "Hà Thị Lan" in text(visitor.get(link))
    response = visitor.post(link, data={"password": "matkhau2027", "confirm": "matkhau2027"})
    assert response.status_code == 302
    assert "Hà Thị Lan" in text(visitor.get("/profile"))
    again = visitor.get(link)
    assert again.status_code == 410 and "đã được sử dụng" in text(again)


def test_mismatched_or_weak_passwords_are_refused_on_the_invitation_page(app, admin_client,
                                                                          world):
    link = invite(admin_client)
    visitor = app.test_client()
    page = text(visitor.post(link, data={"password": "matkhau2027", "confirm": "khac"}))
    assert "Hai mật khẩu không khớp." in page
    page = text(visitor.post(link, data={"password": "ngan", "confirm": "ngan"}))
    assert "Mật khẩu phải có ít nhất 8 ký tự" in page
    assert visitor.get("/profile").status_code == 302


def test_an_expired_invitation_link_says_so(client, world, monkeypatch):
    eight_days_ago = int(time.time()) - 8 * 24 * 3600
    with monkeypatch.context() as patch:  # the link (only) was signed eight days ago
        patch.setattr(itsdangerous.TimestampSigner, "get_timestamp", lambda self: eight_days_ago)
        user = services.invite_staff({"full_name": "Hà Thị Lan", "email": "lan@example.test",
                                      "role": "admin"}, actor=world.admin)
    db.session.commit()
    body = db.session.scalar(select(Notification.body).where(Notification.user_id == user.id))
    link = re.search(r"http://localhost(/admin/invitations/\S+)", body).group(1)
    response = client.get(link)
    assert response.status_code == 410 and "Liên kết mời đã hết hạn" in text(response)


def test_a_forged_invitation_link_says_so(client):
    response = client.get("/admin/invitations/gia-mao")
    assert response.status_code == 410 and "Liên kết mời không hợp lệ" in text(response)


def test_an_invitation_error_is_shown_on_the_form(admin_client, world):
    response = admin_client.post("/admin/people/invite", data={
        "full_name": "Hà Thị Lan", "email": world.chairman.email, "role": "secretary",
        "unit_code": "08"})
    assert response.status_code == 200
    assert "Email này đã có tài khoản" in text(response)


def test_admin_turns_off_a_lost_second_factor(admin_client, world):
    import pyotp

    from app.auth import totp

    secret = pyotp.random_base32()
    assert totp.enable(world.chairman, secret, pyotp.TOTP(secret).now())
    db.session.commit()
    url = f"/admin/people/{world.chairman.id}"
    assert "Tắt xác thực hai bước" in text(admin_client.get(url))
    admin_client.post(f"{url}/reset-totp")
    person = db.session.get(User, world.chairman.id)
    assert person.totp_enabled_at is None and person.totp_secret is None
    again = admin_client.post(f"{url}/reset-totp", follow_redirects=True)
    assert "Tài khoản này chưa bật xác thực hai bước." in text(again)
