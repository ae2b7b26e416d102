"""Retention figures hold only the spells the caller may see: the comparison for a firm user,
the low-retention list for a bureau, and the CSV/XLSX exports for both.

Firm A (Shantou) has 7 home-site spells and 6 at its Shenzhen center; firm B (Meizhou) has 9
home-site spells and 5 at its Guangzhou center. Every group has departures within a year, so
every group is listed as low-retention when the caller may see it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from talent_service.models import Center, Firm
from tests.factories import DONGGUAN, GUANGZHOU, MEIZHOU, SHANTOU, SHENZHEN, Factory
from tests.retention.spells import Dates, add_spells, expected
from tests.retention.test_retention_api import AS_OF, _json_cells, _number, get


def _dates(days: list[int | None], first: date) -> list[Dates]:
    """One hire a month from ``first``; each leaves after that many days (None: stays)."""
    out: list[Dates] = []
    for i, d in enumerate(days):
        hired = first + timedelta(days=30 * i)
        out.append((hired, hired + timedelta(days=d) if d is not None else None))
    return out


A_HOME = _dates([30, 90, 200, 400, 800, None, None], date(2020, 1, 1))
A_CENTER = _dates([60, 120, 300, 500, None, None], date(2020, 2, 1))
B_HOME = _dates([20, 50, 100, 250, 600, 900, None, None, None], date(2019, 6, 1))
B_CENTER = _dates([40, 80, 150, None, None], date(2020, 3, 1))


@dataclass
class Two:
    make: Factory
    a: Firm
    center_a: Center  # hosted in Shenzhen
    b: Firm | None = None
    center_b: Center | None = None  # hosted in Guangzhou

    def add_b(self) -> None:
        self.b = self.make.firm(MEIZHOU, name="梅州乙留存公司")
        self.center_b = self.make.center(
            self.b, GUANGZHOU, name="乙公司广州中心", opened_on=date(2018, 1, 1)
        )
        add_spells(self.make, self.b, B_HOME)
        add_spells(self.make, self.b, B_CENTER, center=self.center_b)

    def headers(self, caller: str) -> dict[str, str]:
        make = self.make
        if caller == "firm_a":
            return make.firm_user(self.a)
        if caller == "firm_b":
            assert self.b is not None
            return make.firm_user(self.b)
        if caller == "province":
            return make.province()
        city = {
            "bureau_shantou": SHANTOU,
            "bureau_shenzhen": SHENZHEN,
            "bureau_meizhou": MEIZHOU,
            "bureau_guangzhou": GUANGZHOU,
            "bureau_dongguan": DONGGUAN,
        }[caller]
        return make.bureau(city)

    def b_secrets(self) -> list[str]:
        assert self.b is not None and self.center_b is not None
        return [self.b.name, self.center_b.name]

    def a_secrets(self) -> list[str]:
        return [self.a.name, self.center_a.name]


@pytest.fixture
def only_a(make: Factory) -> Two:
    a = make.firm(SHANTOU, name="汕头甲留存公司")
    center_a = make.center(a, SHENZHEN, name="甲公司深圳中心", opened_on=date(2018, 1, 1))
    add_spells(make, a, A_HOME)
    add_spells(make, a, A_CENTER, center=center_a)
    return Two(make, a, center_a)


@pytest.fixture
def two(only_a: Two) -> Two:
    only_a.add_b()
    return only_a


def _side_counts(dates: list[Dates]) -> tuple[int, int, int]:
    durations, observed = expected(dates, AS_OF)
    return durations.size, int(observed.sum()), int((~observed).sum())


def _side(body: dict[str, Any], site: str) -> tuple[int, int, int]:
    side = body[site]
    return side["n"], side["events"], side["censored"]


# --- comparison: a firm user -----------------------------------------------------------------


def test_firm_comparison_is_unchanged_by_another_firms_spells(
    client: TestClient, only_a: Two
) -> None:
    as_a = only_a.make.firm_user(only_a.a)
    alone = get(client, "comparison", as_a)
    only_a.add_b()
    with_b = get(client, "comparison", as_a)
    assert with_b == alone
    assert with_b["firms_compared"] == 1
    assert _side(with_b, "home") == _side_counts(A_HOME)
    assert _side(with_b, "enclave") == _side_counts(A_CENTER)
    assert with_b["population"]["scope"] == {
        "level": "firm",
        "city_code": None,
        "firm_id": only_a.a.id,
    }
    # Control: B's spells are there and paired, for B and for the province.
    as_b = get(client, "comparison", only_a.headers("firm_b"))
    assert as_b["firms_compared"] == 1
    assert _side(as_b, "home") == _side_counts(B_HOME)
    assert _side(as_b, "enclave") == _side_counts(B_CENTER)
    province = get(client, "comparison", only_a.make.province())
    assert province["firms_compared"] == 2
    assert province["home"]["n"] == len(A_HOME) + len(B_HOME)
    assert province["enclave"]["n"] == len(A_CENTER) + len(B_CENTER)
    assert province["logrank"] != with_b["logrank"]


def test_firm_comparison_filtered_to_another_firm_is_empty(client: TestClient, two: Two) -> None:
    assert two.b is not None
    as_a = two.headers("firm_a")
    for params in ({"firm_id": two.b.id}, {"home_city_code": MEIZHOU}):
        body = get(client, "comparison", as_a, **params)
        assert body["firms_compared"] == 0, params
        assert body["home"]["n"] == 0 and body["enclave"]["n"] == 0, params
        assert body["logrank"] is None
        # Control: the province finds B's pair with the same filter.
        assert get(client, "comparison", two.make.province(), **params)["firms_compared"] == 1


# --- low-retention: a bureau -------------------------------------------------------------------


def _firm_items(two: Two, caller: str) -> dict[int | None, int]:
    """{firm id: spells counted}, written out by hand per caller."""
    assert two.b is not None
    a, b = two.a.id, two.b.id
    return {
        "province": {a: 13, b: 14},
        "bureau_shantou": {a: 13},  # A is based there: both its sites
        "bureau_shenzhen": {a: 6},  # hosts A's center only: not A's home site
        "bureau_meizhou": {b: 14},
        "bureau_guangzhou": {b: 5},
        "bureau_dongguan": {},
    }[caller]


def _center_items(two: Two, caller: str) -> dict[int | None, int]:
    assert two.center_b is not None
    a, b = two.center_a.id, two.center_b.id
    return {
        "province": {a: 6, b: 5},
        "bureau_shantou": {a: 6},
        "bureau_shenzhen": {a: 6},
        "bureau_meizhou": {b: 5},
        "bureau_guangzhou": {b: 5},
        "bureau_dongguan": {},
    }[caller]


CALLERS = [
    "province",
    "bureau_shantou",
    "bureau_shenzhen",
    "bureau_meizhou",
    "bureau_guangzhou",
    "bureau_dongguan",
]


@pytest.mark.parametrize("caller", CALLERS)
def test_bureau_low_retention_firms_are_those_touching_its_city(
    client: TestClient, two: Two, caller: str
) -> None:
    assert two.b is not None
    body = get(client, "low-retention", two.headers(caller), threshold=0.99)
    want = _firm_items(two, caller)
    assert {item["firm_id"]: item["n"] for item in body["items"]} == want
    assert {int(item["label"]["key"]) for item in body["items"]} == set(want)
    # Groups it may not see are not even counted.
    assert body["groups_considered"] == len(want)
    assert body["too_small"] == 0 and body["not_followed_long_enough"] == 0
    r = client.get(
        "/v1/retention/low-retention",
        params={"as_of": AS_OF.isoformat(), "threshold": 0.99},
        headers=two.headers(caller),
    )
    if two.b.id not in want:
        for secret in two.b_secrets():
            assert secret not in r.text, (caller, secret)
    if two.a.id not in want:
        for secret in two.a_secrets():
            assert secret not in r.text, (caller, secret)


@pytest.mark.parametrize("caller", CALLERS)
def test_bureau_low_retention_centers_are_those_touching_its_city(
    client: TestClient, two: Two, caller: str
) -> None:
    assert two.b is not None
    body = get(client, "low-retention", two.headers(caller), threshold=0.99, level="center")
    want = _center_items(two, caller)
    assert {int(item["label"]["key"]): item["n"] for item in body["items"]} == want
    assert body["groups_considered"] == len(want)
    hosts = {item["host_city_code"] for item in body["items"]}
    firms = {item["firm_id"] for item in body["items"]}
    if caller == "bureau_shenzhen":
        assert hosts == {SHENZHEN} and firms == {two.a.id}
    if caller == "bureau_guangzhou":
        assert hosts == {GUANGZHOU} and firms == {two.b.id}


@pytest.mark.parametrize("caller", ["bureau_shantou", "bureau_shenzhen"])
def test_bureau_low_retention_filtered_to_another_citys_firm_is_empty(
    client: TestClient, two: Two, caller: str
) -> None:
    assert two.b is not None and two.center_b is not None
    headers = two.headers(caller)
    for level in ("firm", "center"):
        for params in (
            {"firm_id": two.b.id},
            {"center_id": two.center_b.id},
            {"home_city_code": MEIZHOU},
            {"host_city_code": GUANGZHOU},
        ):
            body = get(client, "low-retention", headers, threshold=0.99, level=level, **params)
            assert body["items"] == [] and body["groups_considered"] == 0, (level, params)
            control = get(
                client, "low-retention", two.make.province(), threshold=0.99, level=level, **params
            )
            assert control["items"], (level, params)


# --- exports: firm users and bureaus ----------------------------------------------------------

EXPORT_CALLERS = [
    "firm_a",
    "firm_b",
    "bureau_shantou",
    "bureau_shenzhen",
    "bureau_meizhou",
    "bureau_guangzhou",
]
TOTALS = {
    "province": 27,
    "firm_a": 13,
    "firm_b": 14,
    "bureau_shantou": 13,
    "bureau_shenzhen": 6,
    "bureau_meizhou": 14,
    "bureau_guangzhou": 5,
}
GROUPINGS = ["home_city", "host_city", "firm", "center", "site"]


def _group_keys(two: Two, caller: str, group_by: str) -> set[str]:
    """The group keys the caller's export may hold (besides the total row), by hand."""
    assert two.b is not None and two.center_b is not None
    sees_a = caller in ("firm_a", "bureau_shantou", "bureau_shenzhen")
    firm, center = (two.a, two.center_a) if sees_a else (two.b, two.center_b)
    home_site = caller not in ("bureau_shenzhen", "bureau_guangzhou")
    host = SHENZHEN if sees_a else GUANGZHOU
    return {
        "home_city": {SHANTOU if sees_a else MEIZHOU},
        "host_city": {host} | ({"home"} if home_site else set()),
        "firm": {str(firm.id)},
        "center": {str(center.id)} | ({"home"} if home_site else set()),
        "site": {"enclave"} | ({"home"} if home_site else set()),
    }[group_by]


def _csv_rows(content: bytes) -> list[list[Any]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return [
        [*line[:3], *map(_number, line[3:6]), line[6], *map(_number, line[7:])] for line in rows[1:]
    ]


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    wb = load_workbook(io.BytesIO(content))
    ws = wb[wb.sheetnames[0]]
    return [list(row) for row in ws.iter_rows(values_only=True)][1:]


def _same_cells(got: list[Any], want: list[Any]) -> None:
    assert len(got) == len(want), (got, want)
    for g, w in zip(got, want, strict=True):
        if isinstance(w, float):
            assert g == pytest.approx(w, abs=1e-12), (got, want)
        else:
            assert g == w, (got, want)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("group_by", GROUPINGS)
@pytest.mark.parametrize("caller", EXPORT_CALLERS)
def test_summary_export_holds_only_the_callers_rows(
    client: TestClient, two: Two, caller: str, group_by: str, fmt: str
) -> None:
    headers = two.headers(caller)
    summary = get(client, "summary", headers, group_by=group_by)
    r = get(client, f"summary.{fmt}", headers, group_by=group_by)
    rows = _csv_rows(r.content) if fmt == "csv" else _xlsx_rows(r.content)

    # The export is the caller's own JSON summary, row for row...
    want = [_json_cells(row) for row in [*summary["groups"], summary["total"]]]
    assert len(rows) == len(want), (rows, want)
    for got, cells in zip(rows, want, strict=True):
        _same_cells(got, cells)
    # ... which holds the caller's spells only (counts written out by hand) ...
    assert summary["total"]["n"] == TOTALS[caller]
    assert rows[-1][3] == TOTALS[caller]
    assert sum(row[3] for row in rows[:-1]) == TOTALS[caller]
    keys = {str(row[0]) for row in rows[:-1]}
    assert keys == _group_keys(two, caller, group_by), keys
    # ... and not the province's, which holds the other party's too.
    province = get(client, "summary", two.make.province(), group_by=group_by)
    assert province["total"]["n"] == TOTALS["province"] != TOTALS[caller]
    if fmt == "csv":
        text = r.content.decode("utf-8-sig")
    else:
        text = "\n".join(
            str(cell)
            for ws in load_workbook(io.BytesIO(r.content)).worksheets
            for row in ws.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    other = two.b_secrets() if caller in ("firm_a", "bureau_shantou", "bureau_shenzhen") else []
    other += two.a_secrets() if caller in ("firm_b", "bureau_meizhou", "bureau_guangzhou") else []
    for secret in other:
        assert secret not in text, (caller, group_by, secret)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_firm_export_filtered_to_another_firm_holds_no_rows(
    client: TestClient, two: Two, fmt: str
) -> None:
    assert two.b is not None
    r = get(client, f"summary.{fmt}", two.headers("firm_a"), group_by="firm", firm_id=two.b.id)
    rows = _csv_rows(r.content) if fmt == "csv" else _xlsx_rows(r.content)
    assert len(rows) == 1 and rows[0][3] == 0  # the total row only, counting nobody
    control = get(client, f"summary.{fmt}", two.make.province(), group_by="firm", firm_id=two.b.id)
    rows = _csv_rows(control.content) if fmt == "csv" else _xlsx_rows(control.content)
    assert [row[0] for row in rows[:-1]] == [str(two.b.id)] and rows[-1][3] == 14
