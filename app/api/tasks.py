"""/api/v1 follow-up tasks: assign, list, report, review, attach files."""

from __future__ import annotations

from flask import jsonify, request, send_file
from flask_babel import gettext as _

from sessions.tasks import REPORT_TARGETS, STATUSES

from ..auth.access import has_unit_role
from ..errors import ApiError
from ..minutes.lookup import find
from ..tasks import services
from ..tasks.access import can_assign, can_report, can_review, can_view_task
from ..tasks.models import Task, TaskAttachment
from ..tasks.payloads import task_dict
from ..tasks.uploads import add_task_attachment, attachment_path
from . import bp
from .helpers import (
    ATTACHMENT_CREATED,
    FILE_DOWNLOAD,
    OPENAPI_PATHS,
    current_api_user,
    document,
    json_body,
    query_param,
)
from .minutes import visible_booking

FLAGS = {"": None, "0": False, "1": True}


def _task(task_id: int, check):
    user = current_api_user()
    task = find(Task, task_id)
    if task is None or not can_view_task(user, task):  # the same answer: ids are guessable
        raise ApiError(404, "not_found", _("Không tìm thấy nhiệm vụ."))
    if not check(user, task):
        raise ApiError(403)
    return user, task


@bp.post("/bookings/<int:id>/tasks")
def create_task(id: int):
    user = current_api_user()
    booking = visible_booking(user, id)
    if not can_assign(user, booking):
        raise ApiError(403)
    task = services.create_task(booking, json_body(), actor=user)
    return jsonify(task_dict(task, user)), 201


@bp.get("/bookings/<int:id>/tasks")
def case_tasks(id: int):
    user = current_api_user()
    booking = visible_booking(user, id)
    if not (can_assign(user, booking)
            or has_unit_role(user, booking.reception.unit, "inspector")):
        raise ApiError(403)
    return jsonify([task_dict(t, user) for t in services.case_tasks(booking)])


@bp.get("/tasks")
def list_tasks():
    user = current_api_user("officer", "secretary", "admin")
    flags = {name: query_param(name) for name in ("mine", "overdue")}
    bad = {name: _("Giá trị phải là 0 hoặc 1.") for name, v in flags.items() if v not in FLAGS}
    if bad:
        raise ApiError(422, "validation_error", _("Dữ liệu không hợp lệ."), errors=bad)
    tasks = services.visible_tasks(user, mine=bool(FLAGS[flags["mine"]]),
                                   overdue=FLAGS[flags["overdue"]])
    return jsonify([task_dict(t, user) for t in tasks])


@bp.get("/tasks/<int:id>")
def get_task(id: int):
    user, task = _task(id, can_view_task)
    return jsonify(task_dict(task, user))


@bp.patch("/tasks/<int:id>")
def patch_task(id: int):
    user, task = _task(id, can_report)
    task = services.report_task(task, json_body(), actor=user)
    return jsonify(task_dict(task, user))


@bp.post("/tasks/<int:id>/review")
def review_task(id: int):
    user, task = _task(id, can_review)
    task = services.review_task(task, json_body(), actor=user)
    return jsonify(task_dict(task, user))


@bp.post("/tasks/<int:id>/attachments")
def add_attachment(id: int):
    user, task = _task(id, can_report)
    attachment = add_task_attachment(task, request.files.get("file"), actor=user)
    return jsonify({"id": attachment.id, "filename": attachment.filename,
                    "content_type": attachment.content_type, "size": attachment.size}), 201


@bp.get("/tasks/<int:id>/attachments/<int:attachment_id>")
def get_attachment(id: int, attachment_id: int):
    _user, task = _task(id, can_view_task)
    attachment = find(TaskAttachment, attachment_id)
    if attachment is None or attachment.task_id != task.id:
        raise ApiError(404, "not_found", _("Không tìm thấy tệp."))
    return send_file(attachment_path(attachment), mimetype=attachment.content_type,
                     as_attachment=True, download_name=attachment.filename)


_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_TASK = {"type": "object", "properties": {
    "id": {"type": "integer"}, "booking_id": {"type": "integer"},
    "agency_code": {"type": "string"}, "description": {"type": "string"},
    "due_date": {"type": "string", "format": "date"},
    "status": {"type": "string", "enum": list(STATUSES)},
    "overdue": {"type": "boolean"}, "result": {"type": "string"}}}
_ONE = {"description": "The task", "content": {"application/json": {"schema": _TASK}}}
_MANY = {"description": "Tasks", "content": {"application/json": {
    "schema": {"type": "array", "items": _TASK}}}}

document("/bookings/{id}/tasks", "post",
         "Assign a follow-up task of an accepted or served case to an agency of the unit or "
         "of a unit above it (secretary, host); the agency is notified", auth=True,
         params=[_ID], body={"type": "object", "required": ["agency_code", "description",
                                                            "due_date"], "properties": {
             "agency_code": {"type": "string"}, "description": {"type": "string"},
             "due_date": {"type": "string", "format": "date"}}},
         responses={"201": _ONE})
document("/bookings/{id}/tasks", "get", "The tasks of a case (secretary, host, inspector)",
         auth=True, params=[_ID], responses={"200": _MANY})
document("/tasks", "get",
         "Tasks visible to the caller, by due date: an officer's agencies' tasks; a "
         "secretary's units' tasks (mine=1: those the secretary assigned). overdue=1 keeps "
         "overdue tasks (still with the agency after the due date), overdue=0 the others",
         auth=True, responses={"200": _MANY},
         params=[{"name": n, "in": "query", "required": False,
                  "schema": {"type": "string", "enum": ["0", "1"]}}
                 for n in ("mine", "overdue")])
document("/tasks/{id}", "get", "A task (officer of the agency, secretary, host, inspector)",
         auth=True, params=[_ID], responses={"200": _ONE})
document("/tasks/{id}", "patch",
         "Report on a task (officer of the agency, secretary): assigned or returned → "
         "in_progress or done, in_progress → done; done needs a result or an attachment",
         auth=True, params=[_ID], responses={"200": _ONE},
         body={"type": "object", "required": ["status"], "properties": {
             "status": {"type": "string", "enum": list(REPORT_TARGETS)},
             "result": {"type": "string", "nullable": True}}})
document("/tasks/{id}/review", "post",
         "Accept a reported result, or return it to the agency with a note (secretary of "
         "the unit); only a task in status done can be reviewed", auth=True, params=[_ID],
         responses={"200": _ONE},
         body={"type": "object", "required": ["decision"], "properties": {
             "decision": {"type": "string", "enum": ["accept", "return"]},
             "note": {"type": "string", "nullable": True}}})
document("/tasks/{id}/attachments", "post",
         "Attach a PDF, JPEG or PNG (checked by content, at most 10 MB) to a task report "
         "(multipart/form-data, field file)", auth=True, params=[_ID],
         responses={"201": ATTACHMENT_CREATED})
OPENAPI_PATHS["/tasks/{id}/attachments"]["post"]["requestBody"] = {
    "required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary"}}}}}}
document("/tasks/{id}/attachments/{attachment_id}", "get", "Download a report attachment",
         auth=True, params=[_ID, {"name": "attachment_id", "in": "path", "required": True,
                                  "schema": {"type": "integer"}}],
         responses={"200": FILE_DOWNLOAD})
