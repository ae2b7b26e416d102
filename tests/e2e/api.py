"""What a real client does against the live server: log in, register, hire, read; and fresh,
valid identifiers for every person and firm the load creates."""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

import httpx
from stdnum.cn import ric

from talent_service.reference.identifiers import known_region_codes_for, synthetic_uscc
from tests.e2e.live import PASSWORD, PROVINCE_USER, LiveServer
from tests.sign_ups import signed_up_and_approved

HOME_CITY = "440500"  # Shantou: a home city of the program
HOST_CITY = "440300"  # Shenzhen: a host city
TIMEOUT = httpx.Timeout(30.0)
T = TypeVar("T")
A = TypeVar("A")

# A Shantou county code that stdnum knows for every birth year the load uses.
_REGION = sorted(
    set(known_region_codes_for("4405", 1986)) & set(known_region_codes_for("4405", 1994))
)[0]
_people = itertools.count()
_firms = itertools.count()
_lock = threading.Lock()


def resident_id() -> str:
    """A valid resident ID not used before in this test process (date and order code vary)."""
    with _lock:
        n = next(_people)
    born = date(1986, 1, 1) + timedelta(days=n // 499)  # 499 people a day, for years
    body = f"{_REGION}{born:%Y%m%d}{1 + n % 499 * 2:03d}"
    return body + ric.calc_check_digit(body + "?")  # it reads the first 17 of 18


def uscc() -> str:
    with _lock:
        n = next(_firms)
    return synthetic_uscc(random.Random(f"e2e-{n}"), HOME_CITY)


def login(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    return client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": password},
    )


def bearer(client: httpx.Client, username: str) -> dict[str, str]:
    response = login(client, username)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def registration(
    username: str, *, name: str | None = None, code: str | None = None
) -> dict[str, Any]:
    return {
        "firm": {
            "uscc": code or uscc(),
            "name": name or f"E2E Firm {username}",
            "home_city_code": HOME_CITY,
        },
        "username": username,
        "password": PASSWORD,
    }


def talent_body() -> dict[str, Any]:
    return {"id_number": resident_id(), "name": "测试人员", "education": "master"}


def hire_body(talent_id: int, center_id: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "talent_id": talent_id,
        "position": "engineer",
        "hired_on": "2024-03-01",
        "si_city_code": HOST_CITY,
    }
    if center_id is not None:
        body["center_id"] = center_id
    return body


@dataclass
class Firm:
    id: int
    username: str
    headers: dict[str, str]


class World:
    """The live server with a province token and a way to make firms."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.client = self.new_client()
        self.province = bearer(self.client, PROVINCE_USER)
        self._names = itertools.count()

    def new_client(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.url, timeout=TIMEOUT)

    def firm(self) -> Firm:
        """A firm that signed itself up and was approved by the province."""
        username = f"firm-{next(self._names)}"
        done = signed_up_and_approved(self.client, registration(username), self.province)
        return Firm(done.firm_id, username, done.headers)

    def enclave(self, area: float) -> int:
        body = {
            "name": f"Space {next(self._names)}",
            "host_city_code": HOST_CITY,
            "district": "Nanshan",
            "operator": "E2E Operator Ltd",
            "total_floor_area_m2": area,
            "partner_city_codes": [HOME_CITY],
        }
        response = self.client.post("/v1/enclaves", json=body, headers=self.province)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def center(
        self, firm: Firm, *, enclave_id: int | None = None, area: float = 100
    ) -> httpx.Response:
        body: dict[str, Any] = {
            "kind": "rnd",
            "name": f"Center {next(self._names)}",
            "address": "1 Test Road",
            "floor_area_m2": area,
            "opened_on": "2023-01-01",
        }
        body.update({"enclave_id": enclave_id} if enclave_id else {"host_city_code": HOST_CITY})
        return self.client.post("/v1/centers", json=body, headers=firm.headers)

    def talent(self, firm: Firm) -> int:
        response = self.client.post("/v1/talents", json=talent_body(), headers=firm.headers)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])


def at_once(task: Callable[[A], T], inputs: Iterable[A]) -> list[T]:
    """``task(x)`` for each input on its own thread, all released together by a barrier;
    the results in the inputs' order. Returns when every call has answered."""
    inputs = list(inputs)
    barrier = threading.Barrier(len(inputs))

    def run(x: A) -> T:
        barrier.wait(timeout=30)
        return task(x)

    with ThreadPoolExecutor(max_workers=len(inputs)) as pool:
        return list(pool.map(run, inputs))


def months_rule(threshold: int) -> dict[str, Any]:
    """A one-criterion policy rule: months at an accredited center of at least ``threshold``."""
    return {
        "id": "root",
        "kind": "all",
        "label_zh": "条件",
        "label_en": "conditions",
        "children": [
            {
                "id": "months",
                "kind": "compare",
                "label_zh": "在认定中心工作月数",
                "label_en": "months at an accredited center",
                "fact": "months_at_accredited_center",
                "op": "ge",
                "rhs": {"value": threshold},
            }
        ],
    }
