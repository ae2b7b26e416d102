"""The columns of ``population_source`` laid out as of a date: ``records.inputs_on`` with
numpy, for a whole population at once (the same ``FactInputs``; see
tests/eligibility/test_population_source.py).

- a spell is cut into pieces at its center's status changes (``records._pieces``): a piece
  starts at the hire and on every day a status takes effect during the spell, and carries the
  status in force on its first day (of several events on one day, the last recorded);
- the tier a firm holds on the date is ``tiers.tier_held_on``, once per firm;
- the declaration holding on the date is ``declarations.selection.holding_rows``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from talent_service.declarations.selection import EVERY_STATE, holding_rows
from talent_service.eligibility.engine.fact_builder import (
    EDUCATIONS,
    NO_DATE,
    TIERS,
    TITLES,
    FactInputs,
    day_number,
)
from talent_service.eligibility.engine.population_columns import FACTS, STATES, Columns, IntArray
from talent_service.eligibility.engine.tiers import tier_held_on
from talent_service.reference.enums import DeclaredFact, Verification

_EDU = {e: i for i, e in enumerate(EDUCATIONS)}
_TITLE = {t: i for i, t in enumerate(TITLES)}
_TIER = {t: i for i, t in enumerate(TIERS)}


@dataclass(frozen=True, eq=False)
class _Timeline:
    """Per center, the days a status takes effect and the status from then (the last event of
    the day), as sorted keys ``center * width + day`` for ``searchsorted``."""

    keys: IntArray
    day: IntArray
    status: IntArray
    centers: IntArray  # the centers with events, ascending
    low: int
    width: int

    def key(self, center: IntArray, day: IntArray) -> IntArray:
        """Keys of (center, day), ``center`` an index into ``centers``; days clamped so that a
        day before every event still sorts before the center's first key."""
        high = self.low + self.width - 1
        return center * self.width + (np.clip(day, self.low - 1, high) - self.low + 1)


def _timeline(cols: Columns, as_of: int) -> _Timeline:
    ec, ed, es = cols.event_center, cols.event_day, cols.event_status
    last_of_day = np.ones(ec.size, np.bool_)
    last_of_day[:-1] = (ec[1:] != ec[:-1]) | (ed[1:] != ed[:-1])
    ec, ed, es = ec[last_of_day], ed[last_of_day], es[last_of_day]
    centers = np.unique(ec)
    low = int(min(ed.min(initial=as_of), cols.hired.min(initial=as_of), as_of))
    high = int(max(ed.max(initial=as_of), as_of)) + 1
    width = high - low + 2
    dense = np.searchsorted(centers, ec)
    return _Timeline(dense * width + (ed - low + 1), ed, es, centers, low, width)


def _in_force(line: _Timeline, center: IntArray, day: IntArray) -> tuple[IntArray, IntArray]:
    """Per row, the number of the center's status days on or before ``day`` counted from the
    start of all keys (the ``searchsorted`` position) and the status in force (-1: none)."""
    at = np.searchsorted(line.keys, line.key(center, day), side="right")
    prev = np.maximum(at - 1, 0)
    own = (at > 0) & (line.keys[prev] // line.width == center) if line.keys.size else at > 0
    status = np.where(own, line.status[prev] if line.keys.size else -1, -1)
    return at, status.astype(np.int64)


def _pieces(cols: Columns, line: _Timeline, as_of: int) -> tuple[IntArray, ...]:
    """Per piece: its spell (index), first day, last day, status while worked; and per spell the
    status on ``as_of`` (``records._pieces`` and ``timeline.in_force``, for every spell at
    once)."""
    m = cols.spell_id.size
    dense = np.searchsorted(line.centers, cols.center_id)
    dense = np.minimum(dense, max(line.centers.size - 1, 0))
    timed = (cols.center_id >= 0) & (line.centers.size > 0)
    if line.centers.size:
        timed &= line.centers[dense] == cols.center_id
    start_at, start_status = _in_force(line, dense, cols.hired)
    end_at, _ = _in_force(line, dense, cols.departed)
    _, now = _in_force(line, dense, np.full(m, as_of))
    cuts = np.where(timed, np.maximum(end_at - start_at, 0), 0)
    per = cuts + 1
    spell = np.repeat(np.arange(m), per)
    j = np.arange(spell.size) - np.repeat(np.cumsum(per) - per, per)
    top = max(line.day.size - 1, 0)
    began = np.minimum(start_at[spell] + j - 1, top)  # the status day a later piece starts on
    ends = np.minimum(start_at[spell] + j, top)  # the next status day, if the piece is cut
    day, status = (line.day, line.status) if line.day.size else (np.zeros(1, np.int64),) * 2
    first = np.where(j == 0, cols.hired[spell], day[began])
    last = np.where(j < cuts[spell], day[ends] - 1, cols.departed[spell])
    piece_status = np.where(j == 0, np.where(timed, start_status, -1)[spell], status[began])
    return spell, first, last, piece_status, np.where(timed, now, -1)


def _firm_tiers(cols: Columns, as_of: date) -> tuple[IntArray, IntArray]:
    """Per spell, its firm's tier code on ``as_of`` and that tier's last valid day."""
    firms, inverse = np.unique(cols.firm_id, return_inverse=True)
    codes = np.full(firms.size, _TIER["none"], np.int64)
    expires = np.full(firms.size, NO_DATE, np.int64)
    for i, firm in enumerate(firms.tolist()):
        held = tier_held_on(cols.tiers.get(firm, []), as_of)
        if held is not None:
            codes[i], expires[i] = _TIER[held.tier], day_number(held.valid_to)
    return codes[inverse], expires[inverse]


def _known_on(cols: Columns, d: int) -> Columns:
    """Only what holds on day ``d``: status events effective after it are left out and a
    departure after it is not yet one (as ``records.inputs_on`` reads them)."""
    in_force = cols.event_day <= d
    departed = np.where((cols.departed != NO_DATE) & (cols.departed > d), NO_DATE, cols.departed)
    return replace(
        cols,
        departed=departed,
        event_center=cols.event_center[in_force],
        event_day=cols.event_day[in_force],
        event_status=cols.event_status[in_force],
    )


def columns_on(
    cols: Columns, as_of: date, accept: dict[DeclaredFact, frozenset[Verification]] | None = None
) -> FactInputs:
    """``records.inputs_on`` for columns: the same ``FactInputs``."""
    d = day_number(as_of)
    cols = _known_on(cols, d)
    accepts = np.array(
        [[s in (accept or {}).get(f, EVERY_STATE) for s in STATES] for f in FACTS], np.bool_
    )
    group = cols.claim_group
    accepted = accepts[group % len(FACTS), cols.claim_state] if group.size else group > 0
    won = holding_rows(group, cols.claim_id, cols.claim_corrects, cols.claim_effective, accepted, d)
    who, fact = group[won] // len(FACTS), group[won] % len(FACTS)

    def coded(k: int, table: dict[str, int]) -> IntArray:
        out = np.full(cols.n, -1, np.int64)
        rows = fact == k
        out[who[rows]] = [-1 if v is None else table[v] for v in cols.claim_value[won[rows]]]
        return out

    hukou = fact == FACTS.index(DeclaredFact.hukou_city)
    hukou_city = np.full(cols.n, None, dtype=object)
    hukou_city[who[hukou]] = cols.claim_value[won[hukou]]
    hukou_known = np.zeros(cols.n, np.bool_)
    hukou_known[who[hukou]] = True

    spell, first, last, status, now = _pieces(cols, _timeline(cols, d), d)
    tier, expires = _firm_tiers(cols, as_of)
    return FactInputs(
        talent_ids=cols.talent_ids,
        birth_day=cols.birth_day,
        education=coded(FACTS.index(DeclaredFact.education), _EDU),
        title=coded(FACTS.index(DeclaredFact.professional_title), _TITLE),
        hukou_city=hukou_city.tolist(),
        hukou_known=hukou_known,
        is_foreign=cols.is_foreign,
        talent_index=cols.spell_talent[spell],
        spell_id=cols.spell_id[spell],
        hired=first,
        departed=last,
        firm_id=cols.firm_id[spell],
        firm_home=cols.firm_home[spell],
        firm_tier=tier[spell],
        tier_expires=expires[spell],
        center_id=cols.center_id[spell],
        center_host=cols.center_host[spell],
        center_status=status,
        center_status_now=now[spell],
        si_city=cols.si_city[spell],
        key_post=cols.key_post[spell],
        recruited=cols.recruited[spell],
    )
