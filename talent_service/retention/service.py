"""Retention figures: who is counted (queries), how (survival), and what a caller is shown.

Services raise domain errors (422 naming the field) and never commit; they only read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
from sqlmodel import Session

from talent_service.auth.principal import Principal
from talent_service.cities.service import all_cities, require_city
from talent_service.core.clock import today
from talent_service.core.errors import VALIDATION, DomainError, FieldError
from talent_service.reference.enums import Role
from talent_service.retention import queries
from talent_service.retention.queries import EDUCATION_ORDER, REGION_ORDER, Key, Spells
from talent_service.retention.schemas import (
    DEFAULT_HORIZONS,
    EARLIEST_AS_OF,
    EDUCATION_LABELS,
    MAX_HORIZON_MONTHS,
    MAX_HORIZONS,
    REGION_LABELS,
    SITE_LABELS,
    ComparisonRead,
    ComparisonSide,
    CurvePoint,
    CurveRead,
    GroupBy,
    GroupLabel,
    GroupRow,
    HorizonRead,
    Level,
    LogRankRead,
    LowRetentionRead,
    LowRetentionRow,
    Method,
    Population,
    PopulationQuery,
    Scope,
    Site,
    SummaryRead,
)
from talent_service.retention.survival import (
    MIN_GROUP_SIZE,
    GroupSummary,
    grouped_summary,
    kaplan_meier,
    logrank_test,
    median_survival,
    months_to_days,
)

HOME_SITE_LABEL = GroupLabel(
    key="home", name_zh="企业本部（非飞地）", name_en="Home site (not at an enclave center)"
)
TOTAL_LABEL = GroupLabel(key="total", name_zh="合计", name_en="Total")
SUPPRESSED = f"fewer than {MIN_GROUP_SIZE} spells: counts only, rates withheld (privacy and noise)"


def _invalid(field_name: str, reason: str) -> DomainError:
    return DomainError(VALIDATION, f"{field_name}: {reason}", [FieldError(field_name, reason)])


# --- the population ---------------------------------------------------------------------------


def prepare(session: Session, population: PopulationQuery) -> PopulationQuery:
    """Check the population's inputs and fix the as-of date (default: today in Asia/Shanghai)."""
    now = today()
    as_of = population.as_of or now
    if as_of > now:
        raise _invalid(
            "query.as_of",
            f"{as_of} is after today ({now}, Asia/Shanghai): departures after today are not "
            "known yet, so retention cannot be counted as of a future date",
        )
    if as_of < EARLIEST_AS_OF:
        raise _invalid("query.as_of", f"must be on or after {EARLIEST_AS_OF}")
    for name in ("home_city_code", "host_city_code"):
        code = getattr(population, name)
        if code is not None:
            require_city(session, code, f"query.{name}")
    return replace(population, as_of=as_of)


def _explain_empty(session: Session, principal: Principal, population: PopulationQuery) -> None:
    """An as-of date before every visible hire is a mistake worth saying, not an empty answer."""
    assert population.as_of is not None
    first = queries.first_hire(session, principal, population)
    if first is not None and first > population.as_of:
        raise _invalid(
            "query.as_of",
            f"{population.as_of} is before the first hire ({first}) among the spells you may "
            "see with these filters: nobody had been hired yet, so there is nothing to count",
        )


def _load(
    session: Session, principal: Principal, population: PopulationQuery, key: Key | None = None
) -> Spells:
    spells = queries.load_spells(session, principal, population, key)
    if spells.size == 0:
        _explain_empty(session, principal, population)
    return spells


def scope_of(principal: Principal) -> Scope:
    if principal.sees_whole_province:
        return Scope(level="province")
    if principal.role is Role.firm:
        return Scope(level="firm", firm_id=principal.firm_id)
    return Scope(level="city", city_code=principal.city_code)


def _population_read(principal: Principal, population: PopulationQuery) -> Population:
    assert population.as_of is not None
    return Population(
        as_of=population.as_of,
        recruited_only=population.recruited_only,
        hire_years=sorted(set(population.hire_years)),
        home_city_code=population.home_city_code,
        host_city_code=population.host_city_code,
        firm_id=population.firm_id,
        center_id=population.center_id,
        site=population.site,
        scope=scope_of(principal),
    )


def check_horizons(months: Iterable[int] | None, field_name: str = "query.horizons") -> list[int]:
    """Distinct horizons in months, ascending; each 1..120."""
    chosen = sorted(set(DEFAULT_HORIZONS if months is None else months))
    if not chosen:
        raise _invalid(field_name, "give at least one horizon")
    if len(chosen) > MAX_HORIZONS:
        raise _invalid(field_name, f"at most {MAX_HORIZONS} horizons")
    for m in chosen:
        if not 1 <= m <= MAX_HORIZON_MONTHS:
            raise _invalid(field_name, f"{m} months is outside 1..{MAX_HORIZON_MONTHS}")
    return chosen


# --- shaping results --------------------------------------------------------------------------


def _int_or_none(x: float | None) -> int | None:
    return None if x is None else int(x)


def _horizons(summary: GroupSummary, months: Sequence[int]) -> list[HorizonRead]:
    return [
        HorizonRead(
            months=m,
            days=h.days,
            at_risk=h.at_risk,
            survival=h.survival,
            ci_lower=h.ci_lower,
            ci_upper=h.ci_upper,
        )
        for m, h in zip(months, summary.horizons, strict=True)
    ]


def _row(label: GroupLabel, summary: GroupSummary, months: Sequence[int]) -> GroupRow:
    return GroupRow(
        label=label,
        n=summary.n,
        events=summary.events,
        censored=summary.censored,
        suppressed=summary.suppressed,
        suppression_reason=SUPPRESSED if summary.suppressed else None,
        median_tenure_days=_int_or_none(summary.median),
        horizons=_horizons(summary, months),
    )


def _no_horizons(months: Sequence[int]) -> list[HorizonRead]:
    return [
        HorizonRead(
            months=m, days=months_to_days(m), at_risk=0, survival=None, ci_lower=None, ci_upper=None
        )
        for m in months
    ]


def _empty_row(label: GroupLabel, months: Sequence[int]) -> GroupRow:
    return GroupRow(
        label=label,
        n=0,
        events=0,
        censored=0,
        suppressed=True,
        suppression_reason=SUPPRESSED,
        median_tenure_days=None,
        horizons=_no_horizons(months),
    )


def _summaries(
    codes: np.ndarray, spells: Spells, days: Sequence[int], min_group_size: int = MIN_GROUP_SIZE
) -> tuple[GroupSummary, ...]:
    if spells.size == 0:
        return ()
    return grouped_summary(
        codes,
        spells.durations,
        spells.observed,
        np.asarray(days, dtype=np.int64),
        min_group_size=min_group_size,
    )


def _labels(
    session: Session, principal: Principal, group_by: GroupBy | Level, codes: Sequence[int]
) -> dict[int, GroupLabel]:
    by = GroupBy(group_by.value)
    if by in (GroupBy.home_city, GroupBy.host_city):
        cities = all_cities(session)
        out = {}
        for c in codes:
            city = cities.get(f"{c:06d}")
            if c == 0:
                out[c] = HOME_SITE_LABEL
            elif city is not None:
                out[c] = GroupLabel(key=city.code, name_zh=city.name_zh, name_en=city.name_en)
            else:
                out[c] = GroupLabel(key=f"{c:06d}")
        return out
    if by is GroupBy.region:
        return {
            c: GroupLabel(
                key=REGION_ORDER[c].value,
                name_zh=REGION_LABELS[REGION_ORDER[c]][0],
                name_en=REGION_LABELS[REGION_ORDER[c]][1],
            )
            for c in codes
        }
    if by is GroupBy.education:
        out = {}
        for c in codes:
            if c < len(EDUCATION_ORDER):
                zh, en = EDUCATION_LABELS[EDUCATION_ORDER[c].value]
                out[c] = GroupLabel(key=EDUCATION_ORDER[c].value, name_zh=zh, name_en=en)
            else:
                out[c] = GroupLabel(key="unknown", name_zh="未知", name_en="Unknown")
        return out
    if by is GroupBy.hire_year:
        return {
            c: GroupLabel(key=str(c), name_zh=f"{c}年入职", name_en=f"Hired in {c}") for c in codes
        }
    if by is GroupBy.site:
        sites = (Site.home, Site.enclave)
        return {
            c: GroupLabel(
                key=sites[c].value,
                name_zh=SITE_LABELS[sites[c]][0],
                name_en=SITE_LABELS[sites[c]][1],
            )
            for c in codes
        }
    if by is GroupBy.firm:
        names = queries.firm_names(session, principal, codes)
        return {c: GroupLabel(key=str(c), name=names.get(c)) for c in codes}
    centers = queries.center_details(session, principal, [c for c in codes if c != 0])
    return {
        c: HOME_SITE_LABEL
        if c == 0
        else GroupLabel(key=str(c), name=centers[c][0] if c in centers else None)
        for c in codes
    }


# --- the endpoints' services ------------------------------------------------------------------


def curve(session: Session, principal: Principal, population: PopulationQuery) -> CurveRead:
    """Kaplan–Meier curve of the population; withheld below the group-size floor."""
    population = prepare(session, population)
    spells = _load(session, principal, population)
    n, events = spells.size, int(spells.observed.sum())
    base = {
        "population": _population_read(principal, population),
        "method": Method(),
        "n": n,
        "events": events,
        "censored": n - events,
    }
    if n < MIN_GROUP_SIZE:
        return CurveRead(
            **base,
            median_tenure_days=None,
            withheld=True,
            withheld_reason=f"{n} spells: curves of fewer than {MIN_GROUP_SIZE} spells are "
            "withheld (privacy and noise); counts are given",
            points=[],
        )
    km = kaplan_meier(spells.durations, spells.observed)
    columns = zip(
        km.times.tolist(),
        km.survival.tolist(),
        km.ci_lower.tolist(),
        km.ci_upper.tolist(),
        km.at_risk.tolist(),
        km.events.tolist(),
        km.censored.tolist(),
        strict=True,
    )
    points = [
        CurvePoint(days=t, survival=s, ci_lower=lo, ci_upper=hi, at_risk=r, left=e, censored=c)
        for t, s, lo, hi, r, e, c in columns
    ]
    return CurveRead(
        **base,
        median_tenure_days=_int_or_none(median_survival(km)),
        withheld=False,
        withheld_reason=None,
        points=points,
    )


def summary(
    session: Session,
    principal: Principal,
    population: PopulationQuery,
    group_by: GroupBy,
    horizons_months: Iterable[int] | None = None,
) -> SummaryRead:
    """Counts, retention at each horizon and median tenure, per group and in total."""
    months = check_horizons(horizons_months)
    population = prepare(session, population)
    spells = _load(session, principal, population, Key(group_by.value))
    days = [months_to_days(m) for m in months]
    groups = _summaries(spells.keys, spells, days)
    totals = _summaries(np.zeros(spells.size, dtype=np.int64), spells, days)
    labels = _labels(session, principal, group_by, [g.group for g in groups])
    return SummaryRead(
        population=_population_read(principal, population),
        method=Method(),
        group_by=group_by,
        horizons_months=months,
        groups=[_row(labels[g.group], g, months) for g in groups],
        total=_row(TOTAL_LABEL, totals[0], months) if totals else _empty_row(TOTAL_LABEL, months),
    )


def _side(site: Site, summary: GroupSummary | None, months: Sequence[int]) -> ComparisonSide:
    if summary is None:
        return ComparisonSide(
            site=site,
            n=0,
            events=0,
            censored=0,
            suppressed=True,
            median_tenure_days=None,
            horizons=_no_horizons(months),
        )
    return ComparisonSide(
        site=site,
        n=summary.n,
        events=summary.events,
        censored=summary.censored,
        suppressed=summary.suppressed,
        median_tenure_days=_int_or_none(summary.median),
        horizons=_horizons(summary, months),
    )


def comparison(
    session: Session,
    principal: Principal,
    population: PopulationQuery,
    horizons_months: Iterable[int] | None = None,
) -> ComparisonRead:
    """Enclave-center spells against home-site spells of the same firms (firms with both)."""
    months = check_horizons(horizons_months)
    population = prepare(session, population)
    spells = _load(session, principal, population, Key.firm_site)
    firm, site = spells.keys >> 1, spells.keys & 1
    both = np.intersect1d(firm[site == 1], firm[site == 0])
    paired = spells.subset(np.isin(firm, both))
    site = paired.keys & 1
    days = [months_to_days(m) for m in months]
    by_site = {s.group: s for s in _summaries(site, paired, days)}
    enclave, home = by_site.get(1), by_site.get(0)
    reason: str | None = None
    logrank: LogRankRead | None = None
    if both.size == 0:
        reason = (
            "no firm has both enclave-center and home-site spells in the population you may see"
        )
    elif enclave is None or home is None or enclave.suppressed or home.suppressed:
        reason = f"a side has fewer than {MIN_GROUP_SIZE} spells: rates and test withheld"
    else:
        at_center = site == 1
        test = logrank_test(
            paired.durations[at_center],
            paired.observed[at_center],
            paired.durations[~at_center],
            paired.observed[~at_center],
        )
        logrank = LogRankRead(
            statistic=test.statistic,
            p_value=test.p_value,
            degrees_of_freedom=test.degrees_of_freedom,
        )
    return ComparisonRead(
        population=_population_read(principal, population),
        method=Method(),
        firms_compared=int(both.size),
        horizons_months=months,
        enclave=_side(Site.enclave, enclave, months),
        home=_side(Site.home, home, months),
        logrank=logrank,
        withheld_reason=reason,
    )


def low_retention(
    session: Session,
    principal: Principal,
    population: PopulationQuery,
    level: Level,
    horizon_months: int,
    threshold: float,
    min_spells: int,
) -> LowRetentionRead:
    """Firms or centers whose retention at the horizon is below the threshold, worst first.

    Left out: groups with fewer than ``min_spells`` spells (never below the suppression floor),
    and groups where nobody was followed that long (the rate is not identified).
    """
    (horizon_months,) = check_horizons([horizon_months], "query.horizon_months")
    if not 0.0 < threshold < 1.0:
        raise _invalid("query.threshold", "must be strictly between 0 and 1")
    if min_spells < MIN_GROUP_SIZE:
        raise _invalid("query.min_spells", f"must be at least {MIN_GROUP_SIZE}")
    population = prepare(session, population)
    spells = _load(session, principal, population, Key(level.value))
    if level is Level.center:
        spells = spells.subset(spells.keys != 0)  # home-site spells belong to no center
    days = months_to_days(horizon_months)
    groups = _summaries(spells.keys, spells, [days], min_group_size=min_spells)
    too_small = sum(g.suppressed for g in groups)
    unknown = sum(not g.suppressed and g.horizons[0].survival is None for g in groups)
    below = [
        g
        for g in groups
        if not g.suppressed and (s := g.horizons[0].survival) is not None and s < threshold
    ]
    below.sort(key=lambda g: (g.horizons[0].survival, -g.n, g.group))
    codes = [g.group for g in below]
    details: dict[int, tuple[str | None, int, str | None]]
    if level is Level.firm:
        names = queries.firm_names(session, principal, codes)
        details = {c: (names.get(c), c, None) for c in codes}
    else:
        details = dict(queries.center_details(session, principal, codes))
    items = []
    for g in below:
        h = g.horizons[0]
        assert h.survival is not None and h.ci_lower is not None and h.ci_upper is not None
        name, firm_id, host = details.get(g.group, (None, 0, None))
        items.append(
            LowRetentionRow(
                label=GroupLabel(key=str(g.group), name=name),
                firm_id=firm_id,
                host_city_code=host,
                n=g.n,
                events=g.events,
                censored=g.censored,
                at_risk=h.at_risk,
                survival=h.survival,
                ci_lower=h.ci_lower,
                ci_upper=h.ci_upper,
                clearly_below=h.ci_upper < threshold,
            )
        )
    return LowRetentionRead(
        population=_population_read(principal, population),
        method=Method(),
        level=level,
        horizon_months=horizon_months,
        horizon_days=days,
        threshold=threshold,
        min_spells=min_spells,
        groups_considered=len(groups),
        too_small=too_small,
        not_followed_long_enough=unknown,
        items=items,
    )
