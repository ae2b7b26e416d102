"""Facts about the child a check names, and the facts a machine client supplied about it.

Pure: the caller reads the household record in force on the as-of date (``household``) and hands
it over as a :class:`ChildRecord`. The recorded values give ``child_age_years`` (age on the date,
growing with time in the forecast), ``child_school_stage`` and ``child_district_in_city`` (the
district applied for lies in the policy's city: its first four digits are the city's).

A supplied fact is read only when the policy version accepts it (``accepts_supplied``); then it
takes the place of the recorded value (the school knows the stage it admits to better than the
firm that recorded the child) and rests on "supplied by <client>". A supplied fact the version
does not accept is refused: it stays in the document as refused and is not read. A supplied
fact the policy's rule does not read is no part of that decision (as the talent's other facts
are not: a decision holds what its rule reads).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from talent_service.eligibility.engine.fact_spec import FactValue
from talent_service.eligibility.engine.facts import CHILD_FACTS
from talent_service.eligibility.engine.months import age_on

# What a child fact read from a household record rests on, as its provenance names it.
HOUSEHOLD_RECORD = "household record"


@dataclass(frozen=True)
class ChildRecord:
    """The household record of the named child in force on the as-of date."""

    id: int
    birth_date: date
    school_stage: str | None
    district_code: str | None
    effective_on: date
    source: str
    source_firm_id: int | None
    recorded_by: str


@dataclass(frozen=True)
class ChildFacts:
    values: dict[str, FactValue | None]
    provenance: dict[str, dict[str, Any]]
    # What was supplied, each with whether this policy version accepted it.
    supplied: list[dict[str, Any]] = field(default_factory=list)
    # Age facts that grow with time, by the birth date they count from (for the forecast).
    births: dict[str, date] = field(default_factory=dict)


def _recorded(record: ChildRecord | None) -> dict[str, Any]:
    if record is None:
        return {"rests_on": "none", "own_firm": None}
    return {
        "rests_on": HOUSEHOLD_RECORD,
        "household_member_id": record.id,
        "source": record.source,
        "recorded_by": record.recorded_by,
        "effective_on": record.effective_on.isoformat(),
        "own_firm": record.source_firm_id if record.source == "firm" else None,
    }


def child_facts(
    record: ChildRecord | None,
    as_of: date,
    policy_city: str,
    supplied: Mapping[str, FactValue],
    accepts: Collection[str],
    supplied_by: str,
    reads: Collection[str],
) -> ChildFacts:
    """The child facts for one policy (its city, the supplied facts it accepts, the facts its
    rule ``reads``) as of ``as_of``."""
    values: dict[str, FactValue | None] = dict.fromkeys(CHILD_FACTS)
    births: dict[str, date] = {}
    if record is not None:
        values["child_age_years"] = age_on(record.birth_date, as_of)
        births["child_age_years"] = record.birth_date
        values["child_school_stage"] = record.school_stage
        if record.district_code is not None:
            values["child_district_in_city"] = record.district_code[:4] == policy_city[:4]
    prov = {name: _recorded(record) for name in CHILD_FACTS}
    out: list[dict[str, Any]] = []
    for name in sorted(n for n in supplied if n in reads):
        accepted = name in accepts
        out.append({"fact": name, "value": supplied[name], "accepted": accepted})
        if accepted:
            values[name] = supplied[name]
            prov[name] = {"rests_on": "supplied", "supplied_by": supplied_by, "own_firm": None}
    return ChildFacts(values, prov, out, births)
