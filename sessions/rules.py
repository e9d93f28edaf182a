"""The legal rulebook of citizen reception, as data with effective dates.

Sources: Law on Citizen Reception 42/2013/QH13 as amended by Law 136/2025/QH15,
Decree 154/2026/NĐ-CP (see DOMAIN.md). The application may store edited copies
of these rules and pass them in as ``rules``; the defaults below are the law as
we read it, and items marked "verify" there are kept editable for that reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .errors import N_, CoreError
from .workdays import WorkCalendar

LEVELS = ("province", "commune", "district")
PERIODS = ("week", "month")

#: A periodic session is published at least this many working days ahead (Law Art 24).
PUBLICATION_WORKING_DAYS = 5
#: Online participants are notified, and the link tested, this many working days ahead
#: (Decree 154/2026 Art 23, verify).
NOTIFY_WORKING_DAYS = 5
LINK_TEST_WORKING_DAYS = 1
#: All video points are connected this long before an online session starts.
CONNECT_BEFORE_MINUTES = 60
#: The citizen is answered within this many working days of the reception (Law Art 28.1).
ANSWER_WORKING_DAYS = 10
#: A written refusal notice (form 01/TCD) goes out within this many working days.
REFUSAL_NOTICE_WORKING_DAYS = 3


@dataclass(frozen=True)
class Rule:
    """A minimum frequency of periodic reception for a level of local government."""

    level: str
    min_days: int
    per: str
    effective_from: date
    effective_until: date | None
    source: str
    note: str = ""

    def __post_init__(self):
        if self.per not in PERIODS:
            raise CoreError("invalid_rule_period",
                            N_("Chu kỳ của quy định phải là tuần hoặc tháng."), field="per")
        if self.min_days < 0:
            raise CoreError("invalid_rule_days",
                            N_("Số ngày tiếp tối thiểu không được âm."), field="min_days")
        if self.effective_until is not None and self.effective_until < self.effective_from:
            raise CoreError("invalid_rule_dates",
                            N_("Ngày hết hiệu lực không được trước ngày có hiệu lực."),
                            field="effective_until")

    def in_force(self, on: date) -> bool:
        """Whether the rule applies on ``on``."""
        return self.effective_from <= on and (
            self.effective_until is None or on <= self.effective_until
        )

    def describe(self, gettext=None) -> str:
        """A one-line statement of the rule, translated with ``gettext`` if given."""
        template = _RULE_TEXTS[self.per]
        if gettext is not None:
            template = gettext(template)
        return template.format(min_days=self.min_days, source=self.source)


_RULE_TEXTS = {
    "week": N_("Ít nhất {min_days} ngày mỗi tuần ({source})"),
    "month": N_("Ít nhất {min_days} ngày mỗi tháng ({source})"),
}

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("province", 1, "month", date(2014, 7, 1), None,
         "Luật Tiếp công dân 2013, Điều 12 khoản 5"),
    Rule("commune", 1, "week", date(2014, 7, 1), date(2026, 6, 30),
         "Luật Tiếp công dân 2013, Điều 15 khoản 2 điểm d"),
    Rule("commune", 2, "month", date(2026, 7, 1), None,
         "Luật số 136/2025/QH15", "Cần kiểm tra lại với văn bản chính thức."),
    Rule("district", 2, "month", date(2014, 7, 1), date(2025, 6, 30),
         "Luật Tiếp công dân 2013, Điều 13 khoản 5",
         "Cấp huyện kết thúc hoạt động từ ngày 01/07/2025."),
)


# --- minimum frequency and compliance -------------------------------------------

def rule_for(level: str, on: date, rules: Iterable[Rule] = DEFAULT_RULES) -> Rule | None:
    """The rule in force for ``level`` on ``on`` (the most recent one if several are)."""
    in_force = [r for r in rules if r.level == level and r.in_force(on)]
    return max(in_force, key=lambda r: r.effective_from, default=None)


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _thursdays(year: int, month: int) -> int:
    """ISO weeks belonging to the month: those whose Thursday falls in it."""
    first, last = _month_bounds(year, month)
    first_thursday = 1 + (3 - first.weekday()) % 7
    return (last.day - first_thursday) // 7 + 1


def required_days(
    level: str, year: int, month: int, rules: Iterable[Rule] = DEFAULT_RULES
) -> tuple[int, Rule | None]:
    """Reception days required of ``level`` in a month, and the rule requiring them.

    The rule in force on the 1st of the month applies to the whole month. A
    weekly rule counts the ISO weeks whose Thursday lies in the month.
    """
    rule = rule_for(level, date(year, month, 1), rules)
    if rule is None:
        return 0, None
    if rule.per == "week":
        return rule.min_days * _thursdays(year, month), rule
    return rule.min_days, rule


@dataclass
class MonthCompliance:
    """How one host's month measures up to the minimum frequency."""

    year: int
    month: int
    required_days: int
    scheduled_days: int
    held_days: int
    compliant: bool
    rule: Rule | None


def _days_in_month(dates: Iterable[date], year: int, month: int) -> int:
    return len({d for d in dates if d.year == year and d.month == month})


def month_compliance(
    level: str,
    year: int,
    month: int,
    scheduled_dates: Iterable[date],
    held_dates: Iterable[date],
    today: date,
    rules: Iterable[Rule] = DEFAULT_RULES,
) -> MonthCompliance:
    """Compliance of one month: distinct dates in that month are counted.

    A month entirely in the past is judged on the days actually held; the
    current and future months on the days scheduled.
    """
    required, rule = required_days(level, year, month, rules)
    scheduled = _days_in_month(scheduled_dates, year, month)
    held = _days_in_month(held_dates, year, month)
    is_past = (year, month) < (today.year, today.month)
    compliant = (held if is_past else scheduled) >= required
    return MonthCompliance(year, month, required, scheduled, held, compliant, rule)


def _months(first: date, last: date) -> Iterable[tuple[int, int]]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def schedule_warnings(
    level: str,
    dates: Sequence[date],
    valid_from: date,
    valid_until: date,
    rules: Iterable[Rule] = DEFAULT_RULES,
) -> list[CoreError]:
    """A ``below_minimum`` warning for each month the schedule alone leaves short.

    Only calendar months lying wholly inside the validity period are checked.
    Each warning carries ``month`` (``YYYY-MM``), ``required`` and ``scheduled``.
    """
    rules = tuple(rules)
    warnings = []
    for year, month in _months(valid_from, valid_until):
        first, last = _month_bounds(year, month)
        if first < valid_from or last > valid_until:
            continue
        required, rule = required_days(level, year, month, rules)
        scheduled = _days_in_month(dates, year, month)
        if scheduled < required:
            warnings.append(CoreError(
                "below_minimum",
                N_("Tháng {month_label}: lịch có {scheduled} ngày tiếp, ít hơn mức tối thiểu "
                   "{required} ngày ({source})."),
                month=f"{year:04d}-{month:02d}", month_label=f"{month:02d}/{year:04d}",
                required=required, scheduled=scheduled, source=rule.source,
            ))
    return warnings


# --- deadlines in working days ------------------------------------------------------

def publication_deadline(session_day: date, cal: WorkCalendar) -> date:
    """The last day a periodic session may be published: 5 working days before it."""
    return cal.add_working_days(session_day, -PUBLICATION_WORKING_DAYS)


def is_late_publication(published_on: date, session_day: date, cal: WorkCalendar) -> bool:
    """Whether publishing on ``published_on`` comes too late for ``session_day``."""
    return published_on > publication_deadline(session_day, cal)


def answer_deadline(reception_day: date, cal: WorkCalendar) -> date:
    """The day by which the citizen must be answered (10 working days, Law Art 28.1)."""
    return cal.add_working_days(reception_day, ANSWER_WORKING_DAYS)


def refusal_notice_deadline(refusal_day: date, cal: WorkCalendar,
                            working_days: int = REFUSAL_NOTICE_WORKING_DAYS) -> date:
    """The day by which a written refusal notice (form 01/TCD) must be sent."""
    return cal.add_working_days(refusal_day, working_days)


#: The deadlines in working days, by code, with their sources (seeded into the rulebook).
DEADLINES: dict[str, tuple[int, str, str]] = {
    "publication": (PUBLICATION_WORKING_DAYS, "Luật Tiếp công dân 2013, Điều 24",
                    N_("Công khai lịch tiếp trước ít nhất (ngày làm việc)")),
    "notify_online": (NOTIFY_WORKING_DAYS, "Nghị định 154/2026/NĐ-CP, Điều 23",
                      N_("Thông báo cho người tham gia tiếp trực tuyến trước (ngày làm việc)")),
    "link_test": (LINK_TEST_WORKING_DAYS, "Nghị định 154/2026/NĐ-CP, Điều 23",
                  N_("Kiểm tra đường truyền trước (ngày làm việc)")),
    "answer": (ANSWER_WORKING_DAYS, "Luật Tiếp công dân 2013, Điều 28 khoản 1",
               N_("Trả lời công dân trong (ngày làm việc)")),
    "refusal_notice": (REFUSAL_NOTICE_WORKING_DAYS, "Nghị định 154/2026/NĐ-CP, Điều 4 khoản 3",
                       N_("Gửi thông báo từ chối tiếp (Mẫu 01/TCD) trong (ngày làm việc)")),
}


# --- refusal grounds (Law Art 9; Decree 154 Art 4) -----------------------------------

ARISES = ("triage", "session")
LAW = "Luật Tiếp công dân, Điều 9 khoản {n}"
DECREE = "Nghị định 154/2026/NĐ-CP, Điều 4 khoản 1 điểm {p}"
DECREE_FROM = date(2026, 7, 1)


@dataclass(frozen=True)
class RefusalGround:
    """A legal ground for refusing to receive a citizen.

    ``written_notice``: the refusal goes out in writing (form 01/TCD) within 3 working
    days (Decree 154 Art 4.3); on the other grounds the reason is given orally or in
    the message (Art 4.2). ``arises``: ``triage`` when it can be judged from the
    registration, ``session`` when it shows only at the reception itself.
    """

    code: str
    text: str
    source: str
    written_notice: bool
    arises: str
    effective_from: date = date(2014, 7, 1)
    effective_until: date | None = None

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (
            self.effective_until is None or on <= self.effective_until)


DEFAULT_GROUNDS: tuple[RefusalGround, ...] = (
    RefusalGround("intoxicated", N_(
        "Người trong tình trạng say do dùng chất kích thích, mắc bệnh tâm thần hoặc bệnh "
        "khác làm mất khả năng nhận thức, điều khiển hành vi"), LAW.format(n=1), False,
        "session"),
    RefusalGround("threatening", N_(
        "Người có hành vi đe dọa, xúc phạm người tiếp công dân, người thi hành công vụ "
        "hoặc vi phạm nội quy nơi tiếp công dân"), LAW.format(n=2), False, "session"),
    RefusalGround("already_settled", N_(
        "Khiếu nại, tố cáo đã được giải quyết đúng chính sách, pháp luật, đã được kiểm tra, "
        "rà soát, trả lời bằng văn bản, giải thích mà vẫn cố tình khiếu nại, tố cáo kéo "
        "dài"), LAW.format(n=3), True, "triage"),
    RefusalGround("weapons", N_(
        "Người mang theo vũ khí, vật liệu nổ, công cụ hỗ trợ hoặc vật dụng nguy hiểm khác "
        "mà không gửi, không giao nộp theo yêu cầu"), DECREE.format(p="a"), False, "session",
        DECREE_FROM),
    RefusalGround("security_check", N_(
        "Người không chấp hành việc kiểm tra an ninh tại nơi tiếp công dân"),
        DECREE.format(p="b"), False, "session", DECREE_FROM),
    RefusalGround("recording_forbidden", N_(
        "Người ghi âm, ghi hình, phát trực tiếp sau khi đã được thông báo không được ghi "
        "âm, ghi hình, phát trực tiếp"), DECREE.format(p="c"), False, "session",
        DECREE_FROM),
    RefusalGround("disorder", N_(
        "Người có hành vi kích động, gây rối trật tự tại nơi tiếp công dân"),
        DECREE.format(p="d"), False, "session", DECREE_FROM),
    RefusalGround("incapable_without_representative", N_(
        "Người mất năng lực hành vi dân sự, hạn chế năng lực hành vi dân sự mà không có "
        "người đại diện hợp pháp"), DECREE.format(p="đ"), False, "triage", DECREE_FROM),
    RefusalGround("unproven_representation", N_(
        "Người đại diện, người được ủy quyền không xuất trình được giấy tờ chứng minh việc "
        "đại diện, ủy quyền hợp pháp"), DECREE.format(p="e"), False, "triage", DECREE_FROM),
    RefusalGround("outside_scope", N_(
        "Nội dung không thuộc phạm vi điều chỉnh của pháp luật về tiếp công dân (khiếu nại, "
        "tố cáo, kiến nghị, phản ánh)"), DECREE.format(p="g"), False, "triage", DECREE_FROM),
    RefusalGround("already_answered", N_(
        "Kiến nghị, phản ánh đã được xem xét, trả lời mà không có nội dung, tình tiết mới"),
        DECREE.format(p="h"), True, "triage", DECREE_FROM),
    RefusalGround("final_judgment", N_(
        "Vụ việc đã có bản án, quyết định của Tòa án có hiệu lực pháp luật, không thuộc "
        "trường hợp xem xét lại"), DECREE.format(p="i"), False, "triage", DECREE_FROM),
    RefusalGround("pending_elsewhere", N_(
        "Vụ việc đang được cơ quan, người có thẩm quyền khác thụ lý, giải quyết"),
        DECREE.format(p="k"), False, "triage", DECREE_FROM),
)

#: code -> text of every ground (texts of refusals already stored stay readable).
REFUSAL_GROUNDS: dict[str, str] = {g.code: g.text for g in DEFAULT_GROUNDS}

#: Grounds that require a written refusal notice (form 01/TCD) within 3 working days.
WRITTEN_NOTICE_GROUNDS = frozenset(g.code for g in DEFAULT_GROUNDS if g.written_notice)
#: Grounds judged at triage, and grounds that show only at the session.
TRIAGE_GROUNDS = tuple(g.code for g in DEFAULT_GROUNDS if g.arises == "triage")
SESSION_GROUNDS = tuple(g.code for g in DEFAULT_GROUNDS if g.arises == "session")


def grounds_in_force(on: date | None = None,
                     grounds: Iterable[RefusalGround] = DEFAULT_GROUNDS,
                     arises: str | None = None) -> list[RefusalGround]:
    """The grounds in force on ``on`` (all when None), optionally only those of ``arises``;
    the latest version of a code wins."""
    found: dict[str, RefusalGround] = {}
    for g in grounds:
        if on is not None and not g.in_force(on):
            continue
        if arises is not None and g.arises != arises:
            continue
        if g.code not in found or g.effective_from > found[g.code].effective_from:
            found[g.code] = g
    order = {g.code: n for n, g in enumerate(DEFAULT_GROUNDS)}
    return sorted(found.values(), key=lambda g: (order.get(g.code, len(order)), g.code))


def validate_refusal_ground(code: object, arises: str | None = None,
                            grounds: Iterable[RefusalGround] | None = None) -> str:
    """``code`` if it is a known refusal ground (of ``arises`` when given, among
    ``grounds`` when given), else ``CoreError`` on field ``ground``."""
    known = ({g.code: g for g in grounds} if grounds is not None
             else {g.code: g for g in DEFAULT_GROUNDS})
    if not isinstance(code, str) or code not in known:
        raise CoreError("invalid_ground", N_("Căn cứ từ chối tiếp không hợp lệ."),
                        field="ground")
    if arises is not None and known[code].arises != arises:
        if arises == "triage":
            raise CoreError("invalid_ground", N_(
                "Căn cứ này chỉ phát sinh tại buổi tiếp, không dùng khi xem xét đăng ký."),
                field="ground")
        raise CoreError("invalid_ground", N_(
            "Căn cứ này được xem xét khi tiếp nhận đăng ký, không dùng tại buổi tiếp."),
            field="ground")
    return code


def needs_written_notice(code: str,
                         grounds: Iterable[RefusalGround] | None = None) -> bool:
    """Whether refusing on ground ``code`` requires the written notice (form 01/TCD)."""
    if grounds is None:
        return code in WRITTEN_NOTICE_GROUNDS
    return any(g.code == code and g.written_notice for g in grounds)


# --- delegating reception to a deputy (Law 136/2025, as reported) ---------------------

@dataclass(frozen=True)
class DelegationRule:
    """Whether the chairman may delegate periodic reception to a deputy."""

    allowed: bool
    effective_from: date
    effective_until: date | None
    source: str
    note: str = ""

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (
            self.effective_until is None or on <= self.effective_until)


DEFAULT_DELEGATION: tuple[DelegationRule, ...] = (
    DelegationRule(True, date(2014, 7, 1), date(2026, 6, 30),
                   "Luật Tiếp công dân 2013, Điều 12, 15",
                   "Chủ tịch có thể ủy quyền cho cấp phó tiếp công dân định kỳ."),
    DelegationRule(False, date(2026, 7, 1), None,
                   "Luật số 136/2025/QH15 (theo báo cáo, cần kiểm tra)",
                   "Không ủy quyền cấp phó tiếp công dân; cần kiểm tra lại với văn bản "
                   "chính thức."),
)


def delegation_rule(on: date, rules: Iterable[DelegationRule] = DEFAULT_DELEGATION
                    ) -> DelegationRule | None:
    """The delegation rule in force on ``on``."""
    in_force = [r for r in rules if r.in_force(on)]
    return max(in_force, key=lambda r: r.effective_from, default=None)


def may_delegate(on: date, rules: Iterable[DelegationRule] = DEFAULT_DELEGATION) -> bool:
    """Whether a deputy's session counts as the chairman's own on ``on`` (yes when no
    rule says otherwise)."""
    rule = delegation_rule(on, rules)
    return True if rule is None else rule.allowed


# --- groups with the same matter (Law Art 29) ----------------------------------------

def max_representatives(group_size: int) -> int:
    """How many representatives a group may send: 1 below 5, 2 up to 10, then 5."""
    if group_size > 10:
        return 5
    return 2 if group_size >= 5 else 1


def min_representatives(group_size: int) -> int:
    """Representatives a group must name: at least one from 5 people up."""
    return 1 if group_size >= 5 else 0


def validate_group(group_size: object, representatives_count: object) -> None:
    """Raise ``CoreError`` unless the group may come with that many representatives."""
    if isinstance(group_size, bool) or not isinstance(group_size, int) or group_size < 1:
        raise CoreError("invalid_group_size",
                        N_("Số người cùng nội dung phải là số nguyên từ 1 trở lên."),
                        field="group_size")
    count = representatives_count
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise CoreError("invalid_representatives", N_("Số người đại diện không hợp lệ."),
                        field="representatives")
    if count < min_representatives(group_size):
        raise CoreError("representatives_required",
                        N_("Nhóm từ {min_size} người trở lên phải cử người đại diện."),
                        field="representatives", min_size=5)
    if count > max_representatives(group_size):
        raise CoreError("too_many_representatives",
                        N_("Nhóm {size} người chỉ được cử tối đa {max} người đại diện."),
                        field="representatives", size=group_size,
                        max=max_representatives(group_size))
