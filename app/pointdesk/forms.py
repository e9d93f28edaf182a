"""The desk's form: a booking made on a citizen's behalf."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..bookings.forms import MATTER_FIELD_LABELS, MATTER_TYPE_LABELS
from ..bookings.validation import SUMMARY_MAX


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in labels.items()]


class AssistedBookingForm(FlaskForm):
    """The citizen in front of the operator, the session and the matter."""

    point = SelectField(_l("Điểm cầu"), coerce=int)
    slot_start = SelectField(_l("Khung giờ"), validators=[Optional()])
    full_name = StringField(_l("Họ và tên công dân"), validators=[
        DataRequired(_l("Vui lòng nhập họ và tên.")), Length(max=120)])
    phone = StringField(_l("Số điện thoại (nếu có)"), validators=[Optional(), Length(max=20)])
    address = StringField(_l("Địa chỉ"), validators=[
        DataRequired(_l("Vui lòng nhập địa chỉ.")), Length(max=300)])
    cccd = StringField(_l("Số CCCD"), validators=[
        DataRequired(_l("Vui lòng nhập số CCCD.")), Length(max=20)])
    matter_type = SelectField(_l("Loại vụ việc"), choices=_choices(MATTER_TYPE_LABELS))
    matter_field = SelectField(_l("Lĩnh vực"), choices=_choices(MATTER_FIELD_LABELS))
    summary = TextAreaField(_l("Nội dung vụ việc"), validators=[
        DataRequired(_l("Vui lòng trình bày nội dung vụ việc.")), Length(max=SUMMARY_MAX)])
    consents_confirmed = BooleanField(_l(
        "Công dân đã đồng ý trực tiếp tại điểm cầu: xử lý dữ liệu cá nhân, ghi âm ghi hình "
        "buổi tiếp và, với tố cáo, rủi ro của tố cáo trực tuyến"))
    form_token = HiddenField()
