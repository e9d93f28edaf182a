"""Staff invitations: app/admin/invitations.py and the invite/accept services."""

from __future__ import annotations

import re
import time

import itsdangerous
import pytest
from sqlalchemy import select

from app.admin import invitations, services
from app.auth.services import authenticate
from app.extensions import db
from app.notify.models import Notification
from sessions.errors import CoreError

INVITE = {"full_name": "Hà Thị Lan", "email": "Lan.HT@TuyenQuang.gov.vn",
          "title": "Thư ký Ban Tiếp công dân", "role": "secretary", "unit_code": "08"}


def invitation_link(user) -> str:
    row = db.session.scalar(select(Notification).where(Notification.user_id == user.id,
                                                       Notification.kind == "staff_invitation"))
    return re.search(r"http\S+/admin/invitations/(\S+)", row.body).group(1)


def test_invite_creates_an_account_without_password_and_queues_a_link(admin, province):
    user = services.invite_staff(INVITE, actor=admin)
    assert (user.email, user.password_hash, user.role_names) == (
        "lan.ht@tuyenquang.gov.vn", None, ["secretary"])
    rows = db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()
    assert [(r.channel, r.recipient) for r in rows] == [("email", "lan.ht@tuyenquang.gov.vn")]
    assert "Hà Thị Lan" in rows[0].body and "7 ngày" in rows[0].body
    assert invitations.invited_user(invitation_link(user)) is user


def test_accepting_sets_the_password_once(admin, province):
    user = services.invite_staff(INVITE, actor=admin)
    token = invitation_link(user)
    assert services.accept_invitation(token, "matkhaumoi1") is user
    assert authenticate(user.email, "matkhaumoi1") is user
    with pytest.raises(CoreError) as info:
        services.accept_invitation(token, "matkhaukhac2")
    assert info.value.code == "invite_used"
    assert "đã được sử dụng" in info.value.message


def test_an_expired_link_is_refused(admin, province, monkeypatch):
    eight_days_ago = int(time.time()) - 8 * 24 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(itsdangerous.TimestampSigner, "get_timestamp", lambda self: eight_days_ago)
        user = services.invite_staff(INVITE, actor=admin)
    with pytest.raises(CoreError) as info:
        services.accept_invitation(invitation_link(user), "matkhaumoi1")
    assert info.value.code == "invite_expired"
    assert "hết hạn" in info.value.message
    assert user.password_hash is None


@pytest.mark.parametrize("token", ["abc", "x" * 600, ""])
def test_a_forged_link_is_refused(app, token):
    with pytest.raises(CoreError) as info:
        invitations.invited_user(token)
    assert info.value.code == "invite_invalid"


def test_a_weak_password_is_refused_and_the_link_stays_valid(admin, province):
    user = services.invite_staff(INVITE, actor=admin)
    with pytest.raises(CoreError) as info:
        services.accept_invitation(invitation_link(user), "short")
    assert info.value.field == "password"
    assert invitations.invited_user(invitation_link(user)) is user


def test_a_deactivated_invitee_cannot_use_the_link(admin, province):
    user = services.invite_staff(INVITE, actor=admin)
    services.deactivate_user(user, actor=admin)
    with pytest.raises(CoreError) as info:
        invitations.invited_user(invitation_link(user))
    assert info.value.code == "invite_invalid"


@pytest.mark.parametrize("changes, field", [({"email": "not-an-email"}, "email"),
                                            ({"role": "citizen"}, "role"),
                                            ({"unit_code": ""}, "unit_code"),
                                            ({"role": "officer"}, "agency_code")])
def test_an_invalid_invitation_creates_nothing(admin, province, changes, field):
    with pytest.raises(CoreError) as info:
        services.invite_staff({**INVITE, **changes}, actor=admin)
    assert info.value.field == field
    assert db.session.scalar(select(Notification.id)) is None


def test_an_email_already_registered_is_refused(admin, province, make):
    make.make_user(email="lan.ht@tuyenquang.gov.vn")
    with pytest.raises(CoreError) as info:
        services.invite_staff(INVITE, actor=admin)
    assert info.value.code == "email_taken"


def test_resend_invitation_only_before_a_password_is_set(admin, province, make):
    user = services.invite_staff(INVITE, actor=admin)
    services.resend_invitation(user, actor=admin)
    count = db.session.scalars(select(Notification).where(Notification.user_id == user.id))
    assert len(count.all()) == 2
    with pytest.raises(CoreError):
        services.resend_invitation(make.make_user(), actor=admin)


def test_an_invited_person_may_not_take_their_email_as_password(admin, make):
    from app.admin import services
    from app.admin.invitations import invitation_token
    from sessions.errors import CoreError

    person = make.make_user("officer", email="lanha2026@tuyenquang.gov.vn")
    person.password_hash = None
    with pytest.raises(CoreError) as info:
        services.accept_invitation(invitation_token(person), "LanHa2026")
    assert info.value.code == "password_is_identifier"
    assert services.accept_invitation(invitation_token(person), "Song-Lo-2026") is person
