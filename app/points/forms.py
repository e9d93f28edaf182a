"""Forms of the points' pages: an administrator's point and operator, an operator's
assisted booking."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from .models import PointKind

KIND_LABELS = {PointKind.CENTRAL: _l("Điểm cầu trung tâm"),
               PointKind.SATELLITE: _l("Điểm cầu thành phần")}


class PointForm(FlaskForm):
    code = StringField(_l("Mã điểm cầu"), validators=[
        DataRequired(_l("Vui lòng nhập mã điểm cầu.")), Length(max=20)])
    name = StringField(_l("Tên điểm cầu"), validators=[
        DataRequired(_l("Vui lòng nhập tên điểm cầu.")), Length(max=200)])
    address = StringField(_l("Địa chỉ"), validators=[Length(max=300)])
    kind = SelectField(_l("Loại điểm cầu"), choices=[
        SelectChoice(str(kind), label) for kind, label in KIND_LABELS.items()],
        default=PointKind.SATELLITE)
    is_active = BooleanField(_l("Đang hoạt động"), default=True)


class OperatorForm(FlaskForm):
    person = StringField(_l("Email hoặc số điện thoại của cán bộ điểm cầu"),
                         validators=[DataRequired(_l("Vui lòng nhập email hoặc số điện "
                                                     "thoại.")), Length(max=254)])
