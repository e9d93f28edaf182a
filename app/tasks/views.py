"""Web pages of follow-up tasks: an officer's list, a task with its report and review
forms, a case's tasks with the assign form, file downloads and the apology letter."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from sessions.errors import CoreError
from sessions.tasks import TaskStatus

from ..auth.decorators import roles_required
from ..bookings.models import Booking
from ..bookings.tracking import offer_task_states
from ..doors import refuse
from ..minutes.lookup import find
from ..timeutil import local_today
from . import services
from .access import can_assign, can_report, can_review, can_view_task
from .apology import apology_path, read_apology_token
from .forms import AssignForm, ReportForm, ReviewForm
from .models import Task, TaskAttachment
from .payloads import case_code, case_summary, citizen_name
from .uploads import add_task_attachment, attachment_path, remove_stored

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.record_once
def _offer_task_states(state) -> None:
    offer_task_states(state.app, services.public_task_states)


@bp.app_template_global("task_status_label")
def task_status_label(status: str) -> str:
    return services.status_label(status)


@bp.app_template_global("case_tasks")
def case_tasks(booking) -> list:
    """The case's tasks, for the pages of the packages below tasks (the minutes page)."""
    return services.case_tasks(booking)


@bp.app_template_global("task_case_code")
def task_case_code(task: Task) -> str | None:
    return case_code(task, current_user)


def _task(task_id: int, allowed) -> Task:
    task = find(Task, task_id)
    if task is None:
        abort(404)
    if not allowed(current_user, task):
        abort(403)
    return task


@bp.get("/")
@roles_required("officer", "secretary")
def mine():
    overdue = {"1": True, "0": False}.get(request.args.get("overdue", ""))
    only_mine = request.args.get("mine") == "1"
    tasks = services.visible_tasks(current_user, mine=only_mine, overdue=overdue)
    return render_template("tasks/mine.html", tasks=tasks, today=local_today(),
                           overdue=overdue, only_mine=only_mine)


@bp.get("/<int:task_id>")
@login_required
def detail(task_id: int):
    task = _task(task_id, can_view_task)
    return _render_detail(task, ReportForm(), ReviewForm())


def _render_detail(task: Task, report_form, review_form, status: int = 200):
    """The task page, with the report form for the agency while the task is open and
    the review form for the secretary once a result is reported."""
    may_report = can_report(current_user, task) and task.is_open
    may_review = can_review(current_user, task) and task.status == TaskStatus.DONE
    return render_template(
        "tasks/detail.html", task=task, today=local_today(),
        citizen=citizen_name(task, current_user), case=case_summary(task, current_user),
        report_form=report_form if may_report else None,
        review_form=review_form if may_review else None), status


@bp.post("/<int:task_id>/report")
@login_required
def report(task_id: int):
    task = _task(task_id, can_report)
    form = ReportForm()
    if not form.validate_on_submit():
        return _render_detail(task, form, ReviewForm(), 422)
    added = []
    try:
        for storage in (f for f in form.files.data or [] if getattr(f, "filename", "")):
            added.append(add_task_attachment(task, storage, actor=current_user))
        services.report_task(task, {"status": form.status.data, "result": form.result.data},
                             actor=current_user)
    except CoreError as exc:
        remove_stored(added)
        refuse(exc, form)
        return _render_detail(task, form, ReviewForm(), exc.status)
    flash(_("Đã cập nhật tình trạng nhiệm vụ."), "success")
    return redirect(url_for("tasks.detail", task_id=task.id))


@bp.post("/<int:task_id>/review")
@login_required
def review(task_id: int):
    task = _task(task_id, can_review)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _render_detail(task, ReportForm(), form, 422)
    try:
        services.review_task(task, {"decision": form.decision.data, "note": form.note.data},
                             actor=current_user)
    except CoreError as exc:
        refuse(exc, form)
        return _render_detail(task, ReportForm(), form, exc.status)
    flash(_("Đã ghi nhận đánh giá kết quả."), "success")
    return redirect(url_for("tasks.detail", task_id=task.id))


@bp.route("/case/<int:booking_id>", methods=["GET", "POST"])
@login_required
def case(booking_id: int):
    booking = find(Booking, booking_id)
    if booking is None:
        abort(404)
    if not can_assign(current_user, booking):
        abort(403)
    form = AssignForm()
    form.agency_code.choices = [SelectChoice(a.code, a.name) for a in
                                services.assignable_agencies(booking.reception.unit)]
    if form.validate_on_submit():
        try:
            services.create_task(booking, {"agency_code": form.agency_code.data,
                                           "description": form.description.data,
                                           "due_date": form.due_date.data},
                                 actor=current_user)
        except CoreError as exc:
            refuse(exc, form)
        else:
            flash(_("Đã giao nhiệm vụ và thông báo cho cơ quan."), "success")
            return redirect(url_for("tasks.case", booking_id=booking.id))
    return render_template("tasks/case.html", booking=booking, form=form, today=local_today(),
                           tasks=services.case_tasks(booking),
                           deadline=services.case_deadline(booking))


@bp.get("/<int:task_id>/files/<int:attachment_id>")
@login_required
def attachment(task_id: int, attachment_id: int):
    task = _task(task_id, can_view_task)
    row = find(TaskAttachment, attachment_id)
    if row is None or row.task_id != task.id:
        abort(404)
    return send_file(attachment_path(row), mimetype=row.content_type, as_attachment=True,
                     download_name=row.filename)


@bp.get("/apology/<token>")
def apology_download(token: str):
    """The stored apology letter, for whoever holds the signed link (the citizen)."""
    task = read_apology_token(token)
    if task is None or not apology_path(task).exists():
        abort(404)
    return send_file(apology_path(task), as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument."
                              "wordprocessingml.document",
                     download_name=f"thu-xin-loi-{task.booking.tracking_code}.docx")
