"""The hot read on the driver reads exactly what SQLAlchemy reads, under the same rule."""

from __future__ import annotations

import asyncio
from datetime import UTC

import pytest
from sqlalchemy import Connection, column, select, table
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from talent_service.auth.principal import ROLE_SCOPES, Principal
from talent_service.auth.visibility import get_visible, view_of, visible_rows
from talent_service.core.driver_read import compile_read, fetch_all
from talent_service.core.errors import DomainError
from talent_service.models import Talent
from talent_service.reference.enums import Education, Role, Sex
from talent_service.talents.service import _SHOWN, read_talent, to_read
from tests.factories import GUANGZHOU, SHANTOU, SHENZHEN, Factory


def _bureau(city: str) -> Principal:
    return Principal("user:1", Role.bureau, city_code=city, scopes=ROLE_SCOPES[Role.bureau])


def _rows(connection: Connection, keys: list[int], principal: Principal) -> dict[int, dict]:
    return asyncio.run(visible_rows(connection, Talent, keys, view_of(principal, Talent), _SHOWN))


def test_a_row_reads_as_the_orm_reads_it(
    make: Factory, session: Session, connection: Connection
) -> None:
    firm = make.firm()
    talent = make.talent(firm, name="李四", education=Education.doctor, title_field="材料")
    make.employment(talent, firm, make.center(firm, host=SHENZHEN))
    bureau = _bureau(SHENZHEN)
    assert talent.id is not None

    row = _rows(connection, [talent.id], bureau)[talent.id]
    via_orm = get_visible(session, Talent, talent.id, bureau)

    assert row == {c.key: getattr(via_orm, c.key) for c in _SHOWN}
    # Processors still apply: enums come back as enums, timestamps in UTC on both databases.
    assert row["education"] is Education.doctor and row["sex"] is Sex.female
    assert row["created_at"].utcoffset() == UTC.utcoffset(None)
    assert to_read(row, bureau) == to_read(via_orm, bureau)


def test_several_keys_in_one_statement_follow_the_rule(
    make: Factory, connection: Connection
) -> None:
    shantou_firm, other = make.firm(), make.firm(home="441500")
    hosted = make.talent(shantou_firm)  # registered by a Shantou firm, works in Shenzhen
    make.employment(hosted, shantou_firm, make.center(shantou_firm, host=SHENZHEN))
    elsewhere = make.talent(other)  # neither registered in nor working in Shenzhen
    make.employment(elsewhere, other, make.center(other, host=GUANGZHOU))
    keys = [hosted.id or 0, elsewhere.id or 0, 10**6]

    assert set(_rows(connection, keys, _bureau(SHENZHEN))) == {hosted.id}
    assert set(_rows(connection, keys, _bureau(SHANTOU))) == {hosted.id}
    assert set(_rows(connection, keys, _bureau(GUANGZHOU))) == {elsewhere.id}
    province = Principal("user:2", Role.province, scopes=ROLE_SCOPES[Role.province])
    assert set(_rows(connection, keys, province)) == {hosted.id, elsewhere.id}
    firm_user = Principal("user:3", Role.firm, firm_id=other.id, scopes=ROLE_SCOPES[Role.firm])
    assert set(_rows(connection, keys, firm_user)) == {elsewhere.id}
    # One key and several keys take different statements; they must agree.
    for key in keys:
        assert set(_rows(connection, [key], _bureau(SHENZHEN))) == ({key} & {hosted.id})


def test_the_route_function_refuses_what_the_caller_may_not_see(
    make: Factory, connection: Connection
) -> None:
    firm = make.firm()
    talent = make.talent(firm)
    make.employment(talent, firm, make.center(firm, host=SHENZHEN))
    assert talent.id is not None

    assert asyncio.run(read_talent(connection, _bureau(SHENZHEN), talent.id)).id == talent.id
    with pytest.raises(DomainError) as refused:
        asyncio.run(read_talent(connection, _bureau(GUANGZHOU), talent.id))
    assert refused.value.problem.status == 404


def test_no_row(connection: Connection) -> None:
    read = compile_read(select(Talent.id).where(Talent.id == -1), connection.dialect)
    assert fetch_all(connection, read, {}) == []


def test_driver_errors_arrive_as_sqlalchemy_errors(connection: Connection) -> None:
    missing = table("no_such_table", column("id"))
    read = compile_read(select(missing.c.id), connection.dialect)
    with pytest.raises(DBAPIError):
        fetch_all(connection, read, {})
