"""Facts of many talents at once, from their spells, for one policy city, side and date.

Pure numpy (no database): ``FactInputs`` holds one array per talent attribute and per spell
attribute; ``build_table`` turns it into the evaluator's columns. The single-person check uses the
same function on a population of one, so both paths share one definition of every fact:

- the *relevant* spells for a host-side policy of city C are those at centers hosted in C; for a
  home-side policy, those at firms based in C; only spells hired on or before the as-of date count;
- a spell is *open* on D when hired ≤ D and it has no departure or departed on/after D;
- the *current* spell is the relevant spell open on D hired last, else the relevant spell that
  ended last; firm, center, key-post and recruitment facts are read from it (missing without one);
- months are whole months (``facts.whole_months_between``) from hire to departure or D, summed
  per spell; ``months_at_accredited_center`` counts relevant spells at centers accredited today
  (the accreditation history is not kept);
- social-insurance months count the talent's spells whose social-insurance city is the host city
  (C on the host side, the current center's city on the home side) or the home city (C on the home
  side, the current firm's home city on the host side); a city that cannot be named leaves its
  fact missing; ``si_months_either`` adds the sides that are known (missing when neither is).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from talent_service.eligibility.facts import EDUCATION_RANK, FIRM_TIER_RANK, TITLE_RANK
from talent_service.eligibility.forecast import GrowingFact
from talent_service.eligibility.population import Column, PopulationTable

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
NO_DATE = np.iinfo(np.int64).max  # an open spell's departure, a missing date
EPOCH = date(1970, 1, 1)

EDUCATIONS = tuple(EDUCATION_RANK)
TITLES = tuple(TITLE_RANK)
TIERS = tuple(FIRM_TIER_RANK)
CENTER_STATUSES = ("pending", "accredited", "rejected", "suspended", "closed")


def day_number(d: date) -> int:
    return (d - EPOCH).days


@dataclass(frozen=True, eq=False)
class FactInputs:
    """Talent rows (length n) and spell rows (length m, ``talent_index`` into the talents)."""

    talent_ids: IntArray
    birth_day: IntArray  # day number; NO_DATE when unknown
    education: IntArray  # index into EDUCATIONS
    title: IntArray  # index into TITLES
    hukou_city: Sequence[str | None]
    is_foreign: BoolArray
    talent_index: IntArray
    hired: IntArray
    departed: IntArray  # NO_DATE while open
    firm_id: IntArray
    firm_home: npt.NDArray[np.str_]
    firm_tier: IntArray  # index into TIERS (which has 'none' for a firm known to hold no tier)
    tier_expires: IntArray  # NO_DATE without a tier
    center_id: IntArray  # -1 at the home site
    center_host: npt.NDArray[np.str_]  # "" at the home site
    center_status: IntArray  # index into CENTER_STATUSES; -1 at the home site
    si_city: npt.NDArray[np.str_]
    key_post: BoolArray
    recruited: BoolArray

    @property
    def n(self) -> int:
        return len(self.talent_ids)


def _ymd(days: IntArray) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Year, month, day and the month's length for day numbers."""
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype(np.int64) // 12 + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    length = ((months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")).astype(
        np.int64
    )
    return year, month, day, length


def whole_months(start: IntArray, end: IntArray) -> IntArray:
    """``facts.whole_months_between`` for arrays of day numbers (0 when end <= start)."""
    if start.size == 0:
        return np.zeros(0, np.int64)
    sy, sm, sd, _ = _ymd(start)
    ey, em, ed, elen = _ymd(end)
    raw = (ey - sy) * 12 + (em - sm)
    # Adding `raw` months to the start lands in the end's month, on the start's day clamped to
    # that month's length; if that is after the end, the last month is not complete yet.
    landed = np.minimum(sd, elen)
    months = raw - (landed > ed)
    return np.where(end <= start, 0, months).astype(np.int64)


def ages(birth: IntArray, as_of: date) -> tuple[npt.NDArray[np.float64], BoolArray]:
    """Whole years on ``as_of`` (``facts.age_on``): a year is whole months // 12."""
    missing = birth == NO_DATE
    safe = np.where(missing, 0, birth)
    years = whole_months(safe, np.full_like(safe, day_number(as_of))) // 12
    return years.astype(np.float64), missing


@dataclass(frozen=True, eq=False)
class BuiltFacts:
    table: PopulationTable
    current: IntArray  # per talent: index of the current spell, -1 without one
    open_now: BoolArray  # per spell: open on the as-of date
    relevant: BoolArray  # per spell
    spell_months: IntArray  # per spell: whole months up to the as-of date
    host_city: list[str | None]  # per talent, as used for si_months_host
    home_city: list[str | None]


def _per_talent_sum(inputs: FactInputs, mask: BoolArray, months: IntArray) -> IntArray:
    sums = np.bincount(inputs.talent_index, weights=np.where(mask, months, 0), minlength=inputs.n)
    return sums.astype(np.int64)


def _current_spell(
    inputs: FactInputs, relevant: BoolArray, open_now: BoolArray, end: IntArray
) -> IntArray:
    """Per talent, the relevant spell open now hired last, else the one that ended last."""
    current = np.full(inputs.n, -1, np.int64)
    idx = np.flatnonzero(relevant)
    if idx.size == 0:
        return current
    # Sort so that, per talent, the preferred spell comes last: open first by flag, then by
    # end (for closed) and hire date; the last row of each talent's run wins.
    order = np.lexsort((idx, inputs.hired[idx], end[idx], open_now[idx], inputs.talent_index[idx]))
    ordered = idx[order]
    talents = inputs.talent_index[ordered]
    last_of_run = np.r_[talents[1:] != talents[:-1], True]
    current[talents[last_of_run]] = ordered[last_of_run]
    return current


def build(inputs: FactInputs, city: str, side: str, as_of: date) -> BuiltFacts:
    d = day_number(as_of)
    n = inputs.n
    started = inputs.hired <= d
    end = np.minimum(inputs.departed, d)
    open_now = started & (inputs.departed >= d)
    spell_months = np.where(started, whole_months(inputs.hired, end), 0)
    relevant = started & (
        inputs.center_host == city if side == "host" else inputs.firm_home == city
    )
    current = _current_spell(inputs, relevant, open_now, end)
    has_current = current >= 0
    cur = np.where(has_current, current, 0)

    accredited = inputs.center_status == CENTER_STATUSES.index("accredited")
    months_accredited = _per_talent_sum(inputs, relevant & accredited, spell_months)
    current_firm = np.where(has_current, inputs.firm_id[cur] if inputs.firm_id.size else 0, -1)
    at_current_firm = started & (inputs.firm_id == current_firm[inputs.talent_index])
    months_at_firm = _per_talent_sum(inputs, at_current_firm, spell_months)

    host_city: list[str | None] = [None] * n
    home_city: list[str | None] = [None] * n
    for t in range(n):  # two strings per talent; cheap next to the array work
        if side == "host":
            host_city[t] = city
            home_city[t] = str(inputs.firm_home[current[t]]) if current[t] >= 0 else None
        else:
            home_city[t] = city
            host = str(inputs.center_host[current[t]]) if current[t] >= 0 else ""
            host_city[t] = host or None
    host_arr = np.array(
        [h or "" for h in host_city], dtype=inputs.si_city.dtype if inputs.si_city.size else "<U6"
    )
    home_arr = np.array([h or "" for h in home_city], dtype=host_arr.dtype)
    spell_host = host_arr[inputs.talent_index] if inputs.talent_index.size else host_arr[:0]
    spell_home = home_arr[inputs.talent_index] if inputs.talent_index.size else home_arr[:0]
    si_host = _per_talent_sum(
        inputs, started & (inputs.si_city == spell_host) & (spell_host != ""), spell_months
    )
    si_home = _per_talent_sum(
        inputs, started & (inputs.si_city == spell_home) & (spell_home != ""), spell_months
    )
    host_missing = host_arr == ""
    home_missing = home_arr == ""

    age, age_missing = ages(inputs.birth_day, as_of)
    tier = np.where(has_current, inputs.firm_tier[cur] if inputs.firm_tier.size else -1, -1)
    expires = np.where(
        has_current, inputs.tier_expires[cur] if inputs.tier_expires.size else NO_DATE, NO_DATE
    )
    status = np.where(
        has_current, inputs.center_status[cur] if inputs.center_status.size else -1, -1
    )
    hukou_codes = sorted({c for c in inputs.hukou_city if c})
    hukou = Column.categorical(list(inputs.hukou_city), hukou_codes)
    no_current = ~has_current

    def cur_flag(values: BoolArray) -> Column:
        picked = values[cur] if values.size else np.zeros(n, np.bool_)
        return Column.boolean(np.where(has_current, picked, False), no_current.copy())

    columns = {
        "age_years": Column.number(age, age_missing),
        "education": Column(inputs.education.astype(np.int32), np.zeros(n, np.bool_), EDUCATIONS),
        "education_rank": Column.number(
            np.array([EDUCATION_RANK[e] for e in EDUCATIONS], np.float64)[inputs.education],
            np.zeros(n, np.bool_),
        ),
        "title_level": Column(inputs.title.astype(np.int32), np.zeros(n, np.bool_), TITLES),
        "title_rank": Column.number(
            np.array([TITLE_RANK[t] for t in TITLES], np.float64)[inputs.title],
            np.zeros(n, np.bool_),
        ),
        "months_at_accredited_center": Column.number(
            months_accredited.astype(np.float64), np.zeros(n, np.bool_)
        ),
        "months_employed_at_firm": Column.number(
            np.where(has_current, months_at_firm, 0).astype(np.float64), no_current.copy()
        ),
        "si_months_host": Column.number(
            np.where(host_missing, 0, si_host).astype(np.float64), host_missing
        ),
        "si_months_home": Column.number(
            np.where(home_missing, 0, si_home).astype(np.float64), home_missing
        ),
        "si_months_either": Column.number(
            (np.where(host_missing, 0, si_host) + np.where(home_missing, 0, si_home)).astype(
                np.float64
            ),
            host_missing & home_missing,
        ),
        "firm_tier": Column(tier.astype(np.int32), tier < 0, TIERS),
        "firm_tier_rank": Column.number(
            np.where(
                tier >= 0,
                np.array([FIRM_TIER_RANK[t] for t in TIERS], np.float64)[np.maximum(tier, 0)],
                0.0,
            ),
            tier < 0,
        ),
        "firm_tier_valid": Column.boolean(
            (tier >= 0) & (tier != TIERS.index("none")) & (expires >= day_number(as_of)),
            no_current.copy(),
        ),
        "center_status": Column(status.astype(np.int32), status < 0, CENTER_STATUSES),
        "center_accredited": Column.boolean(
            status == CENTER_STATUSES.index("accredited"), status < 0
        ),
        "key_post": cur_flag(inputs.key_post),
        "recruited_via_program": cur_flag(inputs.recruited),
        "currently_employed": Column.boolean(
            np.bincount(inputs.talent_index, weights=(relevant & open_now), minlength=n) > 0,
            np.zeros(n, np.bool_),
        ),
        "hukou_city": hukou,
        "hukou_in_city": Column.boolean(
            np.array([c == city for c in inputs.hukou_city], np.bool_), hukou.missing.copy()
        ),
        "is_foreign": Column.boolean(inputs.is_foreign, np.zeros(n, np.bool_)),
    }
    table = PopulationTable(n, columns, list(inputs.talent_ids.tolist()))
    return BuiltFacts(table, current, open_now, relevant, spell_months, host_city, home_city)


def row_facts(built: BuiltFacts, row: int) -> dict[str, Any]:
    """One talent's facts as a plain mapping (missing as None), for explanations and storage."""
    out: dict[str, Any] = {}
    for name, column in built.table.columns.items():
        if column.missing[row]:
            out[name] = None
        elif column.categories:
            out[name] = column.categories[int(column.values[row])]
        elif column.values.dtype == np.bool_:
            out[name] = bool(column.values[row])
        else:
            value = float(column.values[row])
            out[name] = int(value) if value.is_integer() else value
    return out


def growing_facts(inputs: FactInputs, built: BuiltFacts, row: int) -> dict[str, GrowingFact]:
    """The month-counting facts that keep growing for this talent if nothing else changes:
    those fed by a current spell that is open with no departure recorded."""
    c = int(built.current[row])
    if c < 0 or inputs.departed[c] != NO_DATE:
        return {}
    anchor = EPOCH.fromordinal(EPOCH.toordinal() + int(inputs.hired[c]))
    own = int(built.spell_months[c])
    facts = row_facts(built, row)
    growing: dict[str, GrowingFact] = {}

    def grow(name: str) -> None:
        value = facts.get(name)
        if value is not None:
            growing[name] = GrowingFact(anchor, int(value) - own)

    if inputs.center_status[c] == CENTER_STATUSES.index("accredited"):
        grow("months_at_accredited_center")
    grow("months_employed_at_firm")
    si = str(inputs.si_city[c])
    if si == built.host_city[row]:
        grow("si_months_host")
    if si == built.home_city[row]:
        grow("si_months_home")
    if si in (built.host_city[row], built.home_city[row]):
        grow("si_months_either")
    return growing
