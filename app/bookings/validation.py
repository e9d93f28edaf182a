"""Checking a booking request field by field, before anything is written."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from sessions.errors import N_, CoreError
from sessions.identity import normalize_phone, validate_full_name
from sessions.rules import validate_group

from ..timeutil import parse_iso, to_utc_naive
from .errors import invalid
from .models import MATTER_FIELDS, MATTER_TYPES

SUMMARY_MAX = 5000
GROUP_MAX = 100
EARLIER_REF_MAX = 100
NOTE_MAX = 2000


@dataclass
class BookingInput:
    """A booking request whose fields all have the right type and range."""

    session_id: int
    matter_type: str
    matter_field: str
    summary: str
    slot_start: datetime | None = None  # naive UTC
    group_size: int = 1
    representatives: list[dict] = field(default_factory=list)
    #: ``home`` or the code of a reception point (checked against the session later).
    join_from: str = "home"
    earlier_case_ref: str = ""
    consent_recording: bool = False
    consent_denunciation_risk: bool = False
    waitlist: bool = False

    @property
    def representatives_json(self) -> str:
        return json.dumps(self.representatives, ensure_ascii=False)


def parse_int(value: object, name: str, errors: dict, *, low: int = 1,
              high: int | None = None) -> int | None:
    """An integer in [low, high]; a bool, a float or a string is an error."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (
            high is not None and value > high):
        errors[name] = CoreError("invalid_number", N_("Giá trị phải là số nguyên từ {low} "
                                                      "đến {high}."), field=name, low=low,
                                 high=high if high is not None else "…")
        return None
    return value


def parse_session_id(value: object, errors: dict) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        errors["session_id"] = CoreError("invalid_session", N_("Vui lòng chọn buổi tiếp."),
                                         field="session_id")
        return None
    return value


def parse_slot_start(value: object, errors: dict) -> datetime | None:
    """An ISO 8601 time (local when it has no offset) as naive UTC; None when absent."""
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError(value)
        return to_utc_naive(parse_iso(value))
    except (ValueError, OverflowError):
        errors["slot_start"] = CoreError("invalid_slot", N_("Thời điểm của khung giờ không "
                                                            "hợp lệ."), field="slot_start")
        return None


def normalize_summary(text: str) -> str:
    """The summary as compared for duplicates: NFC, single spaces, case-folded."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _parse_matter(matter: object, errors: dict) -> tuple[str, str, str]:
    if not isinstance(matter, dict):
        matter = {}
    kind, area, summary = matter.get("type"), matter.get("field"), matter.get("summary")
    if not isinstance(kind, str) or kind not in MATTER_TYPES:
        errors["matter.type"] = CoreError("invalid_matter_type", N_(
            "Vui lòng chọn loại vụ việc: khiếu nại, tố cáo, kiến nghị hoặc phản ánh."),
            field="matter.type")
    if not isinstance(area, str) or area not in MATTER_FIELDS:
        errors["matter.field"] = CoreError("invalid_matter_field", N_(
            "Vui lòng chọn lĩnh vực của vụ việc."), field="matter.field")
    text = summary.strip() if isinstance(summary, str) else ""
    if not 1 <= len(text) <= SUMMARY_MAX:
        errors["matter.summary"] = CoreError("invalid_summary", N_(
            "Vui lòng trình bày nội dung vụ việc (từ 1 đến {max} ký tự)."),
            field="matter.summary", max=f"{SUMMARY_MAX:,}".replace(",", "."))
    return kind, area, text


def parse_representatives(value: object, group_size: int | None, errors: dict) -> list[dict]:
    """Representatives [{"full_name", "phone"}] checked against the group's size."""
    if value is None:
        value = []
    if not isinstance(value, list) or len(value) > 5 or not all(
            isinstance(item, dict) for item in value):
        errors["representatives"] = CoreError("invalid_representatives", N_(
            "Danh sách người đại diện không hợp lệ."), field="representatives")
        return []
    people = []
    try:
        for item in value:
            name, phone = item.get("full_name"), item.get("phone")
            if not isinstance(name, str) or not isinstance(phone, str):
                raise CoreError("invalid_representatives", N_(
                    "Mỗi người đại diện cần có họ tên và số điện thoại."))
            people.append({"full_name": validate_full_name(name),
                           "phone": normalize_phone(phone)})
        if group_size is not None:
            validate_group(group_size, len(people))
    except CoreError as exc:
        errors["representatives"] = CoreError(exc.code, exc.template, "representatives",
                                              **exc.params)
    return people


def _parse_consents(value: object, errors: dict) -> tuple[bool, bool]:
    if value is None:
        return False, False
    if not isinstance(value, dict):
        errors["consents"] = CoreError("invalid_consents", N_("Phần đồng ý không hợp lệ."),
                                       field="consents")
        return False, False
    return value.get("recording") is True, value.get("online_denunciation_risk") is True


def parse_booking(data: dict) -> BookingInput:
    """The request as a :class:`BookingInput`, or 422 listing every invalid field."""
    errors: dict[str, CoreError] = {}
    session_id = parse_session_id(data.get("session_id"), errors)
    slot_start = parse_slot_start(data.get("slot_start"), errors)
    kind, area, summary = _parse_matter(data.get("matter"), errors)
    group_size = parse_int(data.get("group_size", 1), "group_size", errors, high=GROUP_MAX)
    people = parse_representatives(data.get("representatives"), group_size, errors)
    earlier = data.get("earlier_case_ref") or ""
    if not isinstance(earlier, str) or len(earlier.strip()) > EARLIER_REF_MAX:
        errors["earlier_case_ref"] = CoreError("invalid_reference", N_(
            "Số hiệu vụ việc trước đây không được dài quá {max} ký tự."),
            field="earlier_case_ref", max=EARLIER_REF_MAX)
        earlier = ""
    recording, risk = _parse_consents(data.get("consents"), errors)
    waitlist = data.get("waitlist", False)
    if not isinstance(waitlist, bool):
        errors["waitlist"] = CoreError("invalid_waitlist", N_(
            "Giá trị đăng ký danh sách chờ không hợp lệ."), field="waitlist")
    join_from = data.get("join_from")
    join_from = "home" if join_from is None or join_from == "" else join_from
    if not isinstance(join_from, str) or len(join_from) > 20:
        errors["join_from"] = CoreError("invalid_join_from", N_(
            "Nơi tham gia phải là \"home\" (tại nhà) hoặc mã một điểm cầu."),
            field="join_from")
        join_from = "home"
    if errors:
        raise invalid(errors)
    return BookingInput(session_id=session_id, join_from=join_from.strip(), slot_start=slot_start, matter_type=kind,
                        matter_field=area, summary=summary, group_size=group_size,
                        representatives=people, earlier_case_ref=earlier.strip(),
                        consent_recording=recording, consent_denunciation_risk=risk,
                        waitlist=waitlist)


def parse_note(value: object, errors: dict, name: str = "note") -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > NOTE_MAX:
        errors[name] = CoreError("invalid_note", N_("Ghi chú không được dài quá {max} ký tự."),
                                 field=name, max=NOTE_MAX)
        return ""
    return value.strip()
