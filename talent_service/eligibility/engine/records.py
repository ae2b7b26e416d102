"""The records the facts of some people rest on, and how they are laid out as of a date (pure).

``decisions.fact_source.load_records`` reads them from the database; ``inputs_on`` lays them out
for one as-of date and one policy's accepted sources, as the arrays ``fact_builder.build`` reads:

- a spell at a center is cut into *pieces* at the center's status events, each piece carrying
  the status it was worked under (before the center's first event: no status), so that months
  count only while the center was accredited;
- the firm's tier is the approved period in force on the date (``tiers.tier_held_on``);
- education, title and hukou are the declarations holding on the date among the sources the
  policy accepts (``declarations.selection.holding_on``).

All of a person's records are read, whichever firm recorded them: eligibility is about the
person. What leaves towards a caller is decided in ``decisions.disclosure``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import numpy as np

from talent_service.centers.timeline import in_force
from talent_service.declarations.selection import EVERY_STATE, Claim, holding_on
from talent_service.eligibility.engine.fact_builder import (
    CENTER_STATUSES,
    EDUCATIONS,
    NO_DATE,
    TIERS,
    TITLES,
    FactInputs,
    day_number,
)
from talent_service.eligibility.engine.tiers import TierRecord, tier_held_on
from talent_service.reference.enums import CenterStatus, DeclaredFact, Verification


def _day(value: date | None) -> int:
    return NO_DATE if value is None else day_number(value)


@dataclass(frozen=True, slots=True)
class SpellRecord:
    id: int
    talent_index: int
    hired_on: date
    departed_on: date | None
    firm_id: int
    firm_home: str
    center_id: int | None
    center_host: str
    si_city: str
    key_post: bool
    recruited: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StatusRecord:
    id: int
    center_id: int
    status: CenterStatus
    effective_on: date
    authority: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class Records:
    """Everything the facts of some people rest on, independent of the as-of date."""

    talent_ids: list[int]
    birth_dates: list[date | None]
    is_foreign: list[bool]
    spells: list[SpellRecord]
    statuses: dict[int, list[StatusRecord]]  # center id -> events by effective date, then id
    tiers: dict[int, list[TierRecord]]  # firm id -> approved periods
    claims: dict[tuple[int, DeclaredFact], list[Claim]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.talent_ids)


# --- laying the records out as of a date -------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """Per person, the declaration holding on the date for each declared fact (None: none)."""

    education: list[Claim | None]
    title: list[Claim | None]
    hukou: list[Claim | None]


def held_on(
    records: Records, as_of: date, accept: dict[DeclaredFact, frozenset[Verification]]
) -> Held:
    def pick(fact: DeclaredFact) -> list[Claim | None]:
        states = accept.get(fact, EVERY_STATE)
        return [
            holding_on(records.claims.get((i, fact), ()), as_of, states) for i in range(records.n)
        ]

    return Held(
        pick(DeclaredFact.education),
        pick(DeclaredFact.professional_title),
        pick(DeclaredFact.hukou_city),
    )


def _pieces(spell: SpellRecord, events: list[StatusRecord]) -> list[tuple[int, int, int]]:
    """(first day, last day or NO_DATE, status index or -1) of the spell cut at the events."""
    start, end = day_number(spell.hired_on), _day(spell.departed_on)
    bounds = [(day_number(e.effective_on), CENTER_STATUSES.index(e.status.value)) for e in events]
    out = []
    status, piece_start = -1, start
    for effective, next_status in bounds:
        if effective <= piece_start:
            status = next_status
            continue
        if effective > end:
            break
        out.append((piece_start, effective - 1, status))
        piece_start, status = effective, next_status
    out.append((piece_start, end, status))
    return out


_EDU = {e: i for i, e in enumerate(EDUCATIONS)}
_TITLE = {t: i for i, t in enumerate(TITLES)}
_TIER = {t: i for i, t in enumerate(TIERS)}


def inputs_on(
    records: Records,
    as_of: date,
    accept: dict[DeclaredFact, frozenset[Verification]] | None = None,
    held: Held | None = None,
) -> FactInputs:
    held = held or held_on(records, as_of, accept or {})
    rows: list[tuple[Any, ...]] = []
    for s in records.spells:
        # As of D only what holds on D is read: a status change or departure effective after D
        # (recorded later, or already known) must not move the decision about D, its forecast
        # ("if nothing else changes") included.
        events = [
            e
            for e in (records.statuses.get(s.center_id, []) if s.center_id is not None else [])
            if e.effective_on <= as_of
        ]
        if s.departed_on is not None and s.departed_on > as_of:
            s = replace(s, departed_on=None)
        now = in_force(events, as_of) if s.center_id is not None else None
        status_now = -1 if now is None else CENTER_STATUSES.index(now.status.value)
        tier = tier_held_on(records.tiers.get(s.firm_id, []), as_of)
        tier_code = _TIER["none"] if tier is None else _TIER[tier.tier]
        expires = NO_DATE if tier is None else day_number(tier.valid_to)
        pieces = (
            _pieces(s, events)
            if s.center_id is not None
            else [(day_number(s.hired_on), _day(s.departed_on), -1)]
        )
        for first, last, status in pieces:
            rows.append((s, first, last, status, status_now, tier_code, expires))

    def code(claims: list[Claim | None], table: dict[str, int]) -> np.ndarray:
        return np.array(
            [-1 if c is None or c.value is None else table[c.value] for c in claims], np.int64
        )

    return FactInputs(
        talent_ids=np.array(records.talent_ids, np.int64),
        birth_day=np.array([_day(b) for b in records.birth_dates], np.int64),
        education=code(held.education, _EDU),
        title=code(held.title, _TITLE),
        hukou_city=[None if c is None else c.value for c in held.hukou],
        hukou_known=np.array([c is not None for c in held.hukou], np.bool_),
        is_foreign=np.array(records.is_foreign, np.bool_),
        talent_index=np.array([r[0].talent_index for r in rows], np.int64),
        spell_id=np.array([r[0].id for r in rows], np.int64),
        hired=np.array([r[1] for r in rows], np.int64),
        departed=np.array([r[2] for r in rows], np.int64),
        firm_id=np.array([r[0].firm_id for r in rows], np.int64),
        firm_home=np.array([r[0].firm_home for r in rows], dtype="<U6"),
        firm_tier=np.array([r[5] for r in rows], np.int64),
        tier_expires=np.array([r[6] for r in rows], np.int64),
        center_id=np.array([-1 if r[0].center_id is None else r[0].center_id for r in rows]),
        center_host=np.array([r[0].center_host for r in rows], dtype="<U6"),
        center_status=np.array([r[3] for r in rows], np.int64),
        center_status_now=np.array([r[4] for r in rows], np.int64),
        si_city=np.array([r[0].si_city for r in rows], dtype="<U6"),
        key_post=np.array([r[0].key_post for r in rows], np.bool_),
        recruited=np.array([r[0].recruited for r in rows], np.bool_),
    )
