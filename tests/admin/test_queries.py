"""app/admin/queries.py: searches and counts for the admin pages."""

from __future__ import annotations

from app.admin import queries


def test_search_units_by_level_with_pagination(make, province):
    for _ in range(5):
        make.make_unit(level="commune", parent=province)
    page = queries.search_units(level="commune", page=2, per_page=2)
    assert page.total == 5 and page.pages == 3
    assert all(u.level == "commune" for u in page.items) and len(page.items) == 2


def test_search_units_by_name_or_code(make, province):
    make.make_unit("02266", level="commune", parent=province, name="Phường Minh Xuân")
    assert [u.code for u in queries.search_units("minh xuân").items] == ["02266"]
    assert [u.code for u in queries.search_units("08").items] == ["08"]


def test_search_people_by_phone_in_any_form_and_by_role(make, province):
    clerk = make.make_user("secretary", unit=province, phone="+84912345678")
    make.make_user(phone="+84912345679")
    assert [u.id for u in queries.search_people("0912 345 678").items] == [clerk.id]
    assert [u.id for u in queries.search_people(role="secretary").items] == [clerk.id]


def test_search_people_by_name_email_and_status(make):
    person = make.make_user(full_name="Trần Thị Bình", email="binh@example.test",
                            is_active_account=False)
    make.make_user(full_name="Lê Văn Cường")
    assert [u.id for u in queries.search_people("Bình").items] == [person.id]
    assert [u.id for u in queries.search_people("BINH@").items] == [person.id]
    assert [u.id for u in queries.search_people(status="inactive").items] == [person.id]


def test_a_search_with_like_wildcards_matches_them_literally(make):
    make.make_user(full_name="Nguyễn Văn An")
    assert queries.search_people("%").total == 0


def test_dashboard_counts(make, province):
    make.make_unit(level="commune", parent=province)
    make.make_user("admin")
    make.make_agency(province)
    counts = queries.dashboard_counts()
    assert counts["units"] == {"province": 1, "commune": 1}
    assert (counts["people"], counts["admins"], counts["agencies"]) == (1, 1, 1)
