"""A small two-firm world for the visibility tests, and the helpers that check refusals.

Firm A is based in Shantou (440500) with a center hosted in Shenzhen (440300); one of its people
works at that center (after an earlier spell at the home site), another only at the home site.
Firm B is based in Meizhou (441400) with a center hosted in Guangzhou (440100); one person
works there, another left B's home site.
Nothing of B touches Shantou or Shenzhen; nothing of A touches Meizhou or Guangzhou.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, SQLModel, func, select

from talent_service.core import clock
from talent_service.models import (
    Center,
    Employment,
    Enclave,
    EnclavePartner,
    Firm,
    Talent,
    TalentFirm,
)
from talent_service.reference.enums import CenterStatus, DepartureReason, Education
from tests.factories import SHANTOU, SHENZHEN, Factory

MEIZHOU, GUANGZHOU, DONGGUAN = "441400", "440100", "441900"
MISSING = 2_147_483_000  # a valid id that no test ever creates
# A closure's date is bounded like any act's effective date (within the back-dating limit).
RECENT = clock.today().isoformat()
PROBLEM_JSON = "application/problem+json"

MODELS: dict[str, type[SQLModel]] = {
    "firm": Firm,
    "center": Center,
    "talent": Talent,
    "employment": Employment,
    "enclave": Enclave,
}


@dataclass
class World:
    make: Factory
    a: Firm
    b: Firm
    enclave_sz: Enclave
    enclave_gz: Enclave
    center_a: Center  # A's center, hosted in Shenzhen
    center_b: Center  # B's center, hosted in Guangzhou
    talent_a_center: Talent  # works at center_a
    talent_a_home: Talent  # works only at A's home site
    talent_b: Talent  # works at center_b
    talent_b_left: Talent  # left B's home site
    spell_a_center: Employment
    spell_a_home: Employment
    spell_a_earlier: Employment  # talent_a_center's earlier spell at A's home site
    spell_b: Employment
    spell_b_left: Employment

    # --- who may see what ------------------------------------------------------
    def ids(self, *rows: Any) -> set[int]:
        return {row.id for row in rows}

    def all_of(self, kind: str) -> set[int]:
        return self.of_a(kind) | self.of_b(kind)

    def of_a(self, kind: str) -> set[int]:
        return {
            "firm": self.ids(self.a),
            "center": self.ids(self.center_a),
            "talent": self.ids(self.talent_a_center, self.talent_a_home),
            "employment": self.ids(self.spell_a_center, self.spell_a_home, self.spell_a_earlier),
        }[kind]

    def of_b(self, kind: str) -> set[int]:
        return {
            "firm": self.ids(self.b),
            "center": self.ids(self.center_b),
            "talent": self.ids(self.talent_b, self.talent_b_left),
            "employment": self.ids(self.spell_b, self.spell_b_left),
        }[kind]

    def hosted_in_shenzhen(self, kind: str) -> set[int]:
        """What the host-city bureau of Shenzhen sees: A's center and what works there."""
        return {
            "firm": self.ids(self.a),
            "center": self.ids(self.center_a),
            "talent": self.ids(self.talent_a_center),
            "employment": self.ids(self.spell_a_center),
        }[kind]

    def hosted_in_guangzhou(self, kind: str) -> set[int]:
        return {
            "firm": self.ids(self.b),
            "center": self.ids(self.center_b),
            "talent": self.ids(self.talent_b),
            "employment": self.ids(self.spell_b),
        }[kind]

    def visible(self, caller: str, kind: str) -> set[int]:
        """The expected visibility, written out by hand (not derived from the app's rule)."""
        table = {
            "province": self.all_of,
            "firm_a": self.of_a,
            "firm_b": self.of_b,
            "bureau_shantou": self.of_a,
            "bureau_meizhou": self.of_b,
            "bureau_shenzhen": self.hosted_in_shenzhen,
            "bureau_guangzhou": self.hosted_in_guangzhou,
            "bureau_dongguan": lambda kind: set(),
            "client_shenzhen": self.hosted_in_shenzhen,
            "client_province": self.all_of,
        }
        return table[caller](kind)

    def headers(self, caller: str) -> dict[str, str]:
        make = self.make
        return {
            "province": make.province,
            "firm_a": lambda: make.firm_user(self.a),
            "firm_b": lambda: make.firm_user(self.b),
            "bureau_shantou": lambda: make.bureau(SHANTOU),
            "bureau_meizhou": lambda: make.bureau(MEIZHOU),
            "bureau_shenzhen": lambda: make.bureau(SHENZHEN),
            "bureau_guangzhou": lambda: make.bureau(GUANGZHOU),
            "bureau_dongguan": lambda: make.bureau(DONGGUAN),
            "client_shenzhen": lambda: make.client("registry:read", city=SHENZHEN),
            "client_province": lambda: make.client("registry:read"),
        }[caller]()


def build_world(make: Factory) -> World:
    a, b = make.firm(SHANTOU, name="汕头甲公司"), make.firm(MEIZHOU, name="梅州乙公司")
    enclave_sz = make.enclave(SHENZHEN, partners=(SHANTOU,), name="深圳汕头飞地")
    enclave_gz = make.enclave(
        GUANGZHOU, partners=(MEIZHOU,), name="广州梅州飞地", district="Tianhe"
    )
    center_a = make.center(a, SHENZHEN, enclave_id=enclave_sz.id, name="甲公司深圳研发中心")
    center_b = make.center(b, GUANGZHOU, enclave_id=enclave_gz.id, name="乙公司广州研发中心")
    talent_a_center = make.talent(a, name="陈一", education=Education.doctor)
    talent_a_home = make.talent(a, name="陈二")
    talent_b = make.talent(b, name="李三")
    talent_b_left = make.talent(b, name="李四", education=Education.bachelor)
    return World(
        make=make,
        a=a,
        b=b,
        enclave_sz=enclave_sz,
        enclave_gz=enclave_gz,
        center_a=center_a,
        center_b=center_b,
        talent_a_center=talent_a_center,
        talent_a_home=talent_a_home,
        talent_b=talent_b,
        talent_b_left=talent_b_left,
        spell_a_center=make.employment(talent_a_center, a, center_a),
        spell_a_home=make.employment(talent_a_home, a, None, recruited_via_program=False),
        spell_a_earlier=make.employment(
            talent_a_center,
            a,
            None,
            hired_on=date(2020, 7, 1),
            departed_on=date(2021, 12, 31),
            departure_reason=DepartureReason.transferred,
        ),
        spell_b=make.employment(talent_b, b, center_b),
        spell_b_left=make.employment(
            talent_b_left,
            b,
            None,
            recruited_via_program=False,
            departed_on=date(2023, 3, 1),
            departure_reason=DepartureReason.resigned,
        ),
    )


# --- routes that take an id ---------------------------------------------------------


@dataclass(frozen=True)
class IdRoute:
    method: str
    path: str  # with {id}
    kind: str
    body: dict[str, Any] | None = None
    # the center status in which the action would otherwise succeed
    center_status: CenterStatus | None = None

    @property
    def is_write(self) -> bool:
        return self.method != "GET"

    @property
    def template(self) -> str:
        """The route's path as FastAPI spells it (``/v1/firms/{firm_id}``)."""
        return self.path.replace("{id}", "{" + self.kind + "_id}")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ID_ROUTES = [
    IdRoute("GET", "/v1/firms/{id}", "firm"),
    IdRoute("PATCH", "/v1/firms/{id}", "firm", {"name": "Renamed Ltd"}),
    IdRoute("GET", "/v1/centers/{id}", "center"),
    IdRoute("GET", "/v1/centers/{id}/history", "center"),
    IdRoute("PATCH", "/v1/centers/{id}", "center", {"name": "Renamed center"}),
    IdRoute(
        "POST",
        "/v1/centers/{id}/accreditation",
        "center",
        {"decision": "accredited"},
        CenterStatus.pending,
    ),
    IdRoute(
        "POST", "/v1/centers/{id}/suspension", "center", {"note": "x"}, CenterStatus.accredited
    ),
    IdRoute(
        "POST", "/v1/centers/{id}/reinstatement", "center", {"note": "x"}, CenterStatus.suspended
    ),
    IdRoute(
        "POST",
        "/v1/centers/{id}/closure",
        "center",
        {"closed_on": RECENT},
        CenterStatus.accredited,
    ),
    IdRoute("GET", "/v1/talents/{id}", "talent"),
    IdRoute("GET", "/v1/talents/{id}/identity", "talent"),
    IdRoute("PATCH", "/v1/talents/{id}", "talent", {"name": "改名"}),
    IdRoute("GET", "/v1/employments/{id}", "employment"),
    IdRoute("PATCH", "/v1/employments/{id}", "employment", {"position": "Manager"}),
    IdRoute(
        "POST",
        "/v1/employments/{id}/departure",
        "employment",
        {"departed_on": "2024-06-30", "reason": "resigned"},
    ),
]
# Enclave spaces are readable by every caller by design; only their writes are restricted.
ENCLAVE_ROUTES = [
    IdRoute("GET", "/v1/enclaves/{id}", "enclave"),
    IdRoute("PATCH", "/v1/enclaves/{id}", "enclave", {"name": "Renamed space"}),
]

# A firm's tier certificates and history. Their refusals are tested in
# tests/firms/test_tier_access.py: a second id, list answers and 201s do not fit the tables above.
FIRM_TIER_ROUTES = [
    IdRoute("GET", "/v1/firms/{id}/tiers", "firm"),
    IdRoute(
        "POST",
        "/v1/firms/{id}/tiers",
        "firm",
        {
            "tier": "little_giant",
            "certificate_no": "GD-XJR-2026-0099",
            "valid_from": "2026-01-01",
            "valid_to": "2028-12-31",
        },
    ),
    IdRoute("POST", "/v1/firms/{id}/tiers/{period_id}/approve", "firm", {}),
    IdRoute("POST", "/v1/firms/{id}/tiers/{period_id}/reject", "firm", {"note": "unreadable"}),
    IdRoute("GET", "/v1/firms/{id}/history", "firm"),
]

# Routes whose Access rule does not admit the role at all: refused with 403 before any look-up,
# which reveals nothing either (the same 403 for any id).
ROLE_REFUSED = {
    "firm": {
        "GET /v1/talents/{id}/identity",
        "POST /v1/centers/{id}/accreditation",
        "POST /v1/centers/{id}/suspension",
        "POST /v1/centers/{id}/reinstatement",
    },
    "bureau": {
        "PATCH /v1/firms/{id}",
        "PATCH /v1/centers/{id}",
        "PATCH /v1/talents/{id}",
        "PATCH /v1/employments/{id}",
        "POST /v1/employments/{id}/departure",
    },
}


def call(client: TestClient, route: IdRoute, key: int, headers: dict[str, str]) -> Response:
    return client.request(route.method, route.path.format(id=key), json=route.body, headers=headers)


def snapshot(session: Session, kind: str, key: int) -> dict[str, Any]:
    """The row as the database holds it now (not as the test's session remembers it)."""
    session.expire_all()
    row = session.get(MODELS[kind], key)
    assert row is not None
    state = row.model_dump()
    if kind == "enclave":
        state["partners"] = sorted(
            session.exec(
                select(EnclavePartner.city_code).where(EnclavePartner.enclave_id == key)
            ).all()
        )
    return state


def row_counts(session: Session) -> dict[str, int]:
    session.expire_all()
    counted = [*MODELS.values(), TalentFirm]
    return {
        model.__name__: session.exec(select(func.count()).select_from(model)).one()
        for model in counted
    }


def set_center_status(session: Session, center: Center, status: CenterStatus | None) -> None:
    if status is not None and center.status is not status:
        center.status = status
        session.add(center)
        session.flush()


def assert_problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def assert_like_missing(refused: Response, missing: Response, key: int) -> None:
    """A refused object's answer is the answer for an id that does not exist (but for the id)."""
    assert refused.status_code == missing.status_code, (refused.text, missing.text)
    assert refused.headers["content-type"].startswith(PROBLEM_JSON)
    assert "etag" not in refused.headers
    got, expected = refused.json(), missing.json()
    got.pop("instance"), expected.pop("instance")
    as_if_missing = json.loads(json.dumps(expected).replace(str(MISSING), str(key)))
    assert got == as_if_missing


def list_ids(client: TestClient, url: str, headers: dict[str, str]) -> set[int]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_cursor"] is None, "the world fits in one page"
    return {item["id"] for item in page["items"]}


def list_queries(w: World) -> list[tuple[str, str, str]]:
    """(kind, url, whose rows it targets): every list, with the filters callers use.

    Each query matches at least one row of the firm it targets (checked as the province), so an
    empty answer for another caller means the rows were hidden, not that the filter missed.
    """
    a, b = w.a.id, w.b.id
    queries = [
        ("firm", "/v1/firms", "a"),
        ("firm", "/v1/firms", "b"),
        ("firm", f"/v1/firms?home_city_code={SHANTOU}", "a"),
        ("firm", f"/v1/firms?home_city_code={MEIZHOU}", "b"),
        ("firm", "/v1/firms?tier=provincial_specialized", "b"),
        ("center", "/v1/centers", "b"),
        ("center", f"/v1/centers?firm_id={a}", "a"),
        ("center", f"/v1/centers?firm_id={b}", "b"),
        ("center", f"/v1/centers?host_city_code={SHENZHEN}", "a"),
        ("center", f"/v1/centers?host_city_code={GUANGZHOU}", "b"),
        ("center", f"/v1/centers?home_city_code={MEIZHOU}", "b"),
        ("center", f"/v1/centers?enclave_id={w.enclave_gz.id}", "b"),
        ("center", "/v1/centers?status=accredited&kind=rnd", "b"),
        ("talent", "/v1/talents", "b"),
        ("talent", f"/v1/talents?firm_id={a}", "a"),
        ("talent", f"/v1/talents?firm_id={a}&hire_year=2020", "a"),
        ("talent", f"/v1/talents?firm_id={b}", "b"),
        ("talent", f"/v1/talents?center_id={w.center_b.id}", "b"),
        ("talent", f"/v1/talents?host_city_code={GUANGZHOU}", "b"),
        ("talent", f"/v1/talents?home_city_code={SHANTOU}", "a"),
        ("talent", f"/v1/talents?home_city_code={MEIZHOU}", "b"),
        ("talent", "/v1/talents?hire_year=2022", "b"),
        ("talent", "/v1/talents?still_employed=true", "b"),
        ("talent", "/v1/talents?still_employed=false", "b"),
        ("talent", "/v1/talents?education=bachelor", "b"),
        ("talent", "/v1/talents?education=master", "a"),
        ("employment", "/v1/employments", "b"),
        ("employment", f"/v1/employments?talent_id={w.talent_a_home.id}", "a"),
        ("employment", f"/v1/employments?talent_id={w.talent_a_center.id}", "a"),
        ("employment", f"/v1/employments?firm_id={a}&still_employed=false", "a"),
        ("employment", f"/v1/employments?talent_id={w.talent_b.id}", "b"),
        ("employment", f"/v1/employments?firm_id={a}", "a"),
        ("employment", f"/v1/employments?firm_id={b}", "b"),
        ("employment", f"/v1/employments?center_id={w.center_b.id}", "b"),
        ("employment", f"/v1/employments?host_city_code={GUANGZHOU}", "b"),
        ("employment", f"/v1/employments?home_city_code={SHANTOU}", "a"),
        ("employment", f"/v1/employments?home_city_code={MEIZHOU}", "b"),
        ("employment", "/v1/employments?hire_year=2022", "b"),
        ("employment", "/v1/employments?still_employed=true", "b"),
        ("employment", "/v1/employments?still_employed=false", "b"),
        ("employment", "/v1/employments?recruited_via_program=false", "a"),
        ("employment", "/v1/employments?recruited_via_program=true", "b"),
        ("employment", "/v1/employments?at_home_site=true", "a"),
        ("employment", "/v1/employments?at_home_site=true", "b"),
        ("employment", "/v1/employments?at_home_site=false", "b"),
    ]
    return queries


def check_lists(client: TestClient, w: World, caller: str) -> None:
    """Every list answer holds only what the caller may see; unfiltered lists hold all of it."""
    headers = w.headers(caller)
    for kind, url, _ in list_queries(w):
        seen = list_ids(client, url, headers)
        assert seen <= w.visible(caller, kind), (caller, url, seen - w.visible(caller, kind))
        if "?" not in url:
            assert seen == w.visible(caller, kind), (caller, url)
    for kind in ("firm", "center", "talent", "employment"):
        assert list_all_pages(client, f"/v1/{kind}s?limit=1", headers) == w.visible(caller, kind)


def list_all_pages(client: TestClient, url: str, headers: dict[str, str]) -> set[int]:
    """Follow next_cursor to the end: hidden rows must not show up on any page, nor be counted."""
    seen: list[int] = []
    cursor: str | None = None
    for _ in range(50):
        params = {"cursor": cursor} if cursor else {}
        response = client.get(url, params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    return set(seen)
