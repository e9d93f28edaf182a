"""The audit page in words: a label per action, the detail as labelled pairs."""

from __future__ import annotations

import json

from app.admin.audit_labels import action_label, detail_items
from app.audit.services import record_event
from app.extensions import db
from tests.factories import sign_in


def test_action_labels_and_unknown_codes(app):
    with app.test_request_context():
        assert action_label("booking_accept") == "Tiếp nhận đăng ký"
        assert action_label("queue_mark_no_show") == "Ghi nhận công dân vắng mặt"
        assert action_label("something_new") == "something_new"


def test_detail_items_label_keys_and_show_dates_in_words(app):
    detail = json.dumps({"due_date": "2027-02-16", "rows": 3, "again": False,
                         "filters": {"action": "login"}, "odd_key": ["a", "b"]})
    with app.test_request_context():
        assert detail_items(detail) == [
            ("Hạn hoàn thành", "16/02/2027"), ("Số dòng", "3"), ("Lần lặp lại", "Không"),
            ("Bộ lọc", "action: login"), ("odd_key", "a, b")]
        assert detail_items("{}") == [] and detail_items("not json") == [
            ("Chi tiết", "not json")]


def test_audit_page_shows_labels_and_a_definition_list(client, make):
    admin = make.make_user("admin")
    record_event("task_create", actor=admin, target="task:1", agency="SXD",
                 due_date="2027-03-01")
    db.session.commit()
    sign_in(client, admin)
    html = client.get("/admin/audit/").get_data(as_text=True)
    assert "<td>Giao nhiệm vụ<br>" in html
    assert "<dt>Cơ quan</dt><dd>SXD</dd>" in html
    assert "<dt>Hạn hoàn thành</dt><dd>01/03/2027</dd>" in html
    assert '{&#34;agency' not in html and '"due_date"' not in html
    assert '<option value="task_create">Giao nhiệm vụ</option>' in html
