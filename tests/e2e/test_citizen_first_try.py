"""A citizen of 65 on a cheap phone (360 × 740) gets through on the first try.

The booking starts at the home province (08 in the demo); a commune is found by typing
its name without accents, with JavaScript off too; "Tôi chưa rõ" is a choice of matter
type; a file chosen and then "Tiếp tục" is uploaded, not lost; the done page says what
happens next and gives a printable receipt; a pending booking's waiting room says why it
is not open; an error page offers a way back. The new screens are saved into
docs/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PHONE = {"width": 360, "height": 740}


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / name), full_page=True)


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_the_commune_is_found_without_accents_and_without_javascript(browser, live_site):
    context = browser.new_context(base_url=live_site.url, locale="vi-VN", viewport=PHONE,
                                  is_mobile=True, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", "congdan3@demo.test")
        page.fill("#password", "demo1234")
        page.click("form button[type=submit]")
        page.wait_for_url(lambda u: "/login" not in u)
        page.goto("/book")
        shot(page, "book-start-phone.png")
        page.click("main a:has-text('Bắt đầu')")
        page.wait_for_url("**/book/unit?province=08")
        assert "Bước 1/" in page.locator("main").inner_text()
        options = page.locator("#unit_code option").all_inner_texts()
        assert options[0] == "Cấp tỉnh: UBND tỉnh Tuyên Quang" and len(options) == 125
        page.fill("#unit-q", "minh xuan")
        page.click("main form button:has-text('Tìm')")
        page.wait_for_url("**q=minh+xuan*")
        assert page.locator("#unit_code option").all_inner_texts() == [
            "Cấp tỉnh: UBND tỉnh Tuyên Quang", "Phường Minh Xuân"]
        assert page.locator("#unit_code").input_value() != "08"  # the one match, chosen
        assert "Có 1 xã, phường có tên chứa “minh xuan”." in page.locator("main").inner_text()
        assert fits(page)
        shot(page, "book-unit-search-phone.png")
        page.click("main form button:has-text('Tiếp tục')")
        page.wait_for_url("**/book/session")
    finally:
        context.close()


def test_an_unsure_citizen_books_with_a_file_and_knows_what_comes_next(open_page, tmp_path):
    page = open_page("citizen", "congdan4@demo.test", phone=True, password="demo1234")
    page.goto("/book")
    page.click("main a:has-text('Bắt đầu')")
    page.select_option("#unit_code", "08")
    page.click("main form button:has-text('Tiếp tục')")
    page.wait_for_url("**/book/session")
    page.locator("main input[name=choice]").first.check()
    page.click("main form button:has-text('Tiếp tục')")
    page.wait_for_url("**/book/slot")
    page.locator("main input[name=slot_start]:enabled").first.check()
    page.click("main form button:has-text('Tiếp tục')")
    page.wait_for_url("**/book/place")  # the province has reception points
    main = page.locator("main").inner_text()
    assert "Tại nhà (thiết bị của tôi)" in main and "Điểm cầu trung tâm" in main
    page.click("main form button:has-text('Tiếp tục')")  # at home, as checked
    page.wait_for_url("**/book/type")
    # Continuing without an answer: the title says "Lỗi: ".
    page.click("main form button:has-text('Tiếp tục')")
    page.wait_for_selector(".invalid-feedback")
    assert page.title().startswith("Lỗi: ")
    main = page.locator("main").inner_text()
    assert "Bước 5/" in main and "quyết định giải quyết tranh chấp đất đai" in main
    assert "Tôi chưa rõ" in main
    shot(page, "book-type-phone.png")
    page.check("label:has-text('Tôi chưa rõ')")
    page.click("main form button:has-text('Tiếp tục')")
    page.wait_for_url("**/book/field")
    assert not page.title().startswith("Lỗi")
    page.check("label:has-text('Đất đai')")
    page.click("main form button:has-text('Tiếp tục')")
    page.wait_for_url("**/book/summary")
    page.fill("#summary", "Hàng xóm xây tường lấn sang đất nhà tôi, tôi không biết nên làm gì.")
    page.click("main form button:has-text('Tiếp tục')")
    page.wait_for_url("**/book/group")
    page.click("main form button:has-text('Tiếp tục')")
    page.wait_for_url("**/book/files")
    document = tmp_path / "so-do.pdf"
    document.write_bytes(PDF)
    page.set_input_files("#files", str(document))
    page.locator("main form button:has-text('Tiếp tục')").last.click()  # not "Tải lên"
    page.wait_for_url("**/book/consents")
    page.check("#recording")
    page.click("main form button:has-text('Tiếp tục')")
    page.wait_for_url("**/book/check")
    main = page.locator("main").inner_text()
    assert "so-do.pdf" in main and "Tôi chưa rõ" in main
    page.click("main form button:has-text('Gửi đăng ký')")
    page.wait_for_url("**/bookings/*/done")
    main = page.locator("main").inner_text()
    assert "Những việc tiếp theo" in main
    assert "chậm nhất 5 ngày làm việc trước buổi tiếp" in main
    assert "Tin nhắn nhắc lịch một ngày trước buổi tiếp." in main
    assert page.locator("main a:has-text('Kiểm tra kết nối')").count() == 1
    assert fits(page)
    shot(page, "book-done-phone.png")
    room = page.locator("main a:has-text('Vào phòng chờ')").get_attribute("href")
    code = page.locator(".tracking-code").inner_text().strip()
    page.click("main a:has-text('giấy biên nhận')")
    page.wait_for_url("**/receipt")
    main = page.locator("main").inner_text()
    assert "Giấy biên nhận" in main and code in main and "Chưa rõ (cán bộ sẽ xác định)" in main
    shot(page, "receipt-phone.png")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator("button[data-print]").is_hidden()
    page.emulate_media(media="screen")
    # The waiting room of this pending booking explains instead of a bare 404.
    page.goto(room)
    main = page.locator("main").inner_text()
    assert "Chưa thể vào phòng chờ" in main and "đang chờ Ban tiếp công dân xem xét" in main
    assert page.locator("main a:has-text('Xem chi tiết lịch hẹn')").count() == 1
    shot(page, "room-pending-phone.png")


def test_registering_a_used_phone_offers_a_way_in(open_page):
    page = open_page("visitor", phone=True)
    page.goto("/register")
    page.fill("#full_name", "Lê Văn Tám")
    page.fill("#phone", "0900000001")  # congdan1's phone
    page.fill("#password", "Tam-2026-tiep-dan")
    page.check("#consent_data")
    page.click("main form button[type=submit]")
    main = page.locator("main")
    main.locator("text=có thể bạn đã có tài khoản").wait_for()
    assert "Số điện thoại hoặc email này đã được dùng cho một tài khoản khác." in main.inner_text()
    assert main.locator("a:has-text('Đăng nhập')").count() >= 1
    shot(page, "register-exists-phone.png")
    page.fill("#email", "tam@")
    page.fill("#password", "Tam-2026-tiep-dan")
    page.fill("#phone", "0900000099")
    page.click("main form button[type=submit]")
    main.locator("text=Địa chỉ email không hợp lệ").first.wait_for()


def test_an_error_page_offers_a_way_back(browser, live_site):
    context = browser.new_context(base_url=live_site.url, locale="vi-VN", viewport=PHONE,
                                  is_mobile=True)
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", "congdan3@demo.test")
        page.fill("#password", "demo1234")
        page.click("form button[type=submit]")
        page.wait_for_url(lambda u: "/login" not in u)
        response = page.goto("/khong-co-trang-nay")
        assert response.status == 404
        main = page.locator("main")
        assert main.locator("a:has-text('Về trang chủ')").count() == 1
        main.locator("a:has-text('Lịch hẹn của tôi')").click()
        page.wait_for_url("**/bookings/mine")
    finally:
        context.close()
