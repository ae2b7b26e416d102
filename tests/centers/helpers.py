"""A Shantou firm with a center hosted in Shenzhen, its callers, and reading its events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlmodel import Session

from talent_service.models import Center, CenterStatusEvent, Firm
from tests.errors import snapshot
from tests.factories import SHANTOU, SHENZHEN, Factory


@dataclass
class World:
    make: Factory
    client: TestClient
    session: Session
    firm: Firm

    def firm_headers(self) -> dict[str, str]:
        return self.make.firm_user(self.firm)

    def shenzhen(self) -> dict[str, str]:
        return self.make.bureau(SHENZHEN)

    def center(self, opened_on: date, **kw: Any) -> Center:
        """A center the firm registered through the API (its pending event written by it)."""
        body = {
            "kind": "rnd",
            "host_city_code": SHENZHEN,
            "name": "汕头某企业深圳研发中心",
            "address": "南山区科技园",
            "floor_area_m2": 300,
            "opened_on": opened_on.isoformat(),
        } | kw
        r = self.client.post("/v1/centers", json=body, headers=self.firm_headers())
        assert r.status_code == 201, r.text
        center = self.session.get(Center, r.json()["id"])
        assert center is not None
        return center

    def act(
        self,
        center: Center,
        action: str,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> Response:
        path = {
            "accredit": "accreditation",
            "reject": "accreditation",
            "suspend": "suspension",
            "reinstate": "reinstatement",
            "close": "closure",
        }[action]
        if action in ("accredit", "reject"):
            body = {"decision": "accredited" if action == "accredit" else "rejected"} | body
        headers = headers if headers is not None else self.shenzhen()
        return self.client.post(f"/v1/centers/{center.id}/{path}", json=body, headers=headers)

    def history(self, center: Center, headers: dict[str, str] | None = None) -> Response:
        headers = headers if headers is not None else self.shenzhen()
        return self.client.get(f"/v1/centers/{center.id}/history", headers=headers)

    def stored(self, center: Center) -> tuple[dict[str, Any], int]:
        """The center's row as stored and its number of events: what a refusal must not move."""
        assert center.id is not None
        return snapshot(self.session, Center, center.id), event_count(self.session, center.id)


def event_count(session: Session, center_id: int | None = None) -> int:
    query = select(func.count()).select_from(CenterStatusEvent)
    if center_id is not None:
        query = query.where(CenterStatusEvent.center_id == center_id)  # type: ignore[arg-type]
    return int(session.connection().execute(query).scalar_one())


def world_of(make: Factory, client: TestClient, session: Session) -> World:
    return World(make, client, session, make.firm(SHANTOU))
