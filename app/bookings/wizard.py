"""The citizen's booking flow, one question per page (GOV.UK style), without JavaScript.

Answers are kept in the Flask session (``booking_draft``) between steps; the case
summary, which could overflow the session cookie, is kept as a stashed text under
a random name (see uploads.stash_text). The last step posts a hidden form token
that serves as the Idempotency-Key: a double click books once.
"""

from __future__ import annotations

import secrets
from functools import wraps

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from sessions.errors import CoreError

from ..auth.decorators import roles_required
from ..auth.forms import IdentityForm
from ..auth.services import complete_identity
from ..doors import refusal_text, refuse
from ..extensions import db
from ..i18n import core_message
from ..points.services import HOME, point_by_code, points_for_session
from ..schedules.models import ReceptionSession
from ..units.models import Unit
from ..units.services import list_units, province_level_name, search_units, unit_by_code
from . import queries, services
from .assurance import check_verified_identity, identity_gaps
from .forms import (
    ConsentForm,
    FieldForm,
    FilesForm,
    GroupForm,
    PlaceForm,
    ProvinceForm,
    RepresentativesForm,
    SessionForm,
    SlotForm,
    SubmitForm,
    SummaryForm,
    TypeForm,
    UnitForm,
    as_choices,
)
from .models import UNSURE_DEFAULT_TYPE, MatterType
from .uploads import MAX_FILES, discard, drop_stash, read_stash, stage_upload, stash_text
from .validation import parse_representatives
from .views import bp

DRAFT = "booking_draft"
STEPS = ("unit", "session", "identity", "slot", "place", "type", "field", "summary", "group",
         "representatives", "files", "consents", "check")
ANSWERED_BY = {"unit": "unit_code", "session": "session_id",
               # never in the draft: the step is there while the account lacks identity
               "identity": "identity_never", "slot": "slot_start",
               "place": "join_from",
               "type": "matter_type", "field": "matter_field", "summary": "summary_ref",
               "group": "group_size", "representatives": "representatives",
               "files": "files_seen", "consents": "consents_seen", "check": "never"}
# Where to send the citizen back when the service refuses a field.
FIELD_STEPS = {"session_id": "session", "slot_start": "slot", "join_from": "place",
               "matter.type": "type",
               "matter.field": "field", "matter.summary": "summary",
               "earlier_case_ref": "summary", "group_size": "group",
               "representatives": "representatives", "consents.recording": "consents",
               "consents.online_denunciation_risk": "consents", "full_name": "identity",
               "address": "identity", "cccd": "identity", "passport": "identity"}
CODE_STEPS = {"slot_taken": "slot", "session_full": "session", "invalid_state": "session",
              "not_found": "session", "duplicate_matter": "summary",
              "identity_required": "session"}
#: The web's answer "Tôi chưa rõ" to the matter type: booked as UNSURE_DEFAULT_TYPE with
#: ``type_uncertain``, for the secretary to classify at triage.
UNSURE = "chua_ro"


def draft() -> dict:
    return dict(session.get(DRAFT) or {})


def save(data: dict) -> None:
    session[DRAFT] = data


def applies(step: str, data: dict) -> bool:
    if step == "identity":
        # Asked only while the account lacks what booking this session's mode needs
        # (app/bookings/assurance.py); once saved to the profile, the step is gone.
        return "session_id" in data and bool(identity_gaps(current_user, data.get("mode")))
    if step == "slot":
        return not data.get("waitlist")
    if step == "representatives":
        return (data.get("group_size") or 1) >= 5
    if step == "place":  # only where the session has points to offer
        return bool(data.get("has_points"))
    if step == "consents":
        return data.get("mode") in services.ONLINE_MODES
    return True


def first_missing(data: dict) -> str:
    return next(s for s in STEPS if applies(s, data) and ANSWERED_BY[s] not in data)


def step_url(step: str, **values) -> str:
    return url_for(f"bookings.step_{step}", **values)


def next_url(step: str, data: dict) -> str:
    """The following question, or back to "check your answers" after a change."""
    if request.args.get("change") and first_missing(data) == "check":
        return step_url("check")
    following = STEPS[STEPS.index(step) + 1:]
    return step_url(next(s for s in following if applies(s, data)))


def back_url(step: str, data: dict) -> str:
    earlier = [s for s in STEPS[:STEPS.index(step)] if applies(s, data)]
    return step_url(earlier[-1]) if earlier else url_for("bookings.start")


def flow_step(name: str):
    """A step of the flow: signed-in citizen, and every earlier answer given."""
    def decorator(view):
        @wraps(view)
        @roles_required("citizen")
        def wrapped():
            data = draft()
            missing = first_missing(data) if data else "unit"
            if STEPS.index(missing) < STEPS.index(name):
                return redirect(step_url(missing) if data else url_for("bookings.start"))
            return view(data)
        return wrapped
    return decorator


def progress(step: str, data: dict) -> tuple[int, int]:
    """(this step's number, the number of steps) as the answers so far make the flow:
    "Bước 3/9". The count changes when an answer adds or removes a question."""
    steps = [s for s in STEPS if applies(s, data) or s == step]
    return steps.index(step) + 1, len(steps)


def has_errors(context: dict) -> bool:
    """Whether the page shows an error (its <title> then begins with "Lỗi: ")."""
    form = context.get("form")
    return bool(getattr(form, "errors", None) or context.get("problems"))


def render_step(template: str, step: str, data: dict, **context):
    return render_template(f"bookings/{template}.html", step=step, back=back_url(step, data),
                           change=bool(request.args.get("change")),
                           progress=progress(step, data), page_has_errors=has_errors(context),
                           **context)


def home_province() -> Unit | None:
    """The deployment's own province (setting ``HOME_PROVINCE``), if it is a province."""
    unit = unit_by_code(current_app.config.get("HOME_PROVINCE") or "")
    return unit if unit is not None and unit.level == "province" else None


@bp.get("/book")
def start():
    form = ProvinceForm(request.args)
    home = None if request.args.get("other") else home_province()
    provinces = list_units(level="province")
    form.province.choices = as_choices((u.code, u.name) for u in provinces)
    if not form.province.data and (default := home_province()):
        form.province.data = default.code
    return render_template("bookings/start.html", form=form, home=home,
                           home_name=province_level_name(home) if home else "")


@bp.route("/book/unit", methods=["GET", "POST"])
@roles_required("citizen")
def step_unit():
    data = draft()
    province = unit_by_code(request.args.get("province") or data.get("province") or "") \
        or home_province()
    if province is None or province.level != "province":
        return redirect(url_for("bookings.start"))
    query = (request.args.get("q") or "").strip()[:100]
    communes = search_units(province, query)
    form = UnitForm(unit_code=data.get("unit_code") or province.code)
    form.unit_code.choices = as_choices(
        [(province.code, _("Cấp tỉnh: %(name)s", name=province_level_name(province)))]
        + [(u.code, u.name) for u in communes])
    if query and len(communes) == 1 and request.method == "GET":
        form.unit_code.data = communes[0].code
    if form.validate_on_submit():
        if form.unit_code.data != data.get("unit_code"):
            for key in ("session_id", "slot_start", "waitlist", "mode", "consents_seen",
                        "join_from", "has_points"):
                data.pop(key, None)
        data.update(province=province.code, unit_code=form.unit_code.data)
        data.setdefault("token", secrets.token_urlsafe(18))
        save(data)
        return redirect(next_url("unit", data))
    return render_template("bookings/step_unit.html", form=form, province=province,
                           query=query, found=len(communes), back=url_for("bookings.start"),
                           step="unit", progress=progress("unit", data),
                           page_has_errors=has_errors({"form": form}))


@bp.route("/book/session", methods=["GET", "POST"])
@flow_step("session")
def step_session(data):
    unit = unit_by_code(data["unit_code"]) or abort(404)
    choices = queries.upcoming_sessions(unit)
    form = SessionForm()
    form.choice.choices = as_choices((("w" if c.is_full else "") + str(c.reception.id), "")
                                     for c in choices)
    if request.method == "GET":
        first = queries.next_free(choices)
        current = ("w" if data.get("waitlist") else "") + str(data.get("session_id"))
        offered = [choice.value for choice in form.choice.choices]
        form.choice.data = current if current in offered else (
            str(first.reception.id) if first else None)
    if form.validate_on_submit():
        waitlist = form.choice.data.startswith("w")
        reception = db.session.get(ReceptionSession, int(form.choice.data.lstrip("w")))
        if (refused := _identity_refusal(reception)) is not None:
            return refused
        if reception.id != data.get("session_id") or waitlist != data.get("waitlist"):
            data.pop("slot_start", None)
            data.pop("consents_seen", None)
            data.pop("join_from", None)
        data.update(session_id=reception.id, waitlist=waitlist, mode=reception.mode,
                    has_points=bool(points_for_session(reception)))
        save(data)
        return redirect(next_url("session", data))
    return render_step("step_session", "session", data, form=form, unit=unit, choices=choices,
                       first_free=queries.next_free(choices))


def _identity_refusal(reception):
    """Back to the choice of session, with the reason, when the unit requires a verified
    identity for this online session (app/bookings/assurance.py)."""
    try:
        check_verified_identity(current_user, reception)
    except CoreError as exc:
        refuse(exc)
        return redirect(step_url("session"))
    return None


@bp.route("/book/identity", methods=["GET", "POST"])
@flow_step("identity")
def step_identity(data):
    """The identity the account lacks to book (name and address, or an ID paper; all
    three for a session attended online): saved to the profile, then the flow goes on
    with every answer kept."""
    if not applies("identity", data):
        return redirect(_after_identity(data))
    gaps = identity_gaps(current_user, data.get("mode"))
    form = IdentityForm()
    if form.validate_on_submit():
        try:
            complete_identity(current_user, {name: form[name].data or ""
                                             for name in ("address", "cccd", "passport")})
        except CoreError as exc:
            refuse(exc, form, {"full_name": "address"})
        else:
            if not (gaps := identity_gaps(current_user, data.get("mode"))):
                return redirect(_after_identity(data))
            for name, error in gaps.items():
                field = name if name in form else "address"
                form[field].errors = [*form[field].errors, core_message(error)]
    online = data.get("mode") in services.ONLINE_MODES
    return render_step("step_identity", "identity", data, form=form, online=online,
                       ask_address="address" in gaps or bool(form.address.errors),
                       ask_papers="cccd" in gaps or bool(form.cccd.errors
                                                         or form.passport.errors))


def _after_identity(data: dict) -> str:
    """Back to "check your answers" when every other answer is given (the last step
    sent the citizen here), else the next question."""
    return step_url("check") if first_missing(data) == "check" else next_url("identity", data)


@bp.route("/book/slot", methods=["GET", "POST"])
@flow_step("slot")
def step_slot(data):
    reception = db.session.get(ReceptionSession, data["session_id"]) or abort(404)
    slots = queries.slot_options(reception)
    form = SlotForm()
    form.slot_start.choices = as_choices((s["start"], s["start"]) for s in slots if s["free"])
    if request.method == "GET":
        free = [s["start"] for s in slots if s["free"]]
        form.slot_start.data = data.get("slot_start") if data.get("slot_start") in free \
            else (free[0] if free else None)
    if form.validate_on_submit():
        data["slot_start"] = form.slot_start.data
        save(data)
        return redirect(next_url("slot", data))
    return render_step("step_slot", "slot", data, form=form, reception=reception, slots=slots)


@bp.route("/book/place", methods=["GET", "POST"])
@flow_step("place")
def step_place(data):
    """At home on one's own device, or at a reception point of the session's unit tree."""
    reception = db.session.get(ReceptionSession, data["session_id"]) or abort(404)
    points = points_for_session(reception)
    form = PlaceForm()
    form.join_from.choices = as_choices([(HOME, "")] + [(p.code, "") for p in points])
    if request.method == "GET":
        offered = [choice.value for choice in form.join_from.choices]
        form.join_from.data = data.get("join_from") if data.get("join_from") in offered \
            else HOME
    if form.validate_on_submit():
        data["join_from"] = form.join_from.data
        save(data)
        return redirect(next_url("place", data))
    return render_step("step_place", "place", data, form=form, reception=reception,
                       points=points)


def _simple_step(step: str, form, keys: tuple[str, ...], data: dict, template: str = "step"):
    """A one-question page whose answers are stored under ``keys`` as they are."""
    if request.method == "GET":
        for key in keys:
            if key in data:
                form[key].data = data[key]
    if form.validate_on_submit():
        data.update({key: form[key].data for key in keys})
        save(data)
        return redirect(next_url(step, data))
    return render_step(template, step, data, form=form)


@bp.route("/book/type", methods=["GET", "POST"])
@flow_step("type")
def step_type(data):
    return _simple_step("type", TypeForm(), ("matter_type",), data)


@bp.route("/book/field", methods=["GET", "POST"])
@flow_step("field")
def step_field(data):
    return _simple_step("field", FieldForm(), ("matter_field",), data)


@bp.route("/book/summary", methods=["GET", "POST"])
@flow_step("summary")
def step_summary(data):
    form = SummaryForm()
    if request.method == "GET":
        form.summary.data = read_stash(data.get("summary_ref"))
        form.earlier_case_ref.data = data.get("earlier_case_ref", "")
    if form.validate_on_submit():
        data["summary_ref"] = stash_text(form.summary.data.strip(), data.get("summary_ref"))
        data["earlier_case_ref"] = (form.earlier_case_ref.data or "").strip()
        save(data)
        return redirect(next_url("summary", data))
    return render_step("step", "summary", data, form=form)


@bp.route("/book/group", methods=["GET", "POST"])
@flow_step("group")
def step_group(data):
    form = GroupForm()
    if request.method == "GET" and "group_size" in data:
        form.group_size.data = data["group_size"]
    if form.validate_on_submit():
        data["group_size"] = form.group_size.data
        if data["group_size"] < 5:
            data["representatives"] = []
        elif not data.get("representatives"):
            data.pop("representatives", None)
        save(data)
        return redirect(next_url("group", data))
    return render_step("step", "group", data, form=form)


@bp.route("/book/representatives", methods=["GET", "POST"])
@flow_step("representatives")
def step_representatives(data):
    form, problems = RepresentativesForm(), []
    if request.method == "GET":
        for row, person in zip(form.people, data.get("representatives") or [], strict=False):
            row.full_name.data, row.phone.data = person["full_name"], person["phone"]
    if form.validate_on_submit():
        errors: dict = {}
        filled = [{"full_name": r.full_name.data or "", "phone": r.phone.data or ""}
                  for r in form.people if (r.full_name.data or r.phone.data)]
        people = parse_representatives(filled, data["group_size"], errors)
        if not errors:
            data["representatives"] = people
            save(data)
            return redirect(next_url("representatives", data))
        problems = [core_message(e) for e in errors.values()]
    return render_step("step_representatives", "representatives", data, form=form,
                       problems=problems)


@bp.route("/book/files", methods=["GET", "POST"])
@flow_step("files")
def step_files(data):
    form = FilesForm()
    files = list(data.get("files") or [])
    if form.validate_on_submit():
        if "remove" in request.form:
            index = request.form.get("remove", type=int)
            if index is not None and 0 <= index < len(files):
                discard([files.pop(index)])
        elif "upload" in request.form:
            _stage(form, files)
        elif _stage(form, files, required=False):
            # "Tiếp tục" with a file chosen: the file goes up first; a refused file
            # keeps the citizen on this page with the reason.
            data.update(files=files, files_seen=True)
            save(data)
            return redirect(next_url("files", data))
        data["files"] = files
        save(data)
    return render_step("step_files", "files", data, form=form, files=files,
                       max_files=MAX_FILES)


def _stage(form, files: list, required: bool = True) -> bool:
    """Stage the chosen files into ``files``; False (with the reasons on the form) when
    one of them is refused, or none is chosen and ``required``."""
    uploads = [f for f in form.files.data or [] if getattr(f, "filename", "")]
    if not uploads and required:
        form.files.errors.append(_("Vui lòng chọn tệp đính kèm."))
    for storage in uploads:
        if len(files) >= MAX_FILES:
            form.files.errors.append(_("Mỗi vụ việc chỉ được đính kèm tối đa %(max)s tệp.",
                                       max=MAX_FILES))
            break
        try:
            meta = stage_upload(storage)
        except CoreError as exc:
            form.files.errors.append(f"{storage.filename}: {refusal_text(exc)}")
            continue
        files.append({k: meta[k] for k in ("stored_name", "filename", "content_type", "size",
                                           "sha256")})
    return not form.files.errors


@bp.route("/book/consents", methods=["GET", "POST"])
@flow_step("consents")
def step_consents(data):
    reception = db.session.get(ReceptionSession, data["session_id"]) or abort(404)
    form = ConsentForm()
    if request.method == "GET":
        form.recording.data = data.get("consent_recording", False)
        form.denunciation_risk.data = data.get("consent_risk", False)
    if form.validate_on_submit():
        missing = services.consent_errors(reception, data.get("matter_type", ""),
                                          form.recording.data, form.denunciation_risk.data)
        for name, error in missing.items():
            target = form.recording if name.endswith("recording") else form.denunciation_risk
            target.errors = [core_message(error)]
        if not missing:
            data.update(consent_recording=form.recording.data,
                        consent_risk=form.denunciation_risk.data, consents_seen=True)
            save(data)
            return redirect(next_url("consents", data))
    return render_step("step_consents", "consents", data, form=form,
                       ask_risk=data.get("matter_type") == MatterType.TO_CAO)


def booking_data(data: dict) -> dict:
    """The answers as the body of POST /bookings (one logic, two doors)."""
    return {"session_id": data.get("session_id"), "slot_start": data.get("slot_start"),
            "waitlist": bool(data.get("waitlist")),
            "matter": {"type": UNSURE_DEFAULT_TYPE if data.get("matter_type") == UNSURE
                       else data.get("matter_type"), "field": data.get("matter_field"),
                       "summary": read_stash(data.get("summary_ref"))},
            "earlier_case_ref": data.get("earlier_case_ref") or "",
            "join_from": data.get("join_from") or HOME,
            "group_size": data.get("group_size", 1),
            "representatives": data.get("representatives") or [],
            "consents": {"recording": bool(data.get("consent_recording")),
                         "online_denunciation_risk": bool(data.get("consent_risk"))}}


@bp.route("/book/check", methods=["GET", "POST"])
@roles_required("citizen")
def step_check():
    form = SubmitForm()
    token = (request.form.get("form_token") or "")[:100]
    if request.method == "POST" and token:
        # A second click after the first one went through: show the first booking.
        if (existing := services.booking_for_key(current_user, "web:" + token)) is not None:
            return redirect(url_for("bookings.done", id=existing.id))
    data = draft()
    if not data or first_missing(data) != "check":
        return redirect(step_url(first_missing(data)) if data else url_for("bookings.start"))
    if form.validate_on_submit():
        return _submit(data, token or data["token"])
    form.form_token.data = data["token"]
    reception = db.session.get(ReceptionSession, data["session_id"])
    return render_step("step_check", "check", data, form=form, reception=reception,
                       unit=db.session.scalar(select(Unit).where(
                           Unit.code == data["unit_code"])),
                       summary=read_stash(data.get("summary_ref")), answers=data,
                       point=point_by_code(data.get("join_from") or HOME))


def _submit(data: dict, token: str):
    files = [f for f in data.get("files") or [] if isinstance(f, dict)]
    try:
        booking, _created = services.create_booking(
            current_user, booking_data(data), idempotency_key="web:" + token,
            staged_files=files, type_uncertain=data.get("matter_type") == UNSURE)
    except CoreError as exc:
        refuse(exc)
        step = next((FIELD_STEPS[f] for f in exc.errors if f in FIELD_STEPS),
                    CODE_STEPS.get(exc.code, "check"))
        if exc.code == "slot_taken":
            data.pop("slot_start", None)
            save(data)
        return redirect(step_url(step, change=1) if step != "check" else step_url("check"))
    drop_stash(data.get("summary_ref"))
    session.pop(DRAFT, None)
    return redirect(url_for("bookings.done", id=booking.id))
