"""Tests of sessions/identity.py: phones, CCCD numbers, names, passwords, masking."""

from __future__ import annotations

from datetime import date

import pytest

from sessions.errors import CoreError
from sessions.identity import (
    CCCD_PROVINCE_CODES,
    display_phone,
    mask_cccd,
    mask_email,
    mask_name,
    mask_phone,
    normalize_phone,
    validate_cccd,
    validate_full_name,
    validate_password,
)

FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0900000001", "+84900000001"),
        ("0912 345 678", "+84912345678"),
        ("091.234.5678", "+84912345678"),
        ("0387-654-321", "+84387654321"),
        ("+84912345678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        (" 0567890123 ", "+84567890123"),
        ("0789012345", "+84789012345"),
        ("0812345678", "+84812345678"),
    ],
)
def test_normalize_phone_accepts_mobiles(text, expected):
    assert normalize_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0241234567",  # Hà Nội landline
        "02433334444",  # landline with an 11-digit area form
        "09123456789",  # 11 digits
        "091234567",  # 9 digits
        "0112345678",  # no such mobile prefix
        "0612345678",
        "+840912345678",  # +84 must drop the leading 0
        "+1 912345678",
        "09123abc45",
        "0912345678".translate(FULL_WIDTH),
        "",
    ],
)
def test_normalize_phone_refuses_others(text):
    with pytest.raises(CoreError) as error:
        normalize_phone(text)
    assert (error.value.code, error.value.field) == ("invalid_phone", "phone")


def test_display_phone():
    assert display_phone("+84900000001") == "0900000001"


def test_cccd_province_list_has_the_63_provinces():
    assert len(CCCD_PROVINCE_CODES) == 63
    assert CCCD_PROVINCE_CODES["008"] == "Tuyên Quang"
    assert CCCD_PROVINCE_CODES["096"] == "Cà Mau"


@pytest.mark.parametrize(
    ("text", "birth_date", "sex"),
    [
        ("008085001234", date(1985, 3, 2), "male"),
        ("079199012345", date(1999, 12, 31), "female"),
        ("001303000001", date(2003, 1, 1), "female"),
        ("001202000001", date(2002, 6, 1), "male"),
        ("079 190 012 345", None, None),
    ],
)
def test_validate_cccd_accepts_consistent_numbers(text, birth_date, sex):
    assert validate_cccd(text, birth_date, sex) == text.replace(" ", "")


@pytest.mark.parametrize(
    ("text", "birth_date", "sex", "code"),
    [
        ("00808500123", None, None, "invalid_cccd"),
        ("0080850012345", None, None, "invalid_cccd"),
        ("00808500123a", None, None, "invalid_cccd"),
        ("008-085-001234", None, None, "invalid_cccd"),
        ("003085001234", None, None, "invalid_cccd_province"),
        ("097085001234", None, None, "invalid_cccd_province"),
        ("000085001234", None, None, "invalid_cccd_province"),
        ("008085001234", date(2085, 3, 2), None, "cccd_birth_year_mismatch"),
        ("008285001234", date(1985, 3, 2), None, "cccd_birth_year_mismatch"),
        ("008086001234", date(1985, 3, 2), None, "cccd_birth_year_mismatch"),
        ("008085001234", None, "female", "cccd_sex_mismatch"),
        ("008385001234", None, "male", "cccd_sex_mismatch"),
    ],
)
def test_validate_cccd_refuses(text, birth_date, sex, code):
    with pytest.raises(CoreError) as error:
        validate_cccd(text, birth_date, sex)
    assert (error.value.code, error.value.field) == (code, "cccd")


def test_cccd_messages_never_mention_registration():
    with pytest.raises(CoreError) as error:
        validate_cccd("008085001234", None, "female")
    assert "đăng ký" not in error.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Nguyễn   Văn An ", "Nguyễn Văn An"),
        ("Đặng Thị Ngọc Ánh", "Đặng Thị Ngọc Ánh"),
        ("H'Hen Niê", "H'Hen Niê"),
        ("Lê-Trần J. Phương", "Lê-Trần J. Phương"),
        ("Nguye\u0302\u0303n", "Nguyễn"),  # decomposed input is stored in NFC
    ],
)
def test_validate_full_name_accepts(text, expected):
    assert validate_full_name(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "A" * 121, "Nguyễn Văn 2", "<script>", "-.'"])
def test_validate_full_name_refuses(text):
    with pytest.raises(CoreError) as error:
        validate_full_name(text)
    assert (error.value.code, error.value.field) == ("invalid_full_name", "full_name")


def test_validate_password_accepts_letters_and_digits():
    assert validate_password("matkhau1") == "matkhau1"


@pytest.mark.parametrize("text", ["demo123", "12345678", "abcdefgh", "", "mậtkhẩu"])
def test_validate_password_refuses_weak(text):
    with pytest.raises(CoreError) as error:
        validate_password(text)
    assert (error.value.code, error.value.field) == ("weak_password", "password")
    assert "8" in error.value.message


def test_validate_password_refuses_very_long():
    with pytest.raises(CoreError) as error:
        validate_password("a1" * 65)
    assert error.value.code == "password_too_long"


@pytest.mark.parametrize(
    ("masker", "text", "expected"),
    [
        (mask_cccd, "008123456789", "008******789"),
        (mask_phone, "+84900000001", "090*******"),
        (mask_phone, "0912345678", "091*******"),
        (mask_phone, "12345", "*****"),
        (mask_name, "Nguyễn Văn An", "N*** V** A*"),
        (mask_name, "Đặng Y", "Đ*** Y*"),
        (mask_name, "E\u0301n", "É*"),  # the accent stays with its letter
        (mask_email, "an.nguyen@example.com", "a***@example.com"),
        (mask_email, "not-an-email", "n***"),
    ],
)
def test_masking(masker, text, expected):
    assert masker(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("C1234567", "C1234567"), ("b 123 4567", "B1234567"), ("N12345678", "N12345678"),
    ("ab1234567", "AB1234567"), ("12345678", "12345678")])
def test_validate_passport_accepts(text, expected):
    from sessions.identity import validate_passport

    assert validate_passport(text) == expected


@pytest.mark.parametrize("text", ["", "C123456", "C12345678901", "ABCDEFGH", "C12-34567",
                                  "Ç1234567", "C１２３４５６７"])
def test_validate_passport_refuses(text):
    from sessions.identity import validate_passport

    with pytest.raises(CoreError) as refused:
        validate_passport(text)
    assert refused.value.code == "invalid_passport" and refused.value.field == "passport"
