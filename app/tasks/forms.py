"""Web forms of follow-up tasks: assign, report, review."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from sessions.tasks import DESCRIPTION_MAX, NOTE_MAX, RESULT_MAX, TaskStatus


class AssignForm(FlaskForm):
    agency_code = SelectField(_l("Cơ quan được giao"), validators=[DataRequired(
        _l("Vui lòng chọn cơ quan."))])
    description = TextAreaField(_l("Nội dung nhiệm vụ"), validators=[
        DataRequired(_l("Vui lòng nhập nội dung nhiệm vụ.")),
        Length(max=DESCRIPTION_MAX)])
    due_date = DateField(_l("Hạn hoàn thành"), validators=[InputRequired(
        _l("Vui lòng chọn hạn hoàn thành."))])


class ReportForm(FlaskForm):
    status = RadioField(_l("Tình trạng thực hiện"), choices=[
        SelectChoice(TaskStatus.IN_PROGRESS, _l("Đang thực hiện")),
        SelectChoice(TaskStatus.DONE, _l("Đã hoàn thành, báo cáo kết quả"))],
        validators=[InputRequired(_l("Vui lòng chọn tình trạng."))])
    result = TextAreaField(_l("Kết quả thực hiện"), validators=[Optional(),
                                                               Length(max=RESULT_MAX)])
    files = MultipleFileField(_l("Văn bản kèm theo (PDF, JPEG, PNG; tối đa 10 MB mỗi tệp)"))


class ReviewForm(FlaskForm):
    decision = RadioField(_l("Đánh giá kết quả"), choices=[
        SelectChoice("accept", _l("Nghiệm thu kết quả")),
        SelectChoice("return", _l("Trả lại, yêu cầu thực hiện lại"))],
        validators=[InputRequired(_l("Vui lòng chọn đánh giá."))])
    note = TextAreaField(_l("Ghi chú (bắt buộc khi trả lại)"), validators=[
        Optional(), Length(max=NOTE_MAX)])
