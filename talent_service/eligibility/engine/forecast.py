"""Forecast: when does the outcome change if nothing but time passes?

时间预测：若其他情况不变，不符合条件者何日起符合（如工作月数、社保月数增长），符合条件者何日因
年龄上限而不再符合。

Time-dependent facts are described, not computed: a month-counting fact is a
:class:`GrowingFact` (value on day d = ``offset_months`` + whole months from ``anchor`` to d) and
age comes from the birth date. A growing value rises by one on each anniversary, so a comparison
against threshold t can only change result on the day the value reaches ceil(t) or floor(t)+1;
those few dates are the only candidates, each checked with the same interpreter as
:func:`~.evaluate.evaluate` on the projected facts.

The calendar is part of time: a published version or a parameter value that takes effect within
the horizon is a :class:`Stage`, and from its first day the candidates are checked under its rule
and parameters ("eligible from 2026-09-01 under version 2"). Its first day is a candidate too.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from talent_service.eligibility.engine.evaluate import Evaluation, evaluate, outcome_of
from talent_service.eligibility.engine.fact_spec import FactValue, Growth
from talent_service.eligibility.engine.facts import FACTS
from talent_service.eligibility.engine.months import add_months, age_on, whole_months_between
from talent_service.eligibility.engine.parameters import ParameterError
from talent_service.eligibility.engine.rules import CompareNode, ParamRhs, Rule
from talent_service.reference.enums import Outcome

DEFAULT_HORIZON_YEARS = 30


@dataclass(frozen=True)
class GrowingFact:
    """A month-counting fact that keeps growing while nothing else changes.

    value(d) = ``offset_months`` + whole months from ``anchor`` to d (0 before the anchor).
    E.g. current employment since 2023-03-15 with no earlier months: anchor=2023-03-15,
    offset=0. Social insurance paid continuously since 2024-01-01 plus 20 earlier months:
    anchor=2024-01-01, offset=20. A fact that is not growing (not paying, not employed) is just
    a plain value in ``facts``.
    """

    anchor: date
    offset_months: int = 0
    # Counted through d itself (days worked, d included): the months from the anchor to the
    # day after d. A month then completes on the day before its anniversary.
    through_day: bool = False

    @property
    def lag(self) -> timedelta:
        return timedelta(days=1 if self.through_day else 0)

    def value_on(self, d: date) -> int:
        return self.offset_months + whole_months_between(self.anchor, d + self.lag)

    def first_day_with(self, months: int) -> date:
        """The first day on which ``months`` whole months since the anchor are complete."""
        return add_months(self.anchor, months) - self.lag

    def increments_after(self, d: date) -> Iterator[date]:
        """The dates after ``d`` on which the value goes up by one, in order."""
        k = whole_months_between(self.anchor, d + self.lag) + 1
        while True:
            yield self.first_day_with(k)
            k += 1


class ForecastKind(StrEnum):
    BECOMES_ELIGIBLE = "becomes_eligible"  # ineligible now, eligible from `change_on`
    NOT_REACHABLE = "not_reachable"  # ineligible now, time alone will not help
    ELIGIBILITY_ENDS = "eligibility_ends"  # eligible now, no longer from `change_on`
    STAYS_ELIGIBLE = "stays_eligible"  # eligible through the whole horizon
    UNDETERMINED = "undetermined"  # missing facts: nothing to project


@dataclass(frozen=True)
class Stage:
    """What is in force from ``starts_on`` until the next stage: a published version's rule
    (None: no version in force, so nobody is eligible) and the parameter values of that day."""

    starts_on: date
    rule: Rule | None
    params: Mapping[str, Any]
    version: int | None = None

    def outcome(self, facts: Mapping[str, Any]) -> Outcome:
        if self.rule is None:
            return Outcome.ineligible
        try:
            return outcome_of(self.rule, facts, self.params)
        except ParameterError:
            # A scheduled stage missing a parameter cannot decide: nobody is eligible under it.
            return Outcome.undetermined


@dataclass(frozen=True)
class Forecast:
    kind: ForecastKind
    as_of: date
    # BECOMES_ELIGIBLE: first eligible day; ELIGIBILITY_ENDS: first day no longer eligible.
    change_on: date | None
    # BECOMES_ELIGIBLE: first day it stops again (e.g. an age limit), if within the horizon.
    then_ends_on: date | None
    reason_zh: str
    reason_en: str
    blocking: list[str] = field(default_factory=list)  # criterion ids that time cannot fix
    facts_on_change: dict[str, FactValue | None] | None = None  # projected, on `change_on`
    # The published version in force on `change_on` when a scheduled one decides the change.
    version_on_change: int | None = None
    # How the reason names the scheduled stage that decides ("" when time alone does), and
    # whether `change_on` is that stage's first day (a date of the calendar, not of the person).
    under_zh: str = ""
    under_en: str = ""
    change_is_scheduled: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "as_of": self.as_of.isoformat(),
            "change_on": self.change_on.isoformat() if self.change_on else None,
            "last_eligible_on": (self.change_on - timedelta(days=1)).isoformat()
            if self.kind is ForecastKind.ELIGIBILITY_ENDS and self.change_on
            else None,
            "then_ends_on": self.then_ends_on.isoformat() if self.then_ends_on else None,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
            "blocking": self.blocking,
            "facts_on_change": self.facts_on_change,
            "version_on_change": self.version_on_change,
            "under_zh": self.under_zh,
            "under_en": self.under_en,
            "change_is_scheduled": self.change_is_scheduled,
        }


def project_facts(
    facts: Mapping[str, Any],
    growing: Mapping[str, GrowingFact],
    birth_date: date | None,
    on: date,
    *,
    births: Mapping[str, date] | None = None,
) -> dict[str, FactValue | None]:
    """The facts as they would be on ``on`` if only time passed (``births``: other age facts,
    e.g. a child's, by the birth date they count from)."""
    out: dict[str, FactValue | None] = dict(facts)
    for name, g in growing.items():
        out[name] = g.value_on(on)
    for name, born in _ages(birth_date, births).items():
        out[name] = age_on(born, on)
    return out


def _ages(birth_date: date | None, births: Mapping[str, date] | None) -> dict[str, date]:
    """Age facts by the birth date they count from: the talent's and any others."""
    out = {} if birth_date is None else {"age_years": birth_date}
    return out | dict(births or {})


def _flip_values(rule: Rule, params: Mapping[str, Any]) -> dict[str, set[int]]:
    """Fact → the integer values v at which some comparison on that fact may change its result
    between v - 1 and v (for a threshold t: ceil(t), and floor(t) + 1 for equality tests)."""
    out: dict[str, set[int]] = {}
    for node in rule.nodes():
        if not isinstance(node, CompareNode):
            continue
        if isinstance(node.rhs, ParamRhs) and node.rhs.param not in params:
            continue  # a scheduled stage without it decides nothing (Stage.outcome)
        required = params[node.rhs.param] if isinstance(node.rhs, ParamRhs) else node.rhs.value
        for t in required if isinstance(required, list | tuple) else (required,):
            if isinstance(t, int | float) and not isinstance(t, bool):
                out.setdefault(node.fact, set()).update({math.ceil(t), math.floor(t) + 1})
    return out


def _candidates(
    rule: Rule,
    params: Mapping[str, Any],
    growing: Mapping[str, GrowingFact],
    ages: Mapping[str, date],
    start: date,
    end: date,
) -> list[date]:
    """Sorted dates in (start, end] on which some comparison of the rule may change result.

    A growing value rises by exactly one on each anniversary, so it first equals v on
    add_months(anchor, v - offset) (age: on the v-th birthday). Nothing else changes with time,
    so the outcome can only change on these dates — a handful instead of every month.
    """
    # A threshold may lie far beyond any date (a limit of a million months): the months from
    # the anchor to `end` are counted first, and a later date is never computed.
    dates: set[date] = set()
    for fact, values in _flip_values(rule, params).items():
        if fact in growing:
            g = growing[fact]
            offset, per_value = g.offset_months, 1
        elif fact in ages:
            g, offset, per_value = GrowingFact(ages[fact]), 0, 12
        else:
            continue
        # first_day_with(k) <= end iff k <= within
        within = whole_months_between(g.anchor, end + g.lag)
        for v in values:
            months = (v - offset) * per_value
            if 1 <= months <= within:
                d = g.first_day_with(months)
                if start < d:
                    dates.add(d)
    return sorted(dates)


def _validate_growing(growing: Mapping[str, GrowingFact]) -> None:
    for name in growing:
        spec = FACTS.get(name)
        if spec is None or spec.growth is not Growth.MONTHS:
            raise ValueError(f"{name}: not a month-counting fact")


def _stage_candidates(
    stages: list[Stage],
    growing: Mapping[str, GrowingFact],
    ages: Mapping[str, date],
    end: date,
) -> list[date]:
    """Sorted candidate dates in (first start, end]: each stage's own threshold dates within
    its stretch of the calendar, and the first day of every later stage."""
    dates: set[date] = {st.starts_on for st in stages[1:] if st.starts_on <= end}
    bounds = [st.starts_on for st in stages[1:]] + [end]
    for stage, until in zip(stages, bounds, strict=True):
        if stage.rule is not None:
            stretch_end = min(until, end)
            dates.update(
                _candidates(stage.rule, stage.params, growing, ages, stage.starts_on, stretch_end)
            )
    return sorted(dates)


def _later_stages(as_of: date, end: date, stages: Sequence[Stage]) -> list[Stage]:
    later = sorted(
        (st for st in stages if as_of < st.starts_on <= end), key=lambda st: st.starts_on
    )
    if len({st.starts_on for st in later}) != len(later):
        raise ValueError("two stages start on the same day")
    return later


def _under(stage: Stage, current: Stage) -> tuple[str, str]:
    """How the reason names a scheduled stage that decides the change."""
    if stage is current:
        return "", ""
    if stage.rule is None:
        return "（该日起本政策无有效版本）", " (no version of the policy is in force from then)"
    if stage.version is not None and stage.version != current.version:
        return f"（按第 {stage.version} 版）", f" under version {stage.version}"
    day = stage.starts_on.isoformat()
    return f"（按 {day} 起生效的参数）", f" under the parameters in force from {day}"


def forecast(
    rule: Rule,
    params: Mapping[str, Any],
    facts: Mapping[str, Any],
    as_of: date,
    *,
    growing: Mapping[str, GrowingFact] | None = None,
    birth_date: date | None = None,
    births: Mapping[str, date] | None = None,
    horizon_years: int = DEFAULT_HORIZON_YEARS,
    stages: Sequence[Stage] = (),
    version: int | None = None,
) -> Forecast:
    """When the outcome on ``as_of`` changes by time alone, within ``horizon_years``.

    ``facts`` are the non-growing facts; values in ``growing`` and the age from ``birth_date``
    override same-named entries, so the outcome on ``as_of`` is recomputed from them (as do
    other age facts from the dates in ``births``, e.g. ``child_age_years``). ``stages``
    are what the calendar already holds after ``as_of`` (versions and parameter values that take
    effect later); ``rule`` and ``params`` (of ``version``) are in force until the first of them.
    """
    growing = growing or {}
    _validate_growing(growing)
    end = add_months(as_of, 12 * horizon_years)
    ages = _ages(birth_date, births)
    now_facts = project_facts(facts, growing, None, as_of, births=ages)
    now = evaluate(rule, now_facts, params)  # also checks the parameters
    current = Stage(as_of, rule, params, version)
    calendar = [current, *_later_stages(as_of, end, stages)]
    candidates = _stage_candidates(calendar, growing, ages, end)

    if now.outcome is Outcome.undetermined:
        names = "、".join(FACTS[f].label_zh for f in now.missing_facts)
        names_en = ", ".join(FACTS[f].label_en for f in now.missing_facts)
        return Forecast(
            ForecastKind.UNDETERMINED,
            as_of,
            None,
            None,
            f"缺少事实（{names}），无法预测",
            f"missing facts ({names_en}); no forecast",
        )

    def stage_on(d: date) -> Stage:
        return next(st for st in reversed(calendar) if st.starts_on <= d)

    def first_date(
        start: date, eligible: bool
    ) -> tuple[date, dict[str, FactValue | None], Stage] | None:
        """First candidate date after ``start`` whose outcome is (or, with eligible=False,
        is no longer) eligible."""
        for d in candidates:
            if d <= start:
                continue
            projected = project_facts(facts, growing, None, d, births=ages)
            stage = stage_on(d)
            if (stage.outcome(projected) is Outcome.eligible) is eligible:
                return d, projected, stage
        return None

    if now.outcome is Outcome.eligible:
        change = first_date(as_of, eligible=False)
        if change is None:
            return Forecast(
                ForecastKind.STAYS_ELIGIBLE,
                as_of,
                None,
                None,
                f"在 {horizon_years} 年内仅因时间推移不会失去资格",
                f"stays eligible for {horizon_years} years if nothing else changes",
            )
        d, projected, stage = change
        under_zh, under_en = _under(stage, current)
        return Forecast(
            ForecastKind.ELIGIBILITY_ENDS,
            as_of,
            d,
            None,
            f"若其他情况不变，自 {d.isoformat()} 起不再符合条件{under_zh}（最后符合日 "
            f"{(d - timedelta(days=1)).isoformat()}）",
            f"if nothing else changes, no longer eligible from {d.isoformat()}{under_en} "
            f"(last eligible day {(d - timedelta(days=1)).isoformat()})",
            facts_on_change=projected,
            version_on_change=None if stage is current else stage.version,
            under_zh=under_zh,
            under_en=under_en,
            change_is_scheduled=stage is not current and d == stage.starts_on,
        )

    # Ineligible. Cheap refusal first: with every time-dependent fact unknown, a rule that is
    # still false cannot be rescued by time; `_timeless_failures` names the real obstacles.
    # Only while nothing else is scheduled: a later version may drop the obstacle.
    timeless = dict(now_facts)
    for name in growing:
        timeless[name] = None
    for name in ages:
        timeless[name] = None
    frozen = evaluate(rule, timeless, params)
    if frozen.outcome is Outcome.ineligible and len(calendar) == 1:
        return _not_reachable(as_of, _timeless_failures(frozen))
    change = first_date(as_of, eligible=True)
    if change is None:
        if frozen.outcome is Outcome.ineligible:
            return _not_reachable(as_of, _timeless_failures(frozen))
        return _not_reachable(as_of, now.failed_criteria, horizon_years)
    d, projected, stage = change
    later = first_date(d, eligible=False)
    until = later[0] if later else None
    under_zh, under_en = _under(stage, current)
    tail_zh = f"，自 {until.isoformat()} 起又不再符合" if until else ""
    tail_en = f", and no longer from {until.isoformat()}" if until else ""
    return Forecast(
        ForecastKind.BECOMES_ELIGIBLE,
        as_of,
        d,
        until,
        f"若其他情况不变，自 {d.isoformat()} 起符合条件{under_zh}{tail_zh}",
        f"if nothing else changes, eligible from {d.isoformat()}{under_en}{tail_en}",
        facts_on_change=projected,
        version_on_change=None if stage is current else stage.version,
        under_zh=under_zh,
        under_en=under_en,
        change_is_scheduled=stage is not current and d == stage.starts_on,
    )


def _failing_ids(node: Mapping[str, Any]) -> set[str]:
    """Ids of the explanation nodes reached from ``node`` through failing nodes only."""
    if node["result"] != "fail":
        return set()
    ids = {node["id"]}
    for child in node.get("children", ()):
        ids |= _failing_ids(child)
    return ids


def _timeless_failures(frozen: Evaluation) -> list[dict[str, Any]]:
    """The criteria that keep ``frozen`` (evaluated with every time-dependent fact unknown)
    false, whatever values those facts take.

    ``failed_criteria`` also descends into groups that are merely unknown, so it would blame
    e.g. the bachelor's and master's leaves of a doctor's degree-by-age ``any`` left unknown by
    the unknown age, although that ``any`` passes today. Only criteria reached through false
    nodes stay false for any value of the unknown facts (Kleene logic is monotone): they fail
    today too, and time cannot route around them.
    """
    ids = _failing_ids(frozen.explanation)
    return [f for f in frozen.failed_criteria if f["id"] in ids]


def _not_reachable(
    as_of: date, failed: list[dict[str, Any]], horizon_years: int | None = None
) -> Forecast:
    zh = "；".join(f["text_zh"] for f in failed)
    en = "; ".join(f["text_en"] for f in failed)
    if horizon_years is None:
        reason_zh = f"未满足的条件不随时间变化：{zh}"
        reason_en = f"failing criteria do not change with time: {en}"
    else:
        reason_zh = f"在 {horizon_years} 年内仅靠时间推移无法符合条件：{zh}"
        reason_en = f"time alone does not make it eligible within {horizon_years} years: {en}"
    return Forecast(
        ForecastKind.NOT_REACHABLE,
        as_of,
        None,
        None,
        reason_zh,
        reason_en,
        blocking=[f["id"] for f in failed],
    )
