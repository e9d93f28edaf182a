"""Web forms for one's personal data."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, Length


class ExportForm(FlaskForm):
    """Only the CSRF token: a download is a POST so that it is never prefetched."""


class DeletionForm(FlaskForm):
    password = PasswordField(_l("Mật khẩu"), validators=[
        DataRequired(_l("Vui lòng nhập mật khẩu để xác nhận.")), Length(max=200)])
    confirm = BooleanField(_l("Tôi đã đọc và hiểu những dữ liệu sẽ bị xóa và những dữ liệu "
                              "được lưu giữ theo quy định."), validators=[
        DataRequired(_l("Vui lòng xác nhận bạn đã đọc thông tin trên."))])
