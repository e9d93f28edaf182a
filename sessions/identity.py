"""Identity data of citizens: phone numbers, CCCD numbers, names, passwords, masking.

Validators take the raw text a person typed and return the canonical value to store,
or raise :class:`~sessions.errors.CoreError`. No function here looks anything up:
in particular nothing tells whether a CCCD or a phone number is already registered.
Maskers never raise, because they run on stored data in exports and notices.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from sessions.errors import N_, CoreError

# Vietnamese mobile numbers: 10 digits starting 03, 05, 07, 08 or 09 (landlines
# start 02 and are refused), written nationally with 0 or internationally with 84.
_MOBILE = re.compile(r"(?:0|\+?84)([35789][0-9]{8})")
_PHONE_SEPARATORS = re.compile(r"[\s.\-]")

# Province codes of birth registration used in digits 1-3 of a CCCD (Circular
# 59/2021/TT-BCA): the 63 provinces before the 2025 merger. The 34 merged
# provinces kept the code of one of their members, so the list covers new cards too.
CCCD_PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An",
    "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
    "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

# Digit 4 of a CCCD: the century of birth and the sex (even: male, odd: female).
_CENTURY_BY_DIGIT = {0: 1900, 2: 2000, 4: 2100, 6: 2200, 8: 1800}
SEXES = ("male", "female")

FULL_NAME_MAX_LENGTH = 120
_NAME_PUNCTUATION = frozenset(" '\u2019-.")  # \u2019: typographic apostrophe
PASSWORD_MIN_LENGTH = 8
# Beyond this a password only costs hashing time; no person types one that long.
PASSWORD_MAX_LENGTH = 128


def normalize_phone(text: str) -> str:
    """The E.164 form (``+84xxxxxxxxx``) of a Vietnamese mobile number.

    Accepts ``0xxxxxxxxx``, ``+84xxxxxxxxx`` and ``84xxxxxxxxx`` with spaces, dots
    and dashes anywhere; refuses landlines (``02…``) and any other length.
    """
    compact = _PHONE_SEPARATORS.sub("", text or "")
    match = _MOBILE.fullmatch(compact)
    if match is None:
        raise CoreError(
            "invalid_phone",
            N_("Số điện thoại di động không hợp lệ (gồm 10 chữ số, ví dụ 0912345678)."),
            field="phone",
        )
    return "+84" + match.group(1)


def display_phone(e164: str) -> str:
    """The national form ``0xxxxxxxxx`` of a mobile number (any accepted form)."""
    return "0" + normalize_phone(e164)[3:]


def validate_cccd(text: str, birth_date: date | None = None, sex: str | None = None) -> str:
    """The 12 digits of a CCCD number, checked for shape and consistency.

    Digits 1-3 must be a province code of birth registration, digit 4 gives the
    century of birth and the sex, digits 5-6 the last two digits of the birth year.
    When ``birth_date`` or ``sex`` (``"male"``/``"female"``) is given, the number
    must agree with it. Error codes: ``invalid_cccd`` (shape),
    ``invalid_cccd_province``, ``cccd_birth_year_mismatch``, ``cccd_sex_mismatch``.
    """
    if sex is not None and sex not in SEXES:
        raise ValueError(f"sex must be one of {SEXES}")
    digits = re.sub(r"\s", "", text or "")
    if not (len(digits) == 12 and digits.isascii() and digits.isdigit()):
        raise CoreError("invalid_cccd", N_("Số CCCD phải gồm đúng 12 chữ số."), field="cccd")
    if digits[:3] not in CCCD_PROVINCE_CODES:
        raise CoreError(
            "invalid_cccd_province",
            N_("Ba chữ số đầu của số CCCD không phải mã tỉnh, thành phố hợp lệ."),
            field="cccd",
        )
    birth_year, cccd_sex = cccd_birth_year_and_sex(digits)
    if birth_date is not None and birth_date.year != birth_year:
        raise CoreError(
            "cccd_birth_year_mismatch",
            N_("Số CCCD không khớp với năm sinh đã khai."),
            field="cccd",
        )
    if sex is not None and sex != cccd_sex:
        raise CoreError(
            "cccd_sex_mismatch",
            N_("Số CCCD không khớp với giới tính đã khai."),
            field="cccd",
        )
    return digits


# Passport numbers: a Vietnamese passport is one letter and 7 digits (B1234567,
# C1234567, …); foreign passports and older forms are 8 or 9 letters and digits with at
# least one digit. Spaces are dropped and letters put in upper case.
_VN_PASSPORT = re.compile(r"[A-Z][0-9]{7}")
_OTHER_PASSPORT = re.compile(r"(?=[A-Z]*[0-9])[A-Z0-9]{8,9}")


def validate_passport(text: str) -> str:
    """A passport number in upper case without spaces: one letter and 7 digits (Vietnam),
    or 8-9 letters and digits with at least one digit. Error code ``invalid_passport``."""
    value = re.sub(r"\s", "", text or "").upper()
    if not value.isascii() or not (_VN_PASSPORT.fullmatch(value)
                                   or _OTHER_PASSPORT.fullmatch(value)):
        raise CoreError(
            "invalid_passport",
            N_("Số hộ chiếu gồm 1 chữ cái và 7 chữ số (ví dụ C1234567), hoặc 8–9 chữ cái và "
               "chữ số."),
            field="passport",
        )
    return value


def cccd_birth_year_and_sex(digits: str) -> tuple[int, str]:
    """The birth year and sex encoded in digits 4-6 of a well-formed CCCD number."""
    century_digit = int(digits[3])
    century = _CENTURY_BY_DIGIT[century_digit - century_digit % 2]
    return century + int(digits[4:6]), SEXES[century_digit % 2]


def validate_full_name(text: str) -> str:
    """A person's full name, trimmed, with single spaces, in Unicode NFC.

    1-120 characters: letters of any script (Vietnamese diacritics included),
    spaces, apostrophes, hyphens and dots, with at least one letter.
    """
    name = " ".join(unicodedata.normalize("NFC", text or "").split())
    if not 1 <= len(name) <= FULL_NAME_MAX_LENGTH:
        raise CoreError(
            "invalid_full_name",
            N_("Vui lòng nhập họ và tên (tối đa {max} ký tự)."),
            field="full_name",
            max=FULL_NAME_MAX_LENGTH,
        )
    if not all(_is_name_char(char) for char in name) or not any(char.isalpha() for char in name):
        raise CoreError(
            "invalid_full_name",
            N_("Họ và tên chỉ gồm chữ cái, dấu cách, dấu nháy, gạch nối, dấu chấm."),
            field="full_name",
        )
    return name


def _is_name_char(char: str) -> bool:
    # Combining marks (category M) are allowed for scripts NFC cannot precompose.
    return char in _NAME_PUNCTUATION or unicodedata.category(char)[0] in "LM"


def validate_password(text: str) -> str:
    """The password unchanged if it has 8-128 characters, a letter and a digit."""
    password = text or ""
    if len(password) > PASSWORD_MAX_LENGTH:
        raise CoreError(
            "password_too_long",
            N_("Mật khẩu không được dài quá {max} ký tự."),
            field="password",
            max=PASSWORD_MAX_LENGTH,
        )
    has_letter = any(char.isalpha() for char in password)
    has_digit = any(char in "0123456789" for char in password)
    if len(password) < PASSWORD_MIN_LENGTH or not (has_letter and has_digit):
        raise CoreError(
            "weak_password",
            N_("Mật khẩu phải có ít nhất {min} ký tự, gồm cả chữ và số."),
            field="password",
            min=PASSWORD_MIN_LENGTH,
        )
    return password


def mask_cccd(text: str) -> str:
    """``008123456789`` → ``008******789``: the province code and the last 3 digits."""
    digits = re.sub(r"\s", "", text or "")
    if len(digits) <= 6:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 6) + digits[-3:]


def mask_phone(text: str) -> str:
    """``+84900000001`` → ``090*******``: the national form's first 3 digits only.

    None of the last four is shown: they open the public tracking of a case.
    """
    try:
        digits = display_phone(text)
    except CoreError:
        digits = re.sub(r"\D", "", text or "")
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 3)


def mask_name(text: str) -> str:
    """``Nguyễn Văn An`` → ``N*** V** A*``: each word's initial, at most 3 stars.

    Capping the stars hides the length of long words; the text is put in NFC first
    so that an initial is never split from its diacritics.
    """
    words = unicodedata.normalize("NFC", text or "").split()
    return " ".join(word[0] + "*" * min(max(len(word) - 1, 1), 3) for word in words)


def mask_email(text: str) -> str:
    """``an.nguyen@example.com`` → ``a***@example.com``: first character and domain."""
    local, at, domain = (text or "").strip().rpartition("@")
    if not at:
        return mask_name(domain)
    return (local[:1] or "*") + "***@" + domain
