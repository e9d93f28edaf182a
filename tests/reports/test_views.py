"""Web pages of reports: the dashboard (charts, tables, CSV), the register and the
conclusion notice downloads, for each role."""

from __future__ import annotations

import io
import json
import re
from html import unescape

import docx
import openpyxl
import pytest

from app.timeutil import to_local
from tests.minutes.world import login


def _period(world) -> str:
    day = to_local(world.reception.starts_at).date().isoformat()
    return f"from={day}&to={day}"


@pytest.mark.parametrize("role", ["secretary", "host", "admin"])
def test_dashboard_for_secretaries_and_chairmen(client, world, role):
    login(client, getattr(world, role))
    response = client.get(f"/reports/?unit=08&{_period(world)}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "chart.umd.min.js" in page
    assert "<script>" not in page and 'style="' not in page
    spec = json.loads(unescape(re.search(r'data-chart="([^"]+)"', page).group(1)))
    assert spec["type"] == "bar" and spec["datasets"]


@pytest.mark.parametrize("role", ["citizen", "officer", "inspector"])
def test_dashboard_refused_to_others(client, world, role):
    login(client, getattr(world, role))
    assert client.get("/reports/").status_code == 403


def test_dashboard_of_another_unit_is_refused(client, world):
    login(client, world.other_secretary)
    assert client.get("/reports/?unit=08").status_code == 403


def test_dashboard_csv_and_json(client, world):
    login(client, world.secretary)
    response = client.get(f"/reports/dashboard/fields.csv?unit=08&{_period(world)}")
    assert response.mimetype == "text/csv" and "Đất đai,1" in response.get_data(as_text=True)
    assert client.get("/reports/dashboard/nope.csv").status_code == 404
    data = client.get(f"/reports/dashboard.json?unit=08&{_period(world)}").get_json()
    assert data["tables"]["cases"] == 1 and "charts" in data


def test_register_download_for_secretary(client, world):
    login(client, world.secretary)
    assert "Tải sổ" in client.get("/reports/register").get_data(as_text=True)
    with client.get(f"/reports/register.xlsx?unit=08&{_period(world)}") as response:
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet["A3"].value == "SỔ TIẾP CÔNG DÂN"


def test_register_download_refused_to_other_unit_and_citizen(client, world):
    login(client, world.other_secretary)
    assert client.get(f"/reports/register.xlsx?unit=08&{_period(world)}").status_code == 403
    login(client, world.citizen)
    assert client.get(f"/reports/register.xlsx?unit=08&{_period(world)}").status_code == 403


def test_conclusion_download_for_the_host(client, world):
    login(client, world.host)
    path = f"/reports/sessions/{world.reception.id}/conclusion.docx"
    with client.get(path) as response:
        assert response.status_code == 200
        document = docx.Document(io.BytesIO(response.data))
    assert any("THÔNG BÁO" == p.text for p in document.paragraphs)
    login(client, world.officer)
    assert client.get(path).status_code == 403
