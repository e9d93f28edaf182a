"""Web forms of the booking flow (one question per page), triage and follow-up."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .models import BookingStatus, MatterField, MatterType
from .validation import EARLIER_REF_MAX, GROUP_MAX, NOTE_MAX, SUMMARY_MAX


def as_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the choices of a SelectField or RadioField."""
    return [SelectChoice(value, label) for value, label in pairs]


MATTER_TYPE_LABELS = {
    MatterType.KHIEU_NAI: _l("Khiếu nại"), MatterType.TO_CAO: _l("Tố cáo"),
    MatterType.KIEN_NGHI: _l("Kiến nghị"), MatterType.PHAN_ANH: _l("Phản ánh"),
}
MATTER_TYPE_HINTS = {
    MatterType.KHIEU_NAI: _l(
        "Bạn không đồng ý với quyết định hay việc làm của cơ quan, cán bộ nhà nước "
        "đối với chính bạn. Ví dụ: quyết định giải quyết tranh chấp đất đai, thu hồi "
        "đất, mức bồi thường, hỗ trợ tái định cư."),
    MatterType.TO_CAO: _l(
        "Bạn báo cho cơ quan có thẩm quyền biết một người hay tổ chức làm trái pháp "
        "luật. Ví dụ: cán bộ nhận tiền để làm thủ tục, lấn chiếm đất công. Danh tính "
        "người tố cáo được giữ bí mật."),
    MatterType.KIEN_NGHI: _l(
        "Bạn đề xuất, góp ý để cơ quan nhà nước sửa đổi chính sách hay cách làm. "
        "Ví dụ: đề nghị làm lại đường liên thôn, mở rộng đối tượng được hỗ trợ."),
    MatterType.PHAN_ANH: _l(
        "Bạn báo cho cơ quan nhà nước biết một sự việc đang xảy ra. Ví dụ: ô nhiễm "
        "môi trường, xây dựng trái phép, đường hỏng."),
}
#: The web's choices of matter type: the four types, and "not sure" (see wizard.UNSURE).
TYPE_CHOICE_LABELS = {**MATTER_TYPE_LABELS, "chua_ro": _l("Tôi chưa rõ")}
TYPE_CHOICE_HINTS = {**MATTER_TYPE_HINTS, "chua_ro": _l(
    "Bạn cứ chọn mục này. Cán bộ tiếp công dân sẽ đọc nội dung và xác định loại vụ việc "
    "giúp bạn.")}
MATTER_FIELD_LABELS = {
    MatterField.DAT_DAI: _l("Đất đai"), MatterField.MOI_TRUONG: _l("Môi trường"),
    MatterField.XAY_DUNG: _l("Xây dựng"), MatterField.CHINH_SACH: _l("Chính sách xã hội"),
    MatterField.CAN_BO: _l("Cán bộ, công chức"), MatterField.TU_PHAP: _l("Tư pháp"),
    MatterField.KHAC: _l("Lĩnh vực khác"),
}
STATUS_LABELS = {
    BookingStatus.PENDING: _l("Chờ xem xét"), BookingStatus.ACCEPTED: _l("Đã tiếp nhận"),
    BookingStatus.REFUSED: _l("Từ chối tiếp"),
    BookingStatus.REDIRECTED: _l("Đã hướng dẫn, chuyển cơ quan có thẩm quyền"),
    BookingStatus.WAITLISTED: _l("Trong danh sách chờ"), BookingStatus.CANCELLED: _l("Đã hủy"),
    BookingStatus.SERVED: _l("Đã được tiếp"), BookingStatus.NO_SHOW: _l("Vắng mặt"),
}
STATUS_STYLES = {
    BookingStatus.PENDING: "warning", BookingStatus.ACCEPTED: "success",
    BookingStatus.REFUSED: "danger", BookingStatus.REDIRECTED: "info",
    BookingStatus.WAITLISTED: "secondary", BookingStatus.CANCELLED: "secondary",
    BookingStatus.SERVED: "primary", BookingStatus.NO_SHOW: "dark",
}


class ProvinceForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only chooses what to show

    province = SelectField(_l("Tỉnh, thành phố"), validators=[DataRequired(
        _l("Vui lòng chọn tỉnh, thành phố."))])


class UnitForm(FlaskForm):
    unit_code = SelectField(_l("Ủy ban nhân dân"), validators=[DataRequired(
        _l("Vui lòng chọn đơn vị."))])


class SessionForm(FlaskForm):
    choice = RadioField(_l("Buổi tiếp"), validators=[InputRequired(
        _l("Vui lòng chọn một buổi tiếp."))])


class SlotForm(FlaskForm):
    slot_start = RadioField(_l("Khung giờ"), validators=[InputRequired(
        _l("Vui lòng chọn một khung giờ."))])


class PlaceForm(FlaskForm):
    join_from = RadioField(_l("Nơi tham gia"), validators=[InputRequired(
        _l("Vui lòng chọn nơi bạn tham gia buổi tiếp."))])


class TypeForm(FlaskForm):
    matter_type = RadioField(_l("Loại vụ việc"), choices=as_choices(TYPE_CHOICE_LABELS.items()),
                             validators=[InputRequired(_l("Vui lòng chọn loại vụ việc."))])


class FieldForm(FlaskForm):
    matter_field = RadioField(_l("Lĩnh vực"), choices=as_choices(MATTER_FIELD_LABELS.items()),
                              validators=[InputRequired(_l("Vui lòng chọn lĩnh vực."))])


class SummaryForm(FlaskForm):
    summary = TextAreaField(_l("Nội dung vụ việc"), validators=[
        DataRequired(_l("Vui lòng trình bày nội dung vụ việc.")),
        Length(max=SUMMARY_MAX, message=_l("Nội dung không được dài quá 5.000 ký tự."))])
    earlier_case_ref = StringField(_l("Số hiệu hoặc mã vụ việc đã gửi trước đây (nếu có)"),
                                   validators=[Optional(), Length(max=EARLIER_REF_MAX)])


class GroupForm(FlaskForm):
    group_size = IntegerField(_l("Số người cùng nội dung (kể cả bạn)"), default=1, validators=[
        InputRequired(_l("Vui lòng nhập số người.")),
        NumberRange(min=1, max=GROUP_MAX, message=_l("Số người phải từ 1 đến 100."))])


class PersonForm(Form):
    full_name = StringField(_l("Họ và tên"), validators=[Optional(), Length(max=120)])
    phone = StringField(_l("Số điện thoại"), validators=[Optional(), Length(max=20)])


class RepresentativesForm(FlaskForm):
    people = FieldList(FormField(PersonForm), min_entries=5, max_entries=5)


class FilesForm(FlaskForm):
    files = MultipleFileField(_l("Tài liệu kèm theo (PDF, JPEG, PNG; tối đa 10 MB mỗi tệp, "
                                 "5 tệp)"))


class ConsentForm(FlaskForm):
    recording = BooleanField(_l("Tôi đã được thông báo và đồng ý để buổi tiếp trực tuyến được "
                                "ghi âm, ghi hình."))
    denunciation_risk = BooleanField(_l("Tôi hiểu rằng khi tố cáo trực tuyến, việc giữ bí mật "
                                        "danh tính người tố cáo có thể không được bảo đảm "
                                        "tuyệt đối, và tôi vẫn muốn tố cáo trực tuyến."))


class SubmitForm(FlaskForm):
    form_token = HiddenField()


class ConfirmForm(FlaskForm):
    """A bare POST with CSRF (cancel confirmation)."""

    reason = TextAreaField(_l("Lý do (không bắt buộc)"), validators=[Optional(),
                                                                     Length(max=NOTE_MAX)])


class RescheduleForm(FlaskForm):
    choice = RadioField(_l("Thời gian mới"), validators=[InputRequired(
        _l("Vui lòng chọn thời gian mới."))])


class DecisionForm(FlaskForm):
    decision = HiddenField(validators=[DataRequired()])
    ground = SelectField(_l("Căn cứ từ chối"), validators=[Optional()])
    agency = SelectField(_l("Cơ quan có thẩm quyền"), validators=[Optional()])
    note = TextAreaField(_l("Ghi chú gửi công dân"), validators=[Optional(),
                                                                Length(max=NOTE_MAX)])


class ClassifyForm(FlaskForm):
    matter_type = RadioField(_l("Loại vụ việc"), choices=as_choices(MATTER_TYPE_LABELS.items()),
                             validators=[InputRequired(_l("Vui lòng chọn loại vụ việc."))])


class TrackForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    code = StringField(_l("Mã tra cứu"), validators=[DataRequired(
        _l("Vui lòng nhập mã tra cứu.")), Length(max=64)])
    phone_last4 = StringField(_l("4 số cuối của số điện thoại"), validators=[DataRequired(
        _l("Vui lòng nhập 4 số cuối của số điện thoại.")), Length(min=4, max=4)])


class RatingForm(FlaskForm):
    score = RadioField(_l("Mức độ hài lòng"), coerce=int, choices=as_choices([
        (5, _l("Rất hài lòng")), (4, _l("Hài lòng")), (3, _l("Bình thường")),
        (2, _l("Chưa hài lòng")), (1, _l("Rất không hài lòng"))]),
        validators=[InputRequired(_l("Vui lòng chọn mức độ hài lòng."))])
    comment = TextAreaField(_l("Góp ý (không bắt buộc)"), validators=[Optional(),
                                                                     Length(max=NOTE_MAX)])
