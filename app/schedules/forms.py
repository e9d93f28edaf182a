"""Web forms for schedules and sessions. Rules are checked by the services, not here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from .models import HolidayPolicy, SessionMode


def as_choices(mapping: dict) -> list[SelectChoice]:
    """Select options from ``{value: label}`` (WTForms 3.3 deprecates tuples)."""
    return [SelectChoice(value, label) for value, label in mapping.items()]


MODE_CHOICES = as_choices({SessionMode.ONLINE: _l("Trực tuyến"),
                           SessionMode.IN_PERSON: _l("Trực tiếp"),
                           SessionMode.HYBRID: _l("Trực tiếp và trực tuyến")})
POLICY_CHOICES = as_choices({HolidayPolicy.SHIFT: _l("Dời sang ngày làm việc kế tiếp"),
                             HolidayPolicy.SKIP: _l("Bỏ qua buổi tiếp đó")})
def _select(label):
    return SelectField(label, choices=[], validate_choice=False)


class ScheduleForm(FlaskForm):
    """A periodic schedule (the same fields as POST /api/v1/schedules)."""

    unit_code = _select(_l("Đơn vị"))
    host_id = _select(_l("Người chủ trì (Chủ tịch UBND)"))
    rrule = StringField(_l("Quy tắc lặp (RRULE)"), default="FREQ=MONTHLY;BYDAY=3TU",
                        validators=[Length(max=500)])
    start_time = StringField(_l("Giờ bắt đầu"), default="08:00", render_kw={"type": "time"})
    duration_minutes = StringField(_l("Thời lượng (phút)"), default="210",
                                   render_kw={"inputmode": "numeric"})
    slot_minutes = StringField(_l("Thời lượng mỗi lượt tiếp (phút)"), default="20",
                               render_kw={"inputmode": "numeric"})
    mode = SelectField(_l("Hình thức tiếp"), choices=MODE_CHOICES, validate_choice=False)
    valid_from = StringField(_l("Hiệu lực từ ngày"), render_kw={"type": "date"})
    valid_until = StringField(_l("Hiệu lực đến ngày"), render_kw={"type": "date"})
    holiday_policy = SelectField(_l("Khi trùng ngày nghỉ, lễ"), choices=POLICY_CHOICES,
                                 validate_choice=False)
    location = StringField(_l("Địa điểm (không bắt buộc)"),
                           validators=[Optional(), Length(max=300)])

    def body(self) -> dict:
        """The API body of the form."""
        return {name: (self[name].data or "").strip() for name in (
            "unit_code", "host_id", "rrule", "start_time", "duration_minutes", "slot_minutes",
            "mode", "valid_from", "valid_until", "holiday_policy", "location")}


class AdhocForm(FlaskForm):
    """An ad-hoc (đột xuất) session."""

    unit_code = _select(_l("Đơn vị"))
    host_id = _select(_l("Người chủ trì (Chủ tịch UBND)"))
    starts_at = StringField(_l("Bắt đầu"), render_kw={"type": "datetime-local"})
    ends_at = StringField(_l("Kết thúc"), render_kw={"type": "datetime-local"})
    slot_minutes = StringField(_l("Thời lượng mỗi lượt tiếp (phút)"), default="20",
                               render_kw={"inputmode": "numeric"})
    mode = SelectField(_l("Hình thức tiếp"), choices=MODE_CHOICES, validate_choice=False)
    reason = TextAreaField(_l("Lý do tiếp đột xuất"), validators=[Length(max=2000)])
    location = StringField(_l("Địa điểm (không bắt buộc)"),
                           validators=[Optional(), Length(max=300)])

    def body(self) -> dict:
        return {name: (self[name].data or "").strip() for name in (
            "unit_code", "host_id", "starts_at", "ends_at", "slot_minutes", "mode", "reason",
            "location")}


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Lý do hủy buổi tiếp"), validators=[Length(max=2000)])


class DeputyForm(FlaskForm):
    deputy_id = _select(_l("Người chủ trì thay"))
    authorisation = StringField(_l("Văn bản ủy quyền (số, ngày)"),
                                validators=[Length(max=300)])


class HolidayForm(FlaskForm):
    day = StringField(_l("Ngày"), render_kw={"type": "date"})
    kind = SelectField(_l("Loại"), choices=as_choices({"off": _l("Ngày nghỉ"),
                                                       "work": _l("Ngày làm việc bù")}),
                       validate_choice=False)
    name = StringField(_l("Tên hoặc căn cứ (không bắt buộc)"),
                       validators=[Optional(), Length(max=200)])
