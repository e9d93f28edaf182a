"""Tests of sessions/tracking.py: tracking codes and their check symbol."""

from __future__ import annotations

import math
import re

import pytest

from sessions.tracking import (
    ALPHABET,
    RANDOM_LENGTH,
    check_symbol,
    new_tracking_code,
    normalize_tracking_code,
)

CODE_PATTERN = re.compile(rf"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{5}}")
# A fixed valid code: 12 symbols and the check symbol X.
SAMPLE = "K7MC-4TXP-9HRBX"
FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def sample_codes(count: int = 40) -> list[str]:
    """Fresh codes without their dashes."""
    return [new_tracking_code().replace("-", "") for _ in range(count)]


def test_alphabet_has_no_lookalikes_and_enough_entropy():
    assert not set("0O1ILUZQ") & set(ALPHABET)
    assert not set("AEIOUY") & set(ALPHABET)
    assert all(len(ALPHABET) % divisor for divisor in range(2, len(ALPHABET)))
    assert RANDOM_LENGTH * math.log2(len(ALPHABET)) >= 50


def test_new_code_format():
    code = new_tracking_code()
    assert CODE_PATTERN.fullmatch(code)
    assert normalize_tracking_code(code) == code


def test_new_codes_are_unique():
    codes = {new_tracking_code() for _ in range(10_000)}
    assert len(codes) == 10_000


def test_sample_code_is_valid():
    assert check_symbol(SAMPLE.replace("-", "")[:-1]) == "X"
    assert normalize_tracking_code(SAMPLE) == SAMPLE


def test_every_single_symbol_typo_is_caught():
    for code in sample_codes():
        for position, original in enumerate(code):
            for symbol in ALPHABET.replace(original, ""):
                typo = code[:position] + symbol + code[position + 1 :]
                assert normalize_tracking_code(typo) is None


def test_every_swap_of_two_symbols_is_caught():
    for code in sample_codes():
        for first in range(len(code)):
            for second in range(first + 1, len(code)):
                if code[first] == code[second]:
                    continue
                swapped = list(code)
                swapped[first], swapped[second] = swapped[second], swapped[first]
                assert normalize_tracking_code("".join(swapped)) is None


def test_missing_or_extra_symbol_is_caught():
    code = SAMPLE.replace("-", "")
    assert normalize_tracking_code(code[:-1]) is None
    assert normalize_tracking_code(code + "2") is None


@pytest.mark.parametrize(
    "text",
    [
        "k7mc-4txp-9hrbx",
        "K7MC4TXP9HRBX",
        " k7mc 4txp 9hrbx ",
        "K7MC.4TXP_9HRBX",
        SAMPLE.translate(FULL_WIDTH),  # as some East Asian keyboards type it
    ],
)
def test_normalize_tolerates_case_and_separators(text):
    assert normalize_tracking_code(text) == SAMPLE


def test_normalize_reads_z_as_2():
    body = "2345BCFGHJKM"
    code = body + check_symbol(body)
    assert normalize_tracking_code("Z" + code[1:]) == normalize_tracking_code(code)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "K7MC-4TXP-9HRBO",
        "K7MC-4TXP-9HRB0",
        "K7MC-4TXP-9HRBA",
        "Ổ" * 13,
        "2" * 65,
        None,
        42,
    ],
)
def test_normalize_refuses_non_codes(text):
    assert normalize_tracking_code(text) is None
