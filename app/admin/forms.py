"""Forms of the administrators' area (filters are plain GET forms without CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from ..auth.models import ROLES, STAFF_ROLES
from ..notify.models import OutboxState
from ..units.models import LEVELS
from ..web import ROLE_LABELS

LEVEL_LABELS = {"province": _l("Tỉnh, thành phố"), "district": _l("Huyện (trước 01/7/2025)"),
                "commune": _l("Xã, phường, đặc khu")}


def as_choices(pairs, blank=None) -> list[SelectChoice]:
    """Options from (value, label) pairs, after an optional blank one labelled ``blank``."""
    choices = [SelectChoice(value, label) for value, label in pairs]
    return [SelectChoice("", blank), *choices] if blank else choices


def level_choices(blank=None) -> list[SelectChoice]:
    return as_choices(((level, LEVEL_LABELS.get(level, level)) for level in LEVELS), blank)


def role_choices(roles=ROLES, blank=None) -> list[SelectChoice]:
    return as_choices(((role, ROLE_LABELS.get(role, role)) for role in roles), blank)


class UnitFilterForm(Form):
    q = StringField(_l("Tìm theo mã hoặc tên"), validators=[Optional(), Length(max=100)])
    level = SelectField(_l("Cấp"), choices=level_choices(_l("Tất cả các cấp")),
                        validators=[Optional()])


class UnitForm(FlaskForm):
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(_l("Vui lòng nhập tên.")),
                                                     Length(max=200)])
    level = SelectField(_l("Cấp"), choices=level_choices())
    parent_code = StringField(_l("Mã đơn vị cấp trên"), validators=[Optional(), Length(max=10)])
    is_active = BooleanField(_l("Đang hoạt động"))
    auto_accept = BooleanField(_l("Tự động tiếp nhận đăng ký (không cần thư ký duyệt)"))
    requires_verified_identity = BooleanField(
        _l("Buổi tiếp trực tuyến yêu cầu xác thực danh tính qua VNeID"))
    priority_jump = IntegerField(
        _l("Quy tắc ưu tiên trong hàng chờ"),
        validators=[Optional(), NumberRange(0, 1000, _l("Nhập số nguyên từ 0 đến 1000."))])


class ImportUnitsForm(FlaskForm):
    provinces = StringField(_l("Mã tỉnh, thành phố cần nhập cả xã, phường"),
                            validators=[Optional(), Length(max=200)])


class PeopleFilterForm(Form):
    q = StringField(_l("Tìm theo họ tên, email hoặc số điện thoại"),
                    validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Vai trò"), choices=role_choices(blank=_l("Tất cả vai trò")),
                       validators=[Optional()])
    status = SelectField(_l("Trạng thái"), choices=as_choices(
        [("active", _l("Đang hoạt động")), ("inactive", _l("Đã khóa"))], _l("Tất cả")),
        validators=[Optional()])


class RoleForm(FlaskForm):
    role = SelectField(_l("Vai trò"), choices=role_choices())
    unit_code = StringField(_l("Mã đơn vị"), validators=[Optional(), Length(max=10)])
    agency_code = StringField(_l("Mã cơ quan (với cán bộ cơ quan chuyên môn)"),
                              validators=[Optional(), Length(max=20)])
    deputy_of = SelectField(_l("Chủ trì thay cho (với Phó Chủ tịch)"), coerce=int,
                            choices=[SelectChoice(0, "—")])


class PersonForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(), Length(max=120)])
    title = StringField(_l("Chức danh"), validators=[Optional(), Length(max=200)])


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("Mật khẩu tạm thời"),
                             validators=[DataRequired(_l("Vui lòng nhập mật khẩu.")),
                                         Length(max=200)])


class InviteForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(_l("Vui lòng nhập họ và "
                                                                        "tên.")),
                                                        Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Vui lòng nhập email.")),
                                                Length(max=254)])
    title = StringField(_l("Chức danh"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Vai trò"), choices=role_choices(STAFF_ROLES))
    unit_code = StringField(_l("Mã đơn vị"), validators=[Optional(), Length(max=10)])
    agency_code = StringField(_l("Mã cơ quan (với cán bộ cơ quan chuyên môn)"),
                              validators=[Optional(), Length(max=20)])


class AcceptInviteForm(FlaskForm):
    password = PasswordField(_l("Mật khẩu mới"),
                             validators=[DataRequired(_l("Vui lòng nhập mật khẩu.")),
                                         Length(max=200)])
    confirm = PasswordField(_l("Nhập lại mật khẩu"),
                            validators=[EqualTo("password", _l("Hai mật khẩu không khớp."))])


class AgencyForm(FlaskForm):
    code = StringField(_l("Mã cơ quan"), validators=[DataRequired(_l("Vui lòng nhập mã.")),
                                                     Length(max=20)])
    name = StringField(_l("Tên cơ quan"), validators=[DataRequired(_l("Vui lòng nhập tên.")),
                                                      Length(max=200)])
    email = EmailField(_l("Email nhận nhiệm vụ"), validators=[Optional(), Length(max=200)])
    is_active = BooleanField(_l("Đang hoạt động"), default=True)


class OfficerForm(FlaskForm):
    """Someone found by e-mail or phone, to be given a role at a fixed unit or agency."""

    person = StringField(_l("Email hoặc số điện thoại của người được giao"),
                         validators=[DataRequired(_l("Vui lòng nhập email hoặc số điện thoại.")),
                                     Length(max=254)])


class AssignForm(OfficerForm):
    """A host or deputy of a fixed unit."""

    role = SelectField(_l("Vai trò"), choices=role_choices(("host", "deputy")))
    deputy_of = SelectField(_l("Chủ trì thay cho (với Phó Chủ tịch)"), coerce=int,
                            choices=[SelectChoice(0, "—")])


class OutboxFilterForm(Form):
    status = SelectField(_l("Trạng thái"), choices=as_choices(
        [(OutboxState.PENDING, _l("Chờ gửi")), (OutboxState.SENT, _l("Đã gửi")),
         (OutboxState.FAILED, _l("Gửi không thành công"))], _l("Tất cả")),
        validators=[Optional()])
    channel = SelectField(_l("Kênh"), choices=as_choices(
        [("email", _l("Email")), ("sms", _l("Tin nhắn SMS")), ("zalo", _l("Zalo ZNS"))],
        _l("Tất cả")),
        validators=[Optional()])
