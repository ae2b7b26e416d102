"""Bad input: every refusal is a 4xx problem response naming the field, and nothing is written.

Shared helpers for the ``test_bad_input_*`` modules: checking a problem response, counting the
rows of every registry table, and reading a row straight from the connection (not from a
session's identity map) to prove it is unchanged.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from talent_service.models import (
    Center,
    Client,
    Employment,
    Enclave,
    EnclavePartner,
    Firm,
    FirmSignUpEvent,
    Talent,
    TalentFirm,
    User,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://talent-service.gd.gov.cn/problems/"
TABLES: tuple[type[SQLModel], ...] = (
    Firm,
    FirmSignUpEvent,
    User,
    Client,
    Enclave,
    EnclavePartner,
    Center,
    Talent,
    TalentFirm,
    Employment,
)

# Control characters the text fields must refuse: NUL, other C0 controls, DEL and a C1 control.
CONTROL_CHARS = ("\x00", "\x07", "\x1b", "\x7f", "\x85")
HUGE_ID = 2**63
LONG_TEXT = "名" * 10_000


def counts(session: Session) -> dict[str, int]:
    """Rows per registry table, read through the test's connection (sees committed requests)."""
    connection = session.connection()
    return {
        model.__tablename__: connection.execute(  # type: ignore[attr-defined]
            select(func.count()).select_from(model.__table__)  # type: ignore[attr-defined]
        ).scalar_one()
        for model in TABLES
    }


def snapshot(session: Session, model: type[SQLModel], key: int) -> dict[str, Any]:
    """The row as stored now, bypassing any session's identity map."""
    table = model.__table__  # type: ignore[attr-defined]
    query = select(table).where(table.c.id == key)
    return dict(session.connection().execute(query).mappings().one())


def fields_of(response: httpx.Response) -> list[str]:
    return [error["field"] for error in response.json().get("errors", [])]


def assert_problem(
    response: httpx.Response,
    status: int,
    *,
    slug: str | None = None,
    field: str | None = None,
) -> dict[str, Any]:
    """A problem response (RFC 9457) with a stable type and a detail; ``field`` among its errors."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith(PROBLEM_BASE), body
    if slug is not None:
        assert body["type"] == PROBLEM_BASE + slug, body
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"].strip(), body
    assert isinstance(body.get("errors", []), list)
    for error in body.get("errors", []):
        assert isinstance(error["field"], str) and error["field"]
        assert isinstance(error["reason"], str) and error["reason"]
    if field is not None:
        assert field in fields_of(response), body
    return body
