"""The hot read for a firm: one compiled statement over its registrations, joined to the person;
it reads what the ORM reads, and only the firm's own registrations."""

from __future__ import annotations

import asyncio
from datetime import UTC
from typing import Any

import pytest
from sqlalchemy import Connection
from sqlmodel import Session

from talent_service.auth.principal import ROLE_SCOPES, Principal
from talent_service.auth.visibility import registered_rows, view_of
from talent_service.core.errors import DomainError
from talent_service.models import Firm, Talent, TalentFirm
from talent_service.reference.enums import Education, Role, Sex
from talent_service.talents.service import _SHOWN_TO_FIRM, read_talent, shown, to_read
from tests.factories import MEIZHOU, Factory


def _firm(firm: Firm) -> Principal:
    return Principal("user:3", Role.firm, firm_id=firm.id, scopes=ROLE_SCOPES[Role.firm])


def _rows(connection: Connection, keys: list[int], principal: Principal) -> dict[int, Any]:
    view = view_of(principal, Talent)
    return asyncio.run(registered_rows(connection, keys, view, _SHOWN_TO_FIRM))


def test_a_firms_row_is_its_registration_beside_the_persons_identity(
    make: Factory, session: Session, connection: Connection
) -> None:
    a, b = make.firm(), make.firm(MEIZHOU)
    person = make.talent(a, name="李四", education=Education.doctor, title_field="材料")
    mine = make.registration(b, person)
    mine.name, mine.education, mine.title_field = "Li Si", Education.bachelor, None
    session.add(mine)
    session.flush()
    assert person.id is not None

    row = _rows(connection, [person.id], _firm(b))[person.id]
    assert row == shown(person, session.get(TalentFirm, (person.id, b.id)))
    assert row["name"] == "Li Si" and row["education"] is Education.bachelor
    assert row["sex"] is Sex.female and row["created_at"].utcoffset() == UTC.utcoffset(None)
    assert row["created_at"] == mine.registered_at and row["version"] == mine.version
    a_row = _rows(connection, [person.id], _firm(a))[person.id]
    assert a_row["name"] == "李四" and a_row["education"] is Education.doctor
    assert to_read(row, _firm(b)) == to_read(person, _firm(b), mine)


def test_several_keys_read_only_the_firms_own_registrations(
    make: Factory, connection: Connection
) -> None:
    a, b = make.firm(), make.firm(MEIZHOU)
    only_a, both, only_b = make.talent(a), make.talent(a), make.talent(b)
    make.registration(b, both)
    keys = [only_a.id or 0, both.id or 0, only_b.id or 0, 10**6]
    assert set(_rows(connection, keys, _firm(a))) == {only_a.id, both.id}
    assert set(_rows(connection, keys, _firm(b))) == {both.id, only_b.id}
    for key in keys:  # one key and several keys take different statements; they agree
        assert set(_rows(connection, [key], _firm(b))) == {key} & {both.id, only_b.id}


def test_the_route_function_refuses_a_person_the_firm_did_not_register(
    make: Factory, connection: Connection
) -> None:
    a, b = make.firm(), make.firm(MEIZHOU)
    person = make.talent(a)
    assert person.id is not None
    assert asyncio.run(read_talent(connection, _firm(a), person.id)).id == person.id
    with pytest.raises(DomainError) as refused:
        asyncio.run(read_talent(connection, _firm(b), person.id))
    assert refused.value.problem.status == 404


def test_only_a_firms_view_reads_through_registrations(
    make: Factory, connection: Connection
) -> None:
    bureau = Principal("user:1", Role.bureau, city_code="440300", scopes=ROLE_SCOPES[Role.bureau])
    with pytest.raises(ValueError):
        _rows(connection, [1], bureau)
