"""Web forms for accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    username = StringField(_l("Email hoặc số điện thoại"),
                           validators=[DataRequired(_l("Vui lòng nhập email hoặc số điện thoại.")),
                                       Length(max=254)])
    password = PasswordField(_l("Mật khẩu"),
                             validators=[DataRequired(_l("Vui lòng nhập mật khẩu.")),
                                         Length(max=200)])
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này"))
    # Shown only when this address is throttled: staff with two-step verification
    # still sign in with their password and a code.
    code = StringField(_l("Mã xác thực hai bước (nếu có)"), validators=[Optional(), Length(max=20)])


class RegisterForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(_l("Vui lòng nhập họ và tên.")),
                                                        Length(max=120)])
    phone = StringField(_l("Số điện thoại di động"),
                        validators=[DataRequired(_l("Vui lòng nhập số điện thoại.")),
                                    Length(max=20)])
    email = EmailField(_l("Email (không bắt buộc)"), validators=[Optional(), Length(max=254)])
    cccd = StringField(_l("Số CCCD (không bắt buộc)"), validators=[Optional(), Length(max=20)])
    address = StringField(_l("Địa chỉ"), validators=[Optional(), Length(max=300)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu.")),
                                                        Length(max=200)])
    consent_data = BooleanField(_l("Tôi đồng ý cho cơ quan tiếp công dân xử lý dữ liệu cá nhân "
                                   "của tôi để giải quyết vụ việc."))
    consent_recording = BooleanField(_l("Tôi đồng ý để buổi tiếp trực tuyến được ghi âm, ghi hình."))


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(), Length(max=120)])
    address = StringField(_l("Địa chỉ"), validators=[Optional(), Length(max=300)])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254)])
    cccd = StringField(_l("Số CCCD / số định danh cá nhân"),
                       validators=[Optional(), Length(max=20)])
    passport = StringField(_l("Số hộ chiếu (nếu không có CCCD)"),
                           validators=[Optional(), Length(max=20)])


class IdentityForm(FlaskForm):
    """What the account lacks of the identity needed to book (the booking flow's
    "Thông tin nhận dạng" step)."""

    address = StringField(_l("Địa chỉ nơi cư trú"), validators=[Optional(), Length(max=300)])
    cccd = StringField(_l("Số CCCD / số định danh cá nhân"),
                       validators=[Optional(), Length(max=20)])
    passport = StringField(_l("Số hộ chiếu (nếu không có CCCD)"),
                           validators=[Optional(), Length(max=20)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired()])
    new = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(), Length(max=200)])


class TotpLoginForm(FlaskForm):
    code = StringField(_l("Mã xác thực"),
                       validators=[DataRequired(_l("Vui lòng nhập mã xác thực.")),
                                   Length(max=20)])


class TotpEnableForm(FlaskForm):
    code = StringField(_l("Mã 6 chữ số trong ứng dụng"),
                       validators=[DataRequired(_l("Vui lòng nhập mã xác thực.")),
                                   Length(max=20)])


class TotpConfirmForm(FlaskForm):
    """Turning TOTP off or renewing recovery codes: the password and a current code."""

    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu.")),
                                                        Length(max=200)])
    code = StringField(_l("Mã xác thực"),
                       validators=[DataRequired(_l("Vui lòng nhập mã xác thực.")),
                                   Length(max=20)])


class ResetRequestForm(FlaskForm):
    """Forgotten password, first step: the account's e-mail or phone number."""

    username = StringField(_l("Email hoặc số điện thoại"),
                           validators=[DataRequired(_l("Vui lòng nhập email hoặc số điện thoại.")),
                                       Length(max=254)])


class ResetConfirmForm(FlaskForm):
    """Forgotten password, second step: the code received and the new password."""

    username = StringField(_l("Email hoặc số điện thoại"),
                           validators=[DataRequired(_l("Vui lòng nhập email hoặc số điện thoại.")),
                                       Length(max=254)])
    code = StringField(_l("Mã xác nhận (6 chữ số)"),
                       validators=[DataRequired(_l("Vui lòng nhập mã xác nhận.")),
                                   Length(max=20)])
    password = PasswordField(_l("Mật khẩu mới"),
                             validators=[DataRequired(_l("Vui lòng nhập mật khẩu mới.")),
                                         Length(max=200)])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"),
                            validators=[DataRequired(_l("Vui lòng nhập lại mật khẩu mới.")),
                                        EqualTo("password", _l("Hai mật khẩu không khớp."))])


class PhoneCheckForm(FlaskForm):
    """Registration with PHONE_CHECK: the code sent by SMS to the phone given."""

    username = StringField(_l("Số điện thoại di động"),
                           validators=[DataRequired(_l("Vui lòng nhập số điện thoại.")),
                                       Length(max=20)])
    code = StringField(_l("Mã xác nhận (6 chữ số)"),
                       validators=[DataRequired(_l("Vui lòng nhập mã xác nhận.")),
                                   Length(max=20)])


class PhoneResendForm(FlaskForm):
    """Registration with PHONE_CHECK: a new code for the phone given."""

    username = StringField(_l("Số điện thoại di động"),
                           validators=[DataRequired(_l("Vui lòng nhập số điện thoại.")),
                                       Length(max=20)])
