"""The hot read on the driver reads exactly what SQLAlchemy reads, under the same rule."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import Connection, column, select, table
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from talent_service.auth.principal import ROLE_SCOPES, Principal
from talent_service.auth.visibility import get_visible, visible_row
from talent_service.core.driver_read import compile_read, fetch_first
from talent_service.core.errors import DomainError
from talent_service.models import Talent
from talent_service.reference.enums import Education, Role, Sex
from talent_service.talents.service import _SHOWN, read_talent, to_read
from tests.factories import GUANGZHOU, SHENZHEN, Factory


def _bureau(city: str) -> Principal:
    return Principal("user:1", Role.bureau, city_code=city, scopes=ROLE_SCOPES[Role.bureau])


def test_a_row_reads_as_the_orm_reads_it(
    make: Factory, session: Session, connection: Connection
) -> None:
    firm = make.firm()
    talent = make.talent(firm, name="李四", education=Education.doctor, title_field="材料")
    make.employment(talent, firm, make.center(firm, host=SHENZHEN))
    bureau = _bureau(SHENZHEN)
    assert talent.id is not None

    row = visible_row(connection, Talent, talent.id, bureau, _SHOWN)
    via_orm = get_visible(session, Talent, talent.id, bureau)

    assert row == {c.key: getattr(via_orm, c.key) for c in _SHOWN}
    # Processors still apply: enums come back as enums, timestamps in UTC on both databases.
    assert row["education"] is Education.doctor and row["sex"] is Sex.female
    assert row["created_at"].tzinfo is not None
    assert row["created_at"].utcoffset() == UTC.utcoffset(None)
    assert to_read(row, bureau) == to_read(via_orm, bureau)


def test_the_rule_holds_on_the_driver(make: Factory, connection: Connection) -> None:
    firm = make.firm()
    talent = make.talent(firm)
    make.employment(talent, firm, make.center(firm, host=SHENZHEN))
    assert talent.id is not None

    assert read_talent(connection, _bureau(SHENZHEN), talent.id).id == talent.id
    with pytest.raises(DomainError) as refused:
        read_talent(connection, _bureau(GUANGZHOU), talent.id)
    assert refused.value.problem.status == 404
    with pytest.raises(DomainError):
        read_talent(connection, _bureau(SHENZHEN), talent.id + 1000)


def test_no_row_is_none(connection: Connection) -> None:
    read = compile_read(select(Talent.id).where(Talent.id == -1), connection.dialect)
    assert fetch_first(connection, read, {}) is None


def test_driver_errors_arrive_as_sqlalchemy_errors(connection: Connection) -> None:
    missing = table("no_such_table", column("id"))
    read = compile_read(select(missing.c.id), connection.dialect)
    with pytest.raises(DBAPIError):
        fetch_first(connection, read, {})
