"""GET /api/v1/units, /hosts, /agencies."""


def test_units_by_level_and_parent(api, make):
    province = make.make_unit("08", name="Tuyên Quang")
    make.make_unit("02269", level="commune", parent=province, name="Xã Thượng Lâm")
    make.make_unit("01", name="Hà Nội")
    provinces = api.get("/units?level=province").get_json()
    assert [u["code"] for u in provinces] == ["01", "08"]
    communes = api.get("/units?parent=08").get_json()
    assert communes == [{"code": "02269", "name": "Xã Thượng Lâm", "level": "commune",
                         "parent_code": "08"}]


def test_units_with_an_unknown_level_is_422(api):
    assert api.get("/units?level=huyen-xyz").status_code == 422


def test_a_control_character_is_not_taken_for_an_absent_filter(api, make):
    make.make_unit("08")
    # str.strip() removes U+001E: the filter would have vanished and all units answered.
    assert api.get("/units?level=%1E").status_code == 422
    assert api.get("/units?level=%20province%20").status_code == 200  # spaces are trimmed
    assert api.get("/units?level=").status_code == 200  # empty = no filter


def test_hosts_of_exactly_one_unit(api, make):
    province = make.make_unit("08")
    commune = make.make_unit(level="commune", parent=province)
    chairman = make.make_user("host", unit=province, title="Chủ tịch UBND tỉnh")
    make.make_user("host", unit=commune)
    make.make_user("secretary", unit=province)
    hosts = api.get("/hosts?unit=08").get_json()
    assert hosts == [{"id": chairman.id, "full_name": chairman.full_name,
                      "title": "Chủ tịch UBND tỉnh", "unit_code": "08"}]


def test_hosts_of_an_unknown_unit_is_404(api):
    assert api.get("/hosts?unit=99").status_code == 404


def test_agencies_need_staff_of_the_unit(api, make):
    province = make.make_unit("08")
    other = make.make_unit("01")
    make.make_agency(province, "SXD", "Sở Xây dựng")
    secretary = make.make_user("secretary", unit=province)
    outsider = make.make_user("secretary", unit=other)
    citizen = make.make_user()
    assert api.get("/agencies?unit=08").status_code == 401
    assert api.get("/agencies?unit=08", user=citizen).status_code == 403
    assert api.get("/agencies?unit=08", user=outsider).status_code == 403
    response = api.get("/agencies?unit=08", user=secretary)
    assert response.get_json() == [{"code": "SXD", "name": "Sở Xây dựng", "unit_code": "08"}]


def test_openapi_describes_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule.removeprefix("/api/v1")
        for part in ("<int:", "<"):
            path = path.replace(part, "{")
        path = path.replace(">", "}")
        assert path in spec["paths"], f"{rule.rule} is not described"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in spec["paths"][path], f"{method} {rule.rule}"
