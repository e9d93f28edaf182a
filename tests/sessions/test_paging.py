"""Lists cut into pages of whole days."""

from __future__ import annotations

from sessions.paging import day_pages, page_number, page_of_days

DAYS = [("mon", [1, 2, 3]), ("tue", [4]), ("wed", [5, 6, 7, 8, 9]), ("thu", [10]),
        ("fri", [11, 12])]


def test_a_page_holds_whole_days_until_it_reaches_its_size():
    pages = day_pages(DAYS, 4)
    assert [[day for day, _items in page] for page in pages] == [
        ["mon", "tue"], ["wed"], ["thu", "fri"]]


def test_a_day_larger_than_a_page_is_not_split():
    [[(day, items)], *_rest] = day_pages(DAYS[2:], 2)
    assert day == "wed" and len(items) == 5


def test_pages_link_to_their_neighbours_and_out_of_range_numbers_are_clamped():
    first = page_of_days(DAYS, 1, 4)
    assert (first.number, first.count, first.previous, first.next) == (1, 3, None, 2)
    last = page_of_days(DAYS, 99, 4)
    assert (last.number, last.previous, last.next) == (3, 2, None)
    assert [d for d, _ in last.days] == ["thu", "fri"]
    assert page_of_days(DAYS, -4, 4).number == 1


def test_an_empty_list_is_one_empty_page():
    page = page_of_days([], 1, 10)
    assert (page.days, page.number, page.count, page.next) == ([], 1, 1, None)


def test_weight_counts_the_items_of_a_day():
    groups = [("mon", [{"slots": [1] * 10}]), ("tue", [{"slots": [1]}])]
    pages = day_pages(groups, 5, weight=lambda gs: sum(len(g["slots"]) for g in gs))
    assert len(pages) == 2


def test_page_number_reads_only_positive_numbers():
    assert [page_number(t) for t in ("3", " 2 ", "0", "-1", "x", None, "9" * 30)] == \
        [3, 2, 1, 1, 1, 1, int("9" * 30)]
