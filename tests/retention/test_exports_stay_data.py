"""Exports stay data: a firm's name that looks like a formula is text in the bureau's files."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from talent_service.retention.export import csv_text
from tests.factories import SHANTOU, Factory
from tests.retention.spells import add_spells

FORMULA_NAME = '=HYPERLINK("https://evil.example/x","点击")'
PARAMS = {"as_of": "2024-06-30", "group_by": "firm"}


@pytest.fixture
def bureau(make: Factory) -> dict[str, str]:
    firm = make.firm(SHANTOU, name=FORMULA_NAME)
    add_spells(make, firm, [(date(2023, 1, 1), None)] * 6)
    return make.bureau(SHANTOU)


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("深圳=研发", "深圳=研发"),
        ("", ""),
    ],
)
def test_csv_text_neutralises_only_what_a_spreadsheet_would_run(text: str, cell: str) -> None:
    assert csv_text(text) == cell


def test_a_formula_firm_name_is_plain_text_in_the_csv(
    client: TestClient, bureau: dict[str, str]
) -> None:
    r = client.get("/v1/retention/summary.csv", params=PARAMS, headers=bureau)
    assert r.status_code == 200, r.text
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    names = [row[1] for row in rows[1:]]
    assert "'" + FORMULA_NAME in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_a_formula_firm_name_is_a_text_cell_in_the_workbook(
    client: TestClient, bureau: dict[str, str]
) -> None:
    r = client.get("/v1/retention/summary.xlsx", params=PARAMS, headers=bureau)
    assert r.status_code == 200, r.text
    ws = load_workbook(io.BytesIO(r.content))["留存汇总 Summary"]
    cells = [cell for row in ws.iter_rows() for cell in row]
    named = [c for c in cells if c.value == FORMULA_NAME]
    assert named, "the firm's name is in the workbook, unchanged"
    assert all(c.data_type == "s" for c in named)
    assert not any(c.data_type == "f" for c in cells)
