"""Facts of many talents at once, from their spells, for one policy city, side and date.

Pure numpy (no database): ``FactInputs`` holds one array per talent attribute and per spell *piece*
(``records.inputs_on`` cuts a spell at its center's status changes and lays out the records as of
the date); ``build`` turns it into the evaluator's columns. The single-person check uses the same
function on a population of one, so both paths share one definition of every fact:

- days: ``hired`` is the first day worked and ``departed`` the last (both included; see
  ``employments.schemas.DEPARTED_ON``); as of D, a spell has worked the days from its hire
  through D or its departure, whichever is first;
- the *relevant* spells for a host-side policy of city C are those at centers hosted in C; for a
  home-side policy, those at firms based in C; only spells hired on or before the as-of date count;
- a spell is *open* on D when hired ≤ D ≤ departed (or no departure);
- the *current* spell is the relevant spell open on D hired last, else the relevant spell that
  ended last; firm, center, key-post and recruitment facts are read from it (missing without one);
  its center's status and its firm's tier are those in force on D;
- a month-counting fact has a set of pieces that feed it; a month covered by several of them
  counts once: per talent, the feeding pieces' days are merged into continuous stretches (pieces
  that overlap, or where one begins the day after another ends), and each stretch counts whole
  months (``facts.whole_months_between``) from its first day to the day after its last;
- ``months_at_accredited_center`` is fed by relevant pieces worked while their center was
  accredited, ``months_employed_at_firm`` by the talent's pieces at the current spell's firm;
- social-insurance months are fed by the talent's pieces whose social-insurance city is the host
  city (C on the host side, the current center's city on the home side) or the home city (C on the
  home side, the current firm's home city on the host side); a city that cannot be named leaves
  its fact missing; ``si_months_either`` is fed by the pieces of the sides that are known (missing
  when neither is), so a month paid on both sides counts once;
- on the host side, a piece worked at a center that was not accredited at the time feeds no
  month count (the host city's program counts only its accredited centers; home-site work does);
- education, title and hukou come from the declarations holding on D (missing when none does);
  a hukou declared outside Guangdong leaves ``hukou_city`` missing and ``hukou_in_city`` false.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from talent_service.eligibility.engine.forecast import GrowingFact
from talent_service.eligibility.engine.population import Column, PopulationTable
from talent_service.eligibility.engine.scales import (
    CENTER_STATUSES,
    EDUCATION_LEVELS,
    EDUCATION_RANK,
    FIRM_TIER_RANK,
    FIRM_TIERS,
    TITLE_LEVELS,
    TITLE_RANK,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
NO_DATE = np.iinfo(np.int64).max  # an open spell's departure, a missing date
EPOCH = date(1970, 1, 1)

# Codes are indexes into these and into CENTER_STATUSES: the fact registry's lists, which are
# the stored enums' members.
EDUCATIONS = EDUCATION_LEVELS
TITLES = TITLE_LEVELS
TIERS = FIRM_TIERS


def day_number(d: date) -> int:
    return (d - EPOCH).days


@dataclass(frozen=True, eq=False)
class FactInputs:
    """Talent rows (length n) and spell rows (length m, ``talent_index`` into the talents)."""

    talent_ids: IntArray
    birth_day: IntArray  # day number; NO_DATE when unknown
    education: IntArray  # index into EDUCATIONS; -1 when no declaration holds
    title: IntArray  # index into TITLES; -1 when no declaration holds
    hukou_city: Sequence[str | None]  # None: outside Guangdong, or unknown (see hukou_known)
    is_foreign: BoolArray
    talent_index: IntArray
    hired: IntArray  # the piece's first day
    departed: IntArray  # the piece's last day; NO_DATE while open
    firm_id: IntArray
    firm_home: npt.NDArray[np.str_]
    firm_tier: IntArray  # index into TIERS on the as-of date ('none': no valid certificate)
    tier_expires: IntArray  # NO_DATE without a tier
    center_id: IntArray  # -1 at the home site
    center_host: npt.NDArray[np.str_]  # "" at the home site
    center_status: IntArray  # index into CENTER_STATUSES while the piece was worked; -1: none
    si_city: npt.NDArray[np.str_]
    key_post: BoolArray
    recruited: BoolArray
    hukou_known: BoolArray | None = None  # per talent: a hukou declaration holds (None: all)
    spell_id: IntArray | None = None  # per piece: the spell it is cut from (evidence)
    center_status_now: IntArray | None = None  # per piece: its center's status on the as-of date

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
    as_of: date
    current: IntArray  # per talent: index of the current spell, -1 without one
    open_now: BoolArray  # per spell: open on the as-of date
    relevant: BoolArray  # per spell
    end: IntArray  # per spell: departure, capped at the as-of date
    by_hire: IntArray  # spell indices sorted by talent, then hire date
    feeds: dict[str, BoolArray]  # month-counting fact -> per spell: counted in it


def stretches(
    talent: IntArray, start: IntArray, end: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Intervals [start, end) merged where they overlap or touch, per talent.

    Rows must be sorted by talent, then start. Returns each stretch's talent, start and end, and
    per row the index of its stretch. Touching intervals (end == next start: one begins the day
    after the other's last day) are one continuous stretch.
    """
    if talent.size == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty
    # Running maximum of the end within each talent's run: shifting each talent into its own
    # band of values lets one cumulative maximum serve the whole population.
    low = int(end.min())
    band = int(end.max()) - low + 1
    shift = talent * band - low
    reach = np.maximum.accumulate(end + shift) - shift
    new = np.ones(talent.size, np.bool_)
    new[1:] = (talent[1:] != talent[:-1]) | (start[1:] > reach[:-1])
    first = np.flatnonzero(new)
    return talent[first], start[first], np.maximum.reduceat(end, first), np.cumsum(new) - 1


def _union_months(
    inputs: FactInputs, by_hire: IntArray, feed: BoolArray, end: IntArray
) -> IntArray:
    """Per talent, the whole months of its feeding spells merged into stretches."""
    rows = by_hire[feed[by_hire]]  # stays sorted by talent, then hire
    talent, start, stop, _ = stretches(inputs.talent_index[rows], inputs.hired[rows], end[rows])
    months = np.bincount(talent, weights=whole_months(start, stop), minlength=inputs.n)
    return months.astype(np.int64)


def _at_current(values: npt.NDArray[Any], current: IntArray, default: Any) -> npt.NDArray[Any]:
    """Per talent, ``values`` of its current spell; ``default`` without one."""
    if values.size == 0:
        return np.full(current.size, default)
    return np.where(current >= 0, values[np.maximum(current, 0)], default)


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
    end = np.minimum(inputs.departed, d) + 1  # the day after the last day worked by D
    open_now = started & (inputs.departed >= d)
    relevant = started & (
        inputs.center_host == city if side == "host" else inputs.firm_home == city
    )
    current = _current_spell(inputs, relevant, open_now, end)
    has_current = current >= 0
    cur = np.where(has_current, current, 0)

    # The cities social insurance is counted in, per talent ("" when it cannot be named).
    if side == "host":
        host_arr = np.full(n, city)
        home_arr = _at_current(inputs.firm_home, current, "")
    else:
        host_arr = _at_current(inputs.center_host, current, "")
        home_arr = np.full(n, city)
    host_missing = host_arr == ""
    home_missing = home_arr == ""
    spell_host = host_arr[inputs.talent_index]
    spell_home = home_arr[inputs.talent_index]
    paid_host = started & (inputs.si_city == spell_host) & (spell_host != "")
    paid_home = started & (inputs.si_city == spell_home) & (spell_home != "")
    accredited = inputs.center_status == CENTER_STATUSES.index("accredited")
    # Host side: work at a center counts only while the center was accredited.
    countable = (inputs.center_id < 0) | accredited if side == "host" else started
    current_firm = _at_current(inputs.firm_id, current, -1)
    at_firm = started & (inputs.firm_id == current_firm[inputs.talent_index])
    feeds = {
        "months_at_accredited_center": relevant & accredited,
        "months_employed_at_firm": at_firm & countable,
        "si_months_host": paid_host & countable,
        "si_months_home": paid_home & countable,
        "si_months_either": (paid_host | paid_home) & countable,
    }
    by_hire = np.lexsort((inputs.hired, inputs.talent_index))
    months = {name: _union_months(inputs, by_hire, feed, end) for name, feed in feeds.items()}

    age, age_missing = ages(inputs.birth_day, as_of)
    tier = np.where(has_current, inputs.firm_tier[cur] if inputs.firm_tier.size else -1, -1)
    expires = np.where(
        has_current, inputs.tier_expires[cur] if inputs.tier_expires.size else NO_DATE, NO_DATE
    )
    now = inputs.center_status if inputs.center_status_now is None else inputs.center_status_now
    status = np.where(has_current, now[cur] if now.size else -1, -1)
    hukou_codes = sorted({c for c in inputs.hukou_city if c})
    hukou = Column.categorical(list(inputs.hukou_city), hukou_codes)
    hukou_known = (
        np.array([c is not None for c in inputs.hukou_city], np.bool_)
        if inputs.hukou_known is None
        else inputs.hukou_known
    )
    no_education, no_title = inputs.education < 0, inputs.title < 0
    no_current = ~has_current

    def cur_flag(values: BoolArray) -> Column:
        picked = values[cur] if values.size else np.zeros(n, np.bool_)
        return Column.boolean(np.where(has_current, picked, False), no_current.copy())

    columns = {
        "age_years": Column.number(age, age_missing),
        "education": Column(
            np.maximum(inputs.education, 0).astype(np.int32), no_education, EDUCATIONS
        ),
        "education_rank": Column.number(
            np.array([EDUCATION_RANK[e] for e in EDUCATIONS], np.float64)[
                np.maximum(inputs.education, 0)
            ],
            no_education.copy(),
        ),
        "title_level": Column(np.maximum(inputs.title, 0).astype(np.int32), no_title, TITLES),
        "title_rank": Column.number(
            np.array([TITLE_RANK[t] for t in TITLES], np.float64)[np.maximum(inputs.title, 0)],
            no_title.copy(),
        ),
        "months_at_accredited_center": Column.number(
            months["months_at_accredited_center"].astype(np.float64), np.zeros(n, np.bool_)
        ),
        "months_employed_at_firm": Column.number(
            months["months_employed_at_firm"].astype(np.float64), no_current.copy()
        ),
        "si_months_host": Column.number(months["si_months_host"].astype(np.float64), host_missing),
        "si_months_home": Column.number(months["si_months_home"].astype(np.float64), home_missing),
        "si_months_either": Column.number(
            months["si_months_either"].astype(np.float64), host_missing & home_missing
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
            np.array([c == city for c in inputs.hukou_city], np.bool_), ~hukou_known
        ),
        "is_foreign": Column.boolean(inputs.is_foreign, np.zeros(n, np.bool_)),
    }
    table = PopulationTable(n, columns, list(inputs.talent_ids.tolist()))
    return BuiltFacts(table, as_of, current, open_now, relevant, end, by_hire, feeds)


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
    those fed by a spell that is open with no departure recorded.

    Such a spell reaches the as-of date, so its stretch is the one that goes on: the fact is
    anchored on that stretch's start, with the months of its other stretches as the offset.
    """
    facts = row_facts(built, row)
    spells = built.by_hire[inputs.talent_index[built.by_hire] == row]
    d = day_number(built.as_of)
    growing: dict[str, GrowingFact] = {}
    for name, feed in built.feeds.items():
        value = facts[name]
        rows = spells[feed[spells]]
        open_ended = np.flatnonzero(inputs.departed[rows] == NO_DATE)
        if value is None or open_ended.size == 0:
            continue
        _, start, _, stretch_of = stretches(
            inputs.talent_index[rows], inputs.hired[rows], built.end[rows]
        )
        anchor = int(start[stretch_of[open_ended[0]]])
        run = int(whole_months(np.array([anchor]), np.array([d + 1]))[0])
        growing[name] = GrowingFact(
            EPOCH + timedelta(days=anchor), int(value) - run, through_day=True
        )
    return growing
