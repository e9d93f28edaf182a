"""Accent-insensitive trigram similarity (sessions/textmatch.py), as pg_trgm computes it."""

from __future__ import annotations

import pytest

from sessions.textmatch import SIMILARITY_THRESHOLD, fold_accents, similarity, trigrams


def test_accents_case_and_d_with_stroke_fold_away():
    assert fold_accents("ĐẤT ĐAI Lấn Chiếm") == "dat dai lan chiem"
    assert fold_accents("Nghị định 154/2026") == "nghi dinh 154/2026"


def test_trigrams_are_those_of_pg_trgm():
    assert trigrams("Đất") == {"  d", " da", "dat", "at "}
    assert trigrams("a, b") == {"  a", " a ", "  b", " b "}
    assert trigrams("!!!") == frozenset()


def test_an_accentless_text_matches_the_accented_one():
    assert similarity("dat dai lan chiem", "đất đai lấn chiếm") == 1.0
    assert similarity("dat dai lan chiem",
                      "Hàng xóm lấn chiếm đất đai của gia đình tôi") >= SIMILARITY_THRESHOLD


@pytest.mark.parametrize("other", ["Đề nghị sửa đường giao thông nông thôn",
                                   "Khiếu nại về chế độ bảo hiểm xã hội", ""])
def test_unrelated_texts_stay_below_the_threshold(other):
    assert similarity("dat dai lan chiem", other) < SIMILARITY_THRESHOLD


def test_values_agree_with_postgresql():
    # SELECT similarity('ab cd', 'ab') and similarity('dat dai lan chiem',
    # unaccent(lower('Hàng xóm lấn chiếm đất đai của gia đình tôi'))) on PostgreSQL 16
    assert similarity("ab cd", "ab") == 0.5
    assert similarity("dat dai lan chiem",
                      "Hàng xóm lấn chiếm đất đai của gia đình tôi") == pytest.approx(0.4)
