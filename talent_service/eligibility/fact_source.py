"""Read what the facts are made of: talent rows and all their spells, in two queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Select, select
from sqlmodel import Session, col

from talent_service.eligibility.fact_builder import (
    CENTER_STATUSES,
    EDUCATIONS,
    NO_DATE,
    TIERS,
    TITLES,
    FactInputs,
    day_number,
)
from talent_service.models import Center, Employment, Firm, Talent
from talent_service.reference.identifiers import IdKind


def _day(value: date | None) -> int:
    return NO_DATE if value is None else day_number(value)


def load_inputs(session: Session, talents: Select[Any] | Sequence[int]) -> FactInputs:
    """Facts inputs for the given talent ids, or for the talent ids a subquery selects.

    All of a person's spells are read, whichever firm recorded them: eligibility is about the
    person, and only aggregated facts (months, flags) leave this module.
    """
    ids: ColumnElement[bool] = col(Talent.id).in_(talents)
    talent_rows = session.exec(
        select(  # type: ignore[call-overload]
            Talent.id,
            Talent.birth_date,
            Talent.education,
            Talent.title_level,
            Talent.hukou_city_code,
            Talent.id_kind,
        )
        .where(ids)
        .order_by(col(Talent.id))
    ).all()
    index = {row[0]: i for i, row in enumerate(talent_rows)}
    spell_rows = session.exec(
        select(  # type: ignore[call-overload]
            Employment.talent_id,
            Employment.hired_on,
            Employment.departed_on,
            Employment.firm_id,
            Firm.home_city_code,
            Firm.tier,
            Firm.tier_expires_on,
            Employment.center_id,
            Center.host_city_code,
            Center.status,
            Employment.si_city_code,
            Employment.key_post,
            Employment.recruited_via_program,
        )
        .join(Firm, col(Firm.id) == Employment.firm_id)
        .outerjoin(Center, col(Center.id) == Employment.center_id)
        .where(col(Employment.talent_id).in_(talents))
        .order_by(col(Employment.id))
    ).all()
    education = {e: i for i, e in enumerate(EDUCATIONS)}
    title = {t: i for i, t in enumerate(TITLES)}
    tier = {t: i for i, t in enumerate(TIERS)}
    status = {s: i for i, s in enumerate(CENTER_STATUSES)}
    return FactInputs(
        talent_ids=np.array([r[0] for r in talent_rows], np.int64),
        birth_day=np.array([_day(r[1]) for r in talent_rows], np.int64),
        education=np.array([education[str(r[2])] for r in talent_rows], np.int64),
        title=np.array([title[str(r[3])] for r in talent_rows], np.int64),
        hukou_city=[r[4] for r in talent_rows],
        is_foreign=np.array([r[5] != IdKind.resident_id for r in talent_rows], np.bool_),
        talent_index=np.array([index[r[0]] for r in spell_rows], np.int64),
        hired=np.array([day_number(r[1]) for r in spell_rows], np.int64),
        departed=np.array([_day(r[2]) for r in spell_rows], np.int64),
        firm_id=np.array([r[3] for r in spell_rows], np.int64),
        firm_home=np.array([r[4] for r in spell_rows], dtype="<U6"),
        firm_tier=np.array([tier[str(r[5] or "none")] for r in spell_rows], np.int64),
        tier_expires=np.array([_day(r[6]) for r in spell_rows], np.int64),
        center_id=np.array([-1 if r[7] is None else r[7] for r in spell_rows], np.int64),
        center_host=np.array([r[8] or "" for r in spell_rows], dtype="<U6"),
        center_status=np.array(
            [-1 if r[9] is None else status[str(r[9])] for r in spell_rows], np.int64
        ),
        si_city=np.array([r[10] for r in spell_rows], dtype="<U6"),
        key_post=np.array([bool(r[11]) for r in spell_rows], np.bool_),
        recruited=np.array([bool(r[12]) for r in spell_rows], np.bool_),
    )


def related_talents(city: str, side: str) -> Select[Any]:
    """Talent ids with a spell that a policy of ``city`` on ``side`` is about."""
    query = select(col(Employment.talent_id)).distinct()
    if side == "host":
        return query.join(Center, col(Center.id) == Employment.center_id).where(
            col(Center.host_city_code) == city
        )
    return query.join(Firm, col(Firm.id) == Employment.firm_id).where(
        col(Firm.home_city_code) == city
    )
