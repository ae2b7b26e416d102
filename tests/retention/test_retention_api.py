"""Retention through HTTP: figures checked against lifelines or the survival core run on the
spells each test wrote; visibility; suppression; exports; bad input."""

from __future__ import annotations

import csv
import io
import math
import warnings
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test as lifelines_logrank
from openpyxl import load_workbook

from talent_service.auth.principal import SCOPE_REGISTRY_READ, SCOPE_RETENTION_READ
from talent_service.core.clock import today
from talent_service.reference.enums import Education
from talent_service.retention.schemas import GroupBy
from talent_service.retention.survival import (
    MIN_GROUP_SIZE,
    ci_at,
    kaplan_meier,
    logrank_test,
    median_survival,
    survival_at_many,
)
from tests.factories import GUANGZHOU, MEIZHOU, SHANTOU, SHANWEI, SHENZHEN, Factory
from tests.retention.spells import Dates, add_spells, expected, random_dates

AS_OF = date(2024, 6, 30)
URL = "/v1/retention"
TOL = 1e-9
HORIZON_DAYS = (365, 730, 1095)


def get(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> Any:
    params.setdefault("as_of", AS_OF.isoformat())
    r = client.get(f"{URL}/{path}", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json() if r.headers["content-type"].startswith("application/json") else r


def fit_lifelines(durations: np.ndarray, observed: np.ndarray) -> KaplanMeierFitter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return KaplanMeierFitter().fit(durations, observed)


def assert_close(got: float | None, want: float) -> None:
    assert got is not None and abs(got - want) <= TOL, (got, want)


def assert_horizons_match(row: dict[str, Any], dates: list[Dates]) -> None:
    """Retention at 12/24/36 months against kaplan_meier on this group's own spells."""
    durations, observed = expected(dates, AS_OF)
    assert (row["n"], row["events"]) == (durations.size, int(observed.sum()))
    curve = kaplan_meier(durations, observed)
    surv = survival_at_many(curve, HORIZON_DAYS)
    for h, s, days in zip(row["horizons"], surv, HORIZON_DAYS, strict=True):
        assert h["days"] == days
        assert h["at_risk"] == int((durations >= days).sum())
        if h["at_risk"] == 0 and s > 0:
            assert h["survival"] is None  # nobody followed that long: not identified
            continue
        assert_close(h["survival"], float(s))
        lower, upper = ci_at(curve, days)
        assert_close(h["ci_lower"], lower)
        assert_close(h["ci_upper"], upper)
    median = median_survival(curve)
    assert row["median_tenure_days"] == (None if median is None else int(median))


# --- curve -------------------------------------------------------------------------------------


def test_curve_matches_lifelines_on_the_spells_created(client: TestClient, make: Factory) -> None:
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2018, 1, 1))
    home, away = random_dates(1, 30), random_dates(2, 20)
    add_spells(make, firm, home)
    add_spells(make, firm, away, center=center)
    body = get(client, "curve", make.province())

    durations, observed = expected(home + away, AS_OF)
    kmf = fit_lifelines(durations, observed)
    table = kmf.event_table[kmf.event_table["removed"] > 0]
    assert [p["days"] for p in body["points"]] == table.index.astype(int).tolist()
    assert [p["at_risk"] for p in body["points"]] == table["at_risk"].tolist()
    assert [p["left"] for p in body["points"]] == table["observed"].tolist()
    assert [p["censored"] for p in body["points"]] == table["censored"].tolist()
    surv = kmf.survival_function_.iloc[:, 0].loc[table.index].to_numpy()
    ci = kmf.confidence_interval_.loc[table.index].to_numpy()
    np.testing.assert_allclose([p["survival"] for p in body["points"]], surv, atol=TOL, rtol=0)
    np.testing.assert_allclose([p["ci_lower"] for p in body["points"]], ci[:, 0], atol=TOL, rtol=0)
    np.testing.assert_allclose([p["ci_upper"] for p in body["points"]], ci[:, 1], atol=TOL, rtol=0)
    assert (body["n"], body["events"], body["censored"]) == (
        durations.size,
        int(observed.sum()),
        int((~observed).sum()),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        median = float(kmf.median_survival_time_)
    assert body["median_tenure_days"] == (None if math.isinf(median) else int(median))
    assert body["withheld"] is False and body["withheld_reason"] is None
    assert body["population"]["as_of"] == AS_OF.isoformat()
    assert body["population"]["scope"] == {"level": "province", "city_code": None, "firm_id": None}
    assert body["method"]["min_group_size"] == MIN_GROUP_SIZE


def test_curve_of_fewer_than_five_spells_gives_counts_and_withholds_the_curve(
    client: TestClient, make: Factory
) -> None:
    firm = make.firm()
    add_spells(make, firm, [(date(2022, 1, 1), date(2022, 6, 1)), (date(2022, 2, 1), None)])
    body = get(client, "curve", make.province())
    assert (body["n"], body["events"], body["censored"]) == (2, 1, 1)
    assert body["withheld"] is True and body["points"] == []
    assert body["median_tenure_days"] is None
    assert str(MIN_GROUP_SIZE) in body["withheld_reason"]


def test_curve_counts_a_departure_after_as_of_as_still_employed(
    client: TestClient, make: Factory
) -> None:
    firm = make.firm()
    hires = [date(2022, 1, 1) + timedelta(days=30 * i) for i in range(6)]
    add_spells(make, firm, [(h, date(2024, 8, 1)) for h in hires])
    body = get(client, "curve", make.province())
    assert (body["n"], body["events"], body["censored"]) == (6, 0, 6)
    assert all(p["survival"] == 1.0 for p in body["points"])
    later = get(client, "curve", make.province(), as_of="2024-08-01")
    assert later["events"] == 6 and later["points"][-1]["survival"] == 0.0


def test_curve_filters_are_echoed_and_default_as_of_is_today(
    client: TestClient, make: Factory
) -> None:
    firm = make.firm(SHANTOU)
    add_spells(make, firm, random_dates(3, 8))
    r = client.get(
        f"{URL}/curve",
        params={"home_city_code": SHANTOU, "hire_year": [2020, 2021], "recruited_only": "false"},
        headers=make.province(),
    )
    assert r.status_code == 200, r.text
    population = r.json()["population"]
    assert population["as_of"] == today().isoformat()
    assert population["home_city_code"] == SHANTOU
    assert population["hire_years"] == [2020, 2021]
    assert population["recruited_only"] is False


def test_empty_population_answers_with_zero_counts(client: TestClient, make: Factory) -> None:
    body = get(client, "curve", make.province(), firm_id=2_000_000)
    assert (body["n"], body["withheld"], body["points"]) == (0, True, [])
    summary = get(client, "summary", make.province(), firm_id=2_000_000)
    assert summary["groups"] == [] and summary["total"]["n"] == 0


# --- summary -----------------------------------------------------------------------------------


@pytest.fixture
def cities(make: Factory) -> dict[str, list[Dates]]:
    """Shantou 14 spells (two firms), Meizhou 9, Shanwei 3 (below the floor)."""
    groups = {
        SHANTOU: random_dates(10, 8, first=date(2019, 1, 1), last=date(2020, 12, 31))
        + random_dates(11, 6),
        MEIZHOU: random_dates(12, 9, first=date(2019, 1, 1), last=date(2021, 6, 30)),
        SHANWEI: random_dates(13, 3),
    }
    st1, st2 = make.firm(SHANTOU), make.firm(SHANTOU)
    add_spells(make, st1, groups[SHANTOU][:8])
    add_spells(make, st2, groups[SHANTOU][8:], education=Education.doctor)
    add_spells(make, make.firm(MEIZHOU), groups[MEIZHOU], education=Education.bachelor)
    add_spells(make, make.firm(SHANWEI), groups[SHANWEI])
    return groups


def test_summary_by_home_city_matches_kaplan_meier_per_group(
    client: TestClient, make: Factory, cities: dict[str, list[Dates]]
) -> None:
    body = get(client, "summary", make.province(), group_by="home_city")
    assert body["group_by"] == "home_city" and body["horizons_months"] == [12, 24, 36]
    rows = {row["label"]["key"]: row for row in body["groups"]}
    assert list(rows) == sorted(rows)  # by city code
    assert rows[SHANTOU]["label"] == {
        "key": SHANTOU,
        "name": None,
        "name_zh": "汕头市",
        "name_en": "Shantou",
    }
    for code in (SHANTOU, MEIZHOU):
        assert rows[code]["suppressed"] is False and rows[code]["suppression_reason"] is None
        assert_horizons_match(rows[code], cities[code])
    small = rows[SHANWEI]
    durations, observed = expected(cities[SHANWEI], AS_OF)
    assert (small["n"], small["events"]) == (3, int(observed.sum()))
    assert small["suppressed"] is True and "fewer than 5" in small["suppression_reason"]
    assert small["median_tenure_days"] is None
    assert all(h["survival"] is None and h["ci_lower"] is None for h in small["horizons"])
    total = body["total"]
    assert total["label"]["key"] == "total" and total["label"]["name_zh"] == "合计"
    assert_horizons_match(total, [d for dates in cities.values() for d in dates])


@pytest.mark.parametrize("group_by", list(GroupBy))
def test_every_grouping_partitions_the_population(
    client: TestClient, make: Factory, cities: dict[str, list[Dates]], group_by: GroupBy
) -> None:
    body = get(client, "summary", make.province(), group_by=group_by.value)
    n = sum(len(d) for d in cities.values())
    assert body["total"]["n"] == n
    assert sum(row["n"] for row in body["groups"]) == n
    for row in body["groups"]:
        label = row["label"]
        assert label["key"] and (label["name"] or (label["name_zh"] and label["name_en"]))


def test_summary_labels_speak_chinese_and_english(
    client: TestClient, make: Factory, cities: dict[str, list[Dates]]
) -> None:
    education = get(client, "summary", make.province(), group_by="education")
    assert {r["label"]["key"]: r["label"]["name_zh"] for r in education["groups"]} == {
        "bachelor": "本科",
        "master": "硕士研究生",
        "doctor": "博士研究生",
    }
    region = get(client, "summary", make.province(), group_by="region")
    assert {r["label"]["key"]: (r["label"]["name_zh"], r["n"]) for r in region["groups"]} == {
        "east": ("粤东", 17),
        "north": ("粤北", 9),
    }
    years = get(client, "summary", make.province(), group_by="hire_year")
    assert all(r["label"]["name_zh"] == f"{r['label']['key']}年入职" for r in years["groups"])


def test_summary_by_firm_center_host_city_and_site(client: TestClient, make: Factory) -> None:
    firm = make.firm(SHANTOU, name="汕头精密仪器有限公司")
    center = make.center(firm, SHENZHEN, name="汕头精密深圳研发中心", opened_on=date(2018, 1, 1))
    home, away = random_dates(20, 7), random_dates(21, 6)
    add_spells(make, firm, home)
    add_spells(make, firm, away, center=center)
    by_firm = get(client, "summary", make.province(), group_by="firm")
    assert [r["label"] for r in by_firm["groups"]] == [
        {"key": str(firm.id), "name": "汕头精密仪器有限公司", "name_zh": None, "name_en": None}
    ]
    by_center = get(client, "summary", make.province(), group_by="center")
    labels = [r["label"] for r in by_center["groups"]]
    assert labels[0]["key"] == "home" and labels[0]["name_en"].startswith("Home site")
    assert labels[1] == {
        "key": str(center.id),
        "name": "汕头精密深圳研发中心",
        "name_zh": None,
        "name_en": None,
    }
    assert_horizons_match(by_center["groups"][1], away)
    by_host = get(client, "summary", make.province(), group_by="host_city")
    assert [r["label"]["key"] for r in by_host["groups"]] == ["home", SHENZHEN]
    by_site = get(client, "summary", make.province(), group_by="site")
    assert [(r["label"]["key"], r["label"]["name_zh"]) for r in by_site["groups"]] == [
        ("home", "企业本部"),
        ("enclave", "飞地中心"),
    ]
    assert_horizons_match(by_site["groups"][0], home)


def test_summary_reads_the_horizons_asked(client: TestClient, make: Factory) -> None:
    dates = random_dates(30, 12, first=date(2018, 1, 1), last=date(2019, 1, 1))
    add_spells(make, make.firm(), dates)
    body = get(client, "summary", make.province(), horizons=[18, 6, 18, 60])
    assert body["horizons_months"] == [6, 18, 60]
    total = body["total"]
    days = [(h["months"], h["days"]) for h in total["horizons"]]
    assert days == [(6, 182), (18, 547), (60, 1825)]
    durations, observed = expected(dates, AS_OF)
    surv = survival_at_many(kaplan_meier(durations, observed), [182, 547])
    assert_close(total["horizons"][0]["survival"], float(surv[0]))
    assert_close(total["horizons"][1]["survival"], float(surv[1]))


# --- comparison --------------------------------------------------------------------------------


def test_comparison_pairs_enclave_and_home_spells_of_the_same_firms(
    client: TestClient, make: Factory
) -> None:
    paired = make.firm(SHANTOU)
    center = make.center(paired, SHENZHEN, opened_on=date(2018, 1, 1))
    home = random_dates(40, 12, mean_tenure=250)
    away = random_dates(41, 10, mean_tenure=900)
    add_spells(make, paired, home)
    add_spells(make, paired, away, center=center)
    add_spells(make, make.firm(MEIZHOU), random_dates(42, 9))  # home site only: not paired
    body = get(client, "comparison", make.province())
    assert body["firms_compared"] == 1 and body["withheld_reason"] is None
    for side, dates in (("home", home), ("enclave", away)):
        assert body[side]["site"] == side and body[side]["suppressed"] is False
        assert_horizons_match(body[side], dates)
    dh, oh = expected(home, AS_OF)
    da, oa = expected(away, AS_OF)
    ours = logrank_test(da, oa, dh, oh)
    reference = lifelines_logrank(da, dh, event_observed_A=oa, event_observed_B=oh)
    assert_close(body["logrank"]["statistic"], ours.statistic)
    assert abs(body["logrank"]["statistic"] - reference.test_statistic) < 1e-7
    assert abs(body["logrank"]["p_value"] - reference.p_value) < 1e-7
    assert body["logrank"]["degrees_of_freedom"] == 1


def test_comparison_without_a_paired_firm_says_so(client: TestClient, make: Factory) -> None:
    firm = make.firm(SHANTOU)
    add_spells(make, firm, random_dates(50, 8))
    add_spells(
        make,
        make.firm(SHANTOU),
        random_dates(51, 6),
        center=make.center(make.firm(SHANTOU), SHENZHEN, opened_on=date(2018, 1, 1)),
    )
    body = get(client, "comparison", make.province())
    assert body["firms_compared"] == 0 and body["logrank"] is None
    assert "no firm has both" in body["withheld_reason"]
    assert body["home"]["n"] == 0 and body["enclave"]["n"] == 0


def test_comparison_withholds_a_side_below_the_floor(client: TestClient, make: Factory) -> None:
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2018, 1, 1))
    add_spells(make, firm, random_dates(52, 8))
    add_spells(make, firm, random_dates(53, 3), center=center)
    body = get(client, "comparison", make.province())
    assert body["enclave"]["n"] == 3 and body["enclave"]["suppressed"] is True
    assert body["enclave"]["horizons"][0]["survival"] is None
    assert body["logrank"] is None and "fewer than 5" in body["withheld_reason"]


def test_comparison_has_no_site_filter(client: TestClient, make: Factory) -> None:
    schema = client.get("/openapi.json").json()["paths"][f"{URL}/comparison"]["get"]
    names = {p["name"] for p in schema["parameters"]}
    assert {"as_of", "hire_year", "home_city_code", "firm_id", "horizons"} <= names
    assert not names & {"site", "center_id", "host_city_code"}


# --- low retention -----------------------------------------------------------------------------


def _leaving_after(days: list[int | None], hired: date = date(2020, 1, 1)) -> list[Dates]:
    return [(hired, hired + timedelta(days=d) if d is not None else None) for d in days]


def test_low_retention_lists_firms_below_the_threshold_worst_first(
    client: TestClient, make: Factory
) -> None:
    worst = _leaving_after([30, 60, 90, 120, 200, 300, None, None])  # 2/8 stay a year
    poor = _leaving_after([100, 200, 300, 500, None, None, None, None, None, None])  # 6/10
    good = _leaving_after([100, None, None, None, None, None])  # 5/6
    tiny = _leaving_after([10, 20, 30])  # everyone left, but only 3 spells
    firms = {}
    for name, dates in (("worst", worst), ("poor", poor), ("good", good), ("tiny", tiny)):
        firms[name] = make.firm(SHANTOU, name=name)
        add_spells(make, firms[name], dates)
    body = get(client, "low-retention", make.province(), threshold=0.7)
    assert [item["label"]["name"] for item in body["items"]] == ["worst", "poor"]
    assert (body["groups_considered"], body["too_small"], body["not_followed_long_enough"]) == (
        4,
        1,
        0,
    )
    first = body["items"][0]
    assert first["firm_id"] == firms["worst"].id and first["n"] == 8 and first["events"] == 6
    durations, observed = expected(worst, AS_OF)
    curve = kaplan_meier(durations, observed)
    assert_close(first["survival"], float(survival_at_many(curve, [365])[0]))
    assert (first["ci_lower"], first["ci_upper"]) == pytest.approx(ci_at(curve, 365), abs=TOL)
    assert first["clearly_below"] is (first["ci_upper"] < 0.7)
    assert body["horizon_days"] == 365 and body["threshold"] == 0.7
    # Demanding more spells drops the eight-spell firm.
    stricter = get(client, "low-retention", make.province(), threshold=0.7, min_spells=9)
    assert [item["label"]["name"] for item in stricter["items"]] == ["poor"]


def test_low_retention_leaves_out_groups_not_followed_long_enough(
    client: TestClient, make: Factory
) -> None:
    recent = [(date(2024, 1, 1), None)] * 6  # nobody followed a full year yet
    add_spells(make, make.firm(SHANTOU), recent)
    body = get(client, "low-retention", make.province(), horizon_months=12, threshold=0.99)
    assert body["items"] == [] and body["not_followed_long_enough"] == 1


def test_low_retention_of_centers_ignores_home_site_spells(
    client: TestClient, make: Factory
) -> None:
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, name="深圳中心", opened_on=date(2018, 1, 1))
    add_spells(make, firm, _leaving_after([10] * 6))  # home site: everyone left
    add_spells(make, firm, _leaving_after([100, 200, 400, None, None]), center=center)
    body = get(client, "low-retention", make.province(), level="center", horizon_months=24)
    assert body["groups_considered"] == 1
    assert len(body["items"]) == 1
    item = body["items"][0]
    assert item["label"] == {
        "key": str(center.id),
        "name": "深圳中心",
        "name_zh": None,
        "name_en": None,
    }
    assert (item["firm_id"], item["host_city_code"], item["n"]) == (firm.id, SHENZHEN, 5)
    assert_close(item["survival"], 0.4)


# --- visibility --------------------------------------------------------------------------------


@pytest.fixture
def two_firms(make: Factory) -> dict[str, Any]:
    a, b = make.firm(SHANTOU), make.firm(MEIZHOU)
    a_center = make.center(a, SHENZHEN, opened_on=date(2018, 1, 1))
    add_spells(make, a, random_dates(60, 7))
    add_spells(make, a, random_dates(61, 5), center=a_center)
    add_spells(make, b, random_dates(62, 9))
    add_spells(
        make, b, random_dates(63, 6), center=make.center(b, GUANGZHOU, opened_on=date(2018, 1, 1))
    )
    return {"a": a, "b": b}


def test_firm_figures_never_include_another_firms_spells(
    client: TestClient, make: Factory, two_firms: dict[str, Any]
) -> None:
    a, b = two_firms["a"], two_firms["b"]
    as_a, as_b = make.firm_user(a), make.firm_user(b)
    assert get(client, "curve", as_a)["n"] == 12
    assert get(client, "curve", as_b)["n"] == 15
    assert get(client, "curve", make.province())["n"] == 27
    by_firm = get(client, "summary", as_a, group_by="firm")
    assert [r["label"]["key"] for r in by_firm["groups"]] == [str(a.id)]
    assert get(client, "curve", as_a, firm_id=b.id)["n"] == 0  # as if B had no spells
    low = get(client, "low-retention", as_a, threshold=0.99)
    assert {item["firm_id"] for item in low["items"]} <= {a.id}
    assert get(client, "summary", as_a)["population"]["scope"] == {
        "level": "firm",
        "city_code": None,
        "firm_id": a.id,
    }


def test_bureau_sees_its_citys_figures_only(
    client: TestClient, make: Factory, two_firms: dict[str, Any]
) -> None:
    assert get(client, "curve", make.bureau(SHANTOU))["n"] == 12
    assert get(client, "curve", make.bureau(MEIZHOU))["n"] == 15
    shenzhen = get(client, "summary", make.bureau(SHENZHEN), group_by="site")
    assert [(r["label"]["key"], r["n"]) for r in shenzhen["groups"]] == [("enclave", 5)]
    by_city = get(client, "summary", make.bureau(SHANTOU), group_by="home_city")
    assert [r["label"]["key"] for r in by_city["groups"]] == [SHANTOU]
    assert get(client, "comparison", make.bureau(MEIZHOU))["firms_compared"] == 1
    # Shenzhen sees firm A's center spells but not its home site: nothing to pair.
    assert get(client, "comparison", make.bureau(SHENZHEN))["firms_compared"] == 0


def test_machine_client_sees_per_its_city_and_needs_the_retention_scope(
    client: TestClient, make: Factory, two_firms: dict[str, Any]
) -> None:
    bound = make.client(SCOPE_RETENTION_READ, city=MEIZHOU)
    assert get(client, "curve", bound)["n"] == 15
    assert get(client, "curve", make.client(SCOPE_RETENTION_READ))["n"] == 27
    r = client.get(f"{URL}/summary", headers=make.client(SCOPE_REGISTRY_READ))
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    assert client.get(f"{URL}/summary.csv").status_code == 401


# --- exports -----------------------------------------------------------------------------------


def _number(text: str) -> float | int | None:
    if text == "":
        return None
    return float(text) if any(ch in text for ch in ".e") else int(text)


def _json_cells(row: dict[str, Any]) -> list[Any]:
    label = row["label"]
    cells = [
        row["n"],
        row["events"],
        row["censored"],
        "是" if row["suppressed"] else "否",
        row["median_tenure_days"],
    ]
    for h in row["horizons"]:
        cells += [h["survival"], h["ci_lower"], h["ci_upper"], h["at_risk"]]
    zh = label["name_zh"] or label["name"] or label["key"]
    en = label["name_en"] or label["name"] or label["key"]
    return [label["key"], zh, en, *cells]


def test_summary_csv_has_chinese_headers_and_the_json_numbers(
    client: TestClient, make: Factory, cities: dict[str, list[Dates]]
) -> None:
    headers = make.bureau(SHANTOU)
    summary = get(client, "summary", headers, group_by="home_city")
    r = get(client, "summary.csv", headers, group_by="home_city")
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == (
        f'attachment; filename="retention-summary-home_city-{AS_OF}.csv"'
    )
    assert r.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese right
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    head = rows[0]
    for name in (
        "分组",
        "人数",
        "离职",
        "在职(删失)",
        "12个月留存率",
        "12个月95%置信下限",
        "36个月95%置信上限",
        "中位在职天数",
    ):
        assert name in head
    body = rows[1:]
    expected_rows = [*summary["groups"], summary["total"]]
    assert len(body) == len(expected_rows)
    for line, row in zip(body, expected_rows, strict=True):
        parsed = [*line[:3], *map(_number, line[3:6]), line[6], *map(_number, line[7:])]
        assert parsed == _json_cells(row)
    assert body[-1][1] == "合计"


def test_summary_xlsx_opens_with_headers_formats_and_a_method_sheet(
    client: TestClient, make: Factory, cities: dict[str, list[Dates]]
) -> None:
    headers = make.province()
    summary = get(client, "summary", headers, group_by="education", horizons=[12, 24])
    r = get(client, "summary.xlsx", headers, group_by="education", horizons=[12, 24])
    assert r.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert r.headers["content-disposition"] == (
        f'attachment; filename="retention-summary-education-{AS_OF}.xlsx"'
    )
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["留存汇总 Summary", "说明 About"]
    ws = wb["留存汇总 Summary"]
    assert ws.freeze_panes == "C2"
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    head = values[0]
    assert head[:8] == [
        "分组代码",
        "分组",
        "英文名称",
        "人数",
        "离职",
        "在职(删失)",
        "是否隐藏(少于5人)",
        "中位在职天数",
    ]
    assert head[8:12] == [
        "12个月留存率",
        "12个月95%置信下限",
        "12个月95%置信上限",
        "12个月在险人数",
    ]
    assert ws.cell(row=1, column=1).font.bold
    expected_rows = [*summary["groups"], summary["total"]]
    assert len(values) - 1 == len(expected_rows)
    for got, row in zip(values[1:], expected_rows, strict=True):
        want = _json_cells(row)
        for g, w in zip(got, want, strict=True):
            if isinstance(w, float):
                assert g == pytest.approx(w, abs=1e-15)
            else:
                assert g == w
    assert ws.cell(row=2, column=9).number_format == "0.0%"
    assert ws.cell(row=2, column=12).number_format != "0.0%"  # at risk is a count
    about = "\n".join(
        str(c) for row in wb["说明 About"].iter_rows(values_only=True) for c in row if c
    )
    for text in ("Kaplan–Meier", AS_OF.isoformat(), "少于5人", "fewer than 5", "删失", "学历"):
        assert text in about


def test_openapi_documents_the_file_responses(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    csv_doc = paths[f"{URL}/summary.csv"]["get"]["responses"]
    xlsx_doc = paths[f"{URL}/summary.xlsx"]["get"]["responses"]
    assert "text/csv" in csv_doc["200"]["content"]
    assert (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        in (xlsx_doc["200"]["content"])
    )
    assert "application/json" not in csv_doc["200"]["content"]
    for path in ("curve", "summary", "comparison", "low-retention", "summary.csv"):
        assert "422" in paths[f"{URL}/{path}"]["get"]["responses"]


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("summary", {"group_by": "favourite_colour"}, "query.group_by"),
        ("summary", {"horizons": 0}, "query.horizons"),
        ("summary", {"horizons": 121}, "query.horizons"),
        ("summary.csv", {"horizons": "twelve"}, "query.horizons"),
        ("curve", {"as_of": "2024-02-30"}, "query.as_of"),
        ("curve", {"as_of": "yesterday"}, "query.as_of"),
        ("curve", {"as_of": (today() + timedelta(days=1)).isoformat()}, "query.as_of"),
        ("curve", {"hire_year": 1800}, "query.hire_year"),
        ("curve", {"home_city_code": "440599"}, "query.home_city_code"),
        ("curve", {"host_city_code": "4403"}, "query.host_city_code"),
        ("low-retention", {"threshold": 0}, "query.threshold"),
        ("low-retention", {"threshold": 1}, "query.threshold"),
        ("low-retention", {"threshold": 1.5}, "query.threshold"),
        ("low-retention", {"horizon_months": 0}, "query.horizon_months"),
        ("low-retention", {"min_spells": 2}, "query.min_spells"),
        ("low-retention", {"level": "region"}, "query.level"),
        ("comparison", {"horizons": 500}, "query.horizons"),
    ],
)
def test_bad_input_is_a_422_problem_naming_the_field(
    client: TestClient, make: Factory, path: str, params: dict[str, Any], field: str
) -> None:
    r = client.get(f"{URL}/{path}", params=params, headers=make.province())
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert any(e["field"].startswith(field) for e in problem["errors"]), problem


def test_as_of_before_any_visible_hire_is_refused_with_the_reason(
    client: TestClient, make: Factory
) -> None:
    add_spells(make, make.firm(SHANTOU), [(date(2021, 3, 1), None)] * 5)
    for path in ("curve", "summary", "comparison", "low-retention", "summary.xlsx"):
        r = client.get(f"{URL}/{path}", params={"as_of": "2020-01-01"}, headers=make.province())
        assert r.status_code == 422, (path, r.text)
        problem = r.json()
        assert problem["errors"][0]["field"] == "query.as_of"
        assert "before the first hire (2021-03-01)" in problem["detail"]
    # A firm with no spells at all gets an empty answer, not a refusal.
    other = make.firm(MEIZHOU)
    r = client.get(f"{URL}/curve", params={"as_of": "2020-01-01"}, headers=make.firm_user(other))
    assert r.status_code == 200 and r.json()["n"] == 0
