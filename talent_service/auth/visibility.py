"""The visibility rule: the one place that says which rows a caller may see.

Every service query starts from ``scoped(Model, principal)``; a row outside the caller's reach is
indistinguishable from a row that does not exist.

- province (and a machine client without a city): everything;
- firm user: its own firm, its centers, the talent it registered, its own employment spells;
- bureau (and a machine client bound to a city) of city X: centers hosted in X, firms based in X
  or hosting a center in X, spells at such firms or centers, and the talent of those spells or
  registered by firms based in X;
- enclave spaces are public program infrastructure: every authenticated caller may read them;
- a firm user whose firm's sign-up is pending or rejected (``Principal.held_back``): its own
  firm and nothing else, whatever its role's rule would show (auth/approval.py refuses its
  requests on every other route; this is the second wall).

A firm reads a person through its own registration (``own_registrations``, ``registered_rows``):
the person joined to the firm's ``TalentFirm`` row, which is the firm rule for talent written as a
join, so the firm's own declared profile comes with the row and no other party's can.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    exists,
    false,
    or_,
    true,
)
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from talent_service.auth.principal import Principal
from talent_service.core.async_read import run_read
from talent_service.core.driver_read import CompiledRead, compile_read
from talent_service.core.errors import not_found
from talent_service.models import (
    Center,
    Decision,
    Employment,
    Enclave,
    Firm,
    HouseholdMember,
    Talent,
    TalentFirm,
)
from talent_service.reference.enums import Role

M = TypeVar("M", bound=SQLModel)


# Inner tables are aliased so that each EXISTS correlates only with the row being filtered,
# whatever else the outer query joins. EXISTS keeps a read by id an index look-up. The aliases
# are built once: building one costs more than the whole query on the hot read path.
_F, _C, _E, _TF = (
    aliased(Firm, name="vis_firm"),
    aliased(Center, name="vis_center"),
    aliased(Employment, name="vis_employment"),
    aliased(TalentFirm, name="vis_talent_firm"),
)


class Reach(Enum):
    """The shape of a caller's view; the city or firm it is bound to is a parameter."""

    province = "province"  # everything
    firm = "firm"  # one firm
    city = "city"  # one city (bureau, city-bound machine client)
    held_back = "held_back"  # a firm not approved: its own firm row only


def reach_of(p: Principal) -> Reach:
    if p.held_back:
        return Reach.held_back
    if p.sees_whole_province:
        return Reach.province
    return Reach.firm if p.role is Role.firm else Reach.city


# A rule reads the caller's city and firm through these two values, which are either the literal
# values or bind parameters (for statements built once and reused, see ``get_visible``).
Bound = Any


def _firm_based_in(city: Bound, firm_id: Any) -> ColumnElement[bool]:
    return exists().where(col(_F.id) == firm_id, col(_F.home_city_code) == city)


def _center_hosted_in(city: Bound, center_id: Any) -> ColumnElement[bool]:
    return exists().where(col(_C.id) == center_id, col(_C.host_city_code) == city)


def _firm_rule(reach: Reach, city: Bound, firm: Bound) -> ColumnElement[bool]:
    if reach is Reach.firm:
        return col(Firm.id) == firm
    hosting = exists().where(col(_C.firm_id) == Firm.id, col(_C.host_city_code) == city)
    return or_(col(Firm.home_city_code) == city, hosting)


def _center_rule(reach: Reach, city: Bound, firm: Bound) -> ColumnElement[bool]:
    if reach is Reach.firm:
        return col(Center.firm_id) == firm
    return or_(col(Center.host_city_code) == city, _firm_based_in(city, Center.firm_id))


def _employment_rule(reach: Reach, city: Bound, firm: Bound) -> ColumnElement[bool]:
    if reach is Reach.firm:
        return col(Employment.firm_id) == firm
    return or_(
        _firm_based_in(city, Employment.firm_id), _center_hosted_in(city, Employment.center_id)
    )


def _talent_rule_for(
    reach: Reach, city: Bound, firm: Bound, talent_id: Any, among: Sequence[Any] = ()
) -> ColumnElement[bool]:
    # ``talent_id`` is the outer row's column, or for a read by id the key's bind parameter:
    # then each EXISTS is uncorrelated, probed once through the talent_id index, rather than
    # planned as a hashed subplan over every spell of the city. For a read of several ids,
    # ``among`` (those ids) bounds each subplan to their rows, whatever the planner picks.
    def bounded(column: Any) -> list[ColumnElement[bool]]:
        return [col(column) == talent_id] + ([col(column).in_(among)] if among else [])

    if reach is Reach.firm:
        return exists().where(*bounded(_TF.talent_id), col(_TF.firm_id) == firm)
    registered_here = exists().where(
        *bounded(_TF.talent_id),
        col(_F.id) == _TF.firm_id,
        col(_F.home_city_code) == city,
    )
    hosted_here = exists().where(
        *bounded(_E.talent_id),
        col(_C.id) == _E.center_id,
        col(_C.host_city_code) == city,
    )
    return or_(registered_here, hosted_here)


def _held_back_rule(model: type[SQLModel], firm: Bound) -> ColumnElement[bool]:
    """A firm not approved sees its own firm row, no other row of any table."""
    return col(Firm.id) == firm if model is Firm else false()


def _talent_rule(reach: Reach, city: Bound, firm: Bound) -> ColumnElement[bool]:
    return _talent_rule_for(reach, city, firm, Talent.id)


def _enclave_rule(reach: Reach, city: Bound, firm: Bound) -> ColumnElement[bool]:
    return true()


def _decision_rule(reach: Reach, city: Bound, firm: Bound) -> ColumnElement[bool]:
    # Decisions follow their talent (a city-bound machine client: see ``visible``).
    return _talent_rule_for(reach, city, firm, Decision.talent_id)


def _household_rule(reach: Reach, city: Bound, firm: Bound) -> ColumnElement[bool]:
    # A firm sees the household records it made itself (nothing another party recorded about
    # the person); a bureau those of the talent it sees.
    if reach is Reach.firm:
        return col(HouseholdMember.source_firm_id) == firm
    return _talent_rule_for(reach, city, firm, HouseholdMember.talent_id)


_RULES: dict[type[SQLModel], Callable[[Reach, Bound, Bound], ColumnElement[bool]]] = {
    Firm: _firm_rule,
    Center: _center_rule,
    Employment: _employment_rule,
    Talent: _talent_rule,
    Enclave: _enclave_rule,
    Decision: _decision_rule,
    HouseholdMember: _household_rule,
}


def visible(model: type[SQLModel], principal: Principal) -> ColumnElement[bool]:
    """The condition under which ``principal`` may see a row of ``model``."""
    reach = reach_of(principal)
    if reach is Reach.province:
        return true()
    if reach is Reach.held_back:
        return _held_back_rule(model, principal.firm_id)
    if model is Decision and principal.role is Role.client:
        # A city-bound machine client (e.g. a school-admission system) sees its city's decisions.
        return and_(
            col(Decision.city_code) == principal.city_code,
            _decision_rule(Reach.city, principal.city_code or "", None),
        )
    return _RULES[model](reach, principal.city_code or "", principal.firm_id)


def firm_rule(p: Principal) -> ColumnElement[bool]:
    return visible(Firm, p)


def center_rule(p: Principal) -> ColumnElement[bool]:
    return visible(Center, p)


def employment_rule(p: Principal) -> ColumnElement[bool]:
    return visible(Employment, p)


def talent_rule(p: Principal) -> ColumnElement[bool]:
    return visible(Talent, p)


def scoped(model: type[M], principal: Principal) -> SelectOfScalar[M]:
    """``SELECT model WHERE <caller may see it>``: the start of every service query."""
    return select(model).where(visible(model, principal))


class View(NamedTuple):
    """What decides which rows of a model a caller sees: equal views see the same rows."""

    reach: Reach
    city: str | None
    firm: int | None
    client_decisions: bool  # a city-bound machine client reading decisions


def view_of(principal: Principal, model: type[SQLModel]) -> View:
    client_decisions = model is Decision and principal.role is Role.client
    return View(reach_of(principal), principal.city_code, principal.firm_id, client_decisions)


def _key_names(count: int) -> list[str]:
    return ["vis_key"] if count == 1 else [f"vis_key_{i}" for i in range(count)]


def _params(view: View, keys: Sequence[int]) -> dict[str, Any]:
    named = zip(_key_names(len(keys)), keys, strict=True)
    return {"vis_city": view.city, "vis_firm": view.firm, **dict(named)}


@lru_cache(maxsize=256)
def _by_ids(
    model: type[SQLModel], reach: Reach, client_decisions: bool, count: int
) -> SelectOfScalar[Any]:
    """``SELECT model WHERE id is one of count keys AND the caller may see it``.

    Built once per shape with bind parameters: SQLAlchemy then reuses the statement's cache key
    and compiled form, and the hot read by id builds no expression at all.
    """
    city = bindparam("vis_city", type_=String)
    firm = bindparam("vis_firm", type_=Integer)
    keys = [bindparam(name, type_=Integer) for name in _key_names(count)]
    model_id = col(model.id)  # type: ignore[attr-defined]
    query = select(model).where(model_id == keys[0] if count == 1 else model_id.in_(keys))
    if reach is Reach.province:
        return query
    if reach is Reach.held_back:
        return query.where(_held_back_rule(model, firm))
    if client_decisions:
        query = query.where(col(Decision.city_code) == city)
    if model is not Talent:
        return query.where(_RULES[model](reach, city, firm))
    if count == 1:  # probed by the key itself: uncorrelated
        return query.where(_talent_rule_for(reach, city, firm, keys[0]))
    return query.where(_talent_rule_for(reach, city, firm, Talent.id, among=keys))


@lru_cache(maxsize=256)
def _compiled_by_ids(
    model: type[SQLModel],
    shape: tuple[Reach, bool],  # a view's reach and client_decisions: what the SQL depends on
    columns: tuple[Any, ...],
    count: int,
    dialect: Dialect,
) -> CompiledRead:
    reach, client_decisions = shape
    statement = _by_ids(model, reach, client_decisions, count).with_only_columns(*columns)
    return compile_read(statement, dialect)


async def visible_rows(
    bind: Engine | Connection,
    model: type[SQLModel],
    keys: Sequence[int],
    view: View,
    columns: tuple[Any, ...],
) -> dict[int, dict[str, Any]]:
    """Rows by primary key that ``view`` may see, as ``{id: {column key: value}}``.

    ``get_visible`` for hot reads: the same rule, only ``columns`` (which include the id), run
    on the driver; no Session and no ORM objects. A key the view may not see is simply absent.
    """
    keys = sorted(set(keys))
    shape = (view.reach, view.client_decisions)
    read = _compiled_by_ids(model, shape, columns, len(keys), bind.dialect)
    return {row["id"]: row for row in await run_read(bind, read, _params(view, keys))}


def get_visible(
    session: Session, model: type[M], key: int, principal: Principal, *, for_update: bool = False
) -> M:
    """The row by primary key if the caller may see it; otherwise NotFound, as if absent.

    ``for_update`` locks the row until the unit of work ends (PostgreSQL ``FOR UPDATE``; SQLite's
    write transaction already holds the database's one write lock): a write that checks the
    row's state then changes it cannot interleave with another one doing the same.
    """
    view = view_of(principal, model)
    query = _by_ids(model, view.reach, view.client_decisions, 1)
    if for_update:
        query = query.with_for_update(of=model)  # the row only, not the rule's subqueries
    row = session.exec(query, params=_params(view, [key])).first()
    if row is None:
        raise not_found(model.__name__.lower(), key)
    return row


# --- a firm's view of a person: through its own registration ------------------------------------


def own_registrations(principal: Principal) -> Select[Talent, TalentFirm]:
    """``SELECT talent, talent_firm`` for the people ``principal`` (a firm user) registered, each
    with the firm's own registration: the firm rule for talent, as a join."""
    if principal.role is not Role.firm:
        raise ValueError("only a firm reads people through its registrations")
    query = (
        sa_select(Talent, TalentFirm)
        .join(TalentFirm, col(TalentFirm.talent_id) == Talent.id)
        .where(col(TalentFirm.firm_id) == principal.firm_id)
    )
    return query.where(false()) if principal.held_back else query


@lru_cache(maxsize=64)
def _compiled_registrations(columns: tuple[Any, ...], count: int, dialect: Dialect) -> CompiledRead:
    firm = bindparam("vis_firm", type_=Integer)
    keys = [bindparam(name, type_=Integer) for name in _key_names(count)]
    talent_id = col(TalentFirm.talent_id)
    statement = (
        sa_select(*columns)
        .select_from(TalentFirm)
        .join(Talent, col(Talent.id) == TalentFirm.talent_id)
        # The registration's primary key (talent_id, firm_id): one index probe per key.
        .where(talent_id == keys[0] if count == 1 else talent_id.in_(keys))
        .where(col(TalentFirm.firm_id) == firm)
    )
    return compile_read(statement, dialect)


async def registered_rows(
    bind: Engine | Connection, keys: Sequence[int], view: View, columns: tuple[Any, ...]
) -> dict[int, dict[str, Any]]:
    """``visible_rows`` for a firm's view of people: ``columns`` (of the person and of the
    firm's registration; ``id`` among them) for the keys the firm registered; others are absent."""
    if view.reach is Reach.held_back:
        return {}  # a firm not approved reads no one
    if view.reach is not Reach.firm:
        raise ValueError("only a firm's view reads people through its registrations")
    keys = sorted(set(keys))
    read = _compiled_registrations(columns, len(keys), bind.dialect)
    return {row["id"]: row for row in await run_read(bind, read, _params(view, keys))}
