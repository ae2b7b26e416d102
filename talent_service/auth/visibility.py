"""The visibility rule: the one place that says which rows a caller may see.

Every service query starts from ``scoped(Model, principal)``; a row outside the caller's reach is
indistinguishable from a row that does not exist.

- province (and a machine client without a city): everything;
- firm user: its own firm, its centers, the talent it registered, its own employment spells;
- bureau (and a machine client bound to a city) of city X: centers hosted in X, firms based in X
  or hosting a center in X, spells at such firms or centers, and the talent of those spells or
  registered by firms based in X;
- enclave spaces are public program infrastructure: every authenticated caller may read them.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, exists, or_, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from talent_service.auth.principal import Principal
from talent_service.core.errors import not_found
from talent_service.models import (
    Center,
    Decision,
    Employment,
    Enclave,
    Firm,
    Talent,
    TalentFirm,
)
from talent_service.reference.enums import Role

M = TypeVar("M", bound=SQLModel)


# Inner tables are aliased so that each EXISTS correlates only with the row being filtered,
# whatever else the outer query joins. EXISTS keeps a read by id an index look-up.
def _firm_based_in(city: str, firm_id: Any) -> ColumnElement[bool]:
    f = aliased(Firm)
    return exists().where(f.id == firm_id, col(f.home_city_code) == city)


def _center_hosted_in(city: str, center_id: Any) -> ColumnElement[bool]:
    c = aliased(Center)
    return exists().where(c.id == center_id, col(c.host_city_code) == city)


def firm_rule(p: Principal) -> ColumnElement[bool]:
    if p.sees_whole_province:
        return true()
    if p.role is Role.firm:
        return col(Firm.id) == p.firm_id
    city = p.city_code or ""
    c = aliased(Center)
    hosting = exists().where(col(c.firm_id) == Firm.id, col(c.host_city_code) == city)
    return or_(col(Firm.home_city_code) == city, hosting)


def center_rule(p: Principal) -> ColumnElement[bool]:
    if p.sees_whole_province:
        return true()
    if p.role is Role.firm:
        return col(Center.firm_id) == p.firm_id
    city = p.city_code or ""
    return or_(col(Center.host_city_code) == city, _firm_based_in(city, Center.firm_id))


def employment_rule(p: Principal) -> ColumnElement[bool]:
    if p.sees_whole_province:
        return true()
    if p.role is Role.firm:
        return col(Employment.firm_id) == p.firm_id
    city = p.city_code or ""
    return or_(
        _firm_based_in(city, Employment.firm_id), _center_hosted_in(city, Employment.center_id)
    )


def _talent_rule_for(p: Principal, talent: Any) -> ColumnElement[bool]:
    tf = aliased(TalentFirm)
    if p.role is Role.firm:
        return exists().where(col(tf.talent_id) == talent.id, col(tf.firm_id) == p.firm_id)
    city = p.city_code or ""
    f, e, c = aliased(Firm), aliased(Employment), aliased(Center)
    registered_here = exists().where(
        col(tf.talent_id) == talent.id, col(f.id) == tf.firm_id, col(f.home_city_code) == city
    )
    hosted_here = exists().where(
        col(e.talent_id) == talent.id, col(c.id) == e.center_id, col(c.host_city_code) == city
    )
    return or_(registered_here, hosted_here)


def talent_rule(p: Principal) -> ColumnElement[bool]:
    if p.sees_whole_province:
        return true()
    return _talent_rule_for(p, Talent)


def enclave_rule(p: Principal) -> ColumnElement[bool]:
    return true()


def decision_rule(p: Principal) -> ColumnElement[bool]:
    """Decisions follow their talent; a city-bound machine client sees its city's decisions."""
    if p.sees_whole_province:
        return true()
    if p.role is Role.client:
        return col(Decision.city_code) == p.city_code
    t = aliased(Talent)
    return exists().where(col(t.id) == Decision.talent_id, _talent_rule_for(p, t))


_RULES = {
    Firm: firm_rule,
    Center: center_rule,
    Employment: employment_rule,
    Talent: talent_rule,
    Enclave: enclave_rule,
    Decision: decision_rule,
}


def visible(model: type[SQLModel], principal: Principal) -> ColumnElement[bool]:
    return _RULES[model](principal)


def scoped(model: type[M], principal: Principal) -> SelectOfScalar[M]:
    """``SELECT model WHERE <caller may see it>``: the start of every service query."""
    return select(model).where(visible(model, principal))


def get_visible(session: Session, model: type[M], key: int, principal: Principal) -> M:
    """The row by primary key if the caller may see it; otherwise NotFound, as if absent."""
    row = session.exec(scoped(model, principal).where(model.id == key)).first()  # type: ignore[attr-defined]
    if row is None:
        raise not_found(model.__name__.lower(), key)
    return row
