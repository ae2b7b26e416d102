"""Policies as stored: the version in force on a date, its parameters, its compiled rule, and the
default pack."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlmodel import Session, col, select

from talent_service.cities.service import all_cities
from talent_service.eligibility.engine.forecast import Stage
from talent_service.eligibility.engine.parameters import ParamSpec
from talent_service.eligibility.engine.rules import Rule, validate_rule
from talent_service.eligibility.policies.defaults import default_policies
from talent_service.eligibility.policies.versions import (
    EffectiveDated,
    ParamValueRange,
    param_values_on,
    pick_version,
)
from talent_service.models import Policy, PolicyParameter, PolicyVersion
from talent_service.models.base import utcnow
from talent_service.reference.enums import (
    Benefit,
    DeclaredFact,
    PolicyStatus,
    Region,
    Side,
    Verification,
)

BENEFIT_NAMES = {
    Benefit.hukou: ("户籍", "hukou"),
    Benefit.social_insurance: ("社会保险", "social insurance"),
    Benefit.education: ("子女教育", "children's education"),
    Benefit.professional_title: ("职称认定", "professional title recognition"),
}


SIDE_ZH = {Side.host: "承接地", Side.home: "流出地"}


def side_of(region: Region) -> Side:
    return Side.host if region is Region.prd else Side.home


def parameter_specs(version: PolicyVersion) -> dict[str, ParamSpec]:
    return {name: ParamSpec.model_validate(spec) for name, spec in version.parameter_types.items()}


@lru_cache(maxsize=1024)
def _compiled(version_id: int, rule_json: str, types_json: str) -> Rule:
    types = {n: ParamSpec.model_validate(s) for n, s in json.loads(types_json).items()}
    return validate_rule(json.loads(rule_json), types)


def compiled_rule(version: PolicyVersion) -> Rule:
    """The validated rule of a version; published versions never change, so this is cached."""
    assert version.id is not None
    return _compiled(
        version.id,
        json.dumps(version.rule, sort_keys=True),
        json.dumps(version.parameter_types, sort_keys=True),
    )


# What a version's ``fact_sources`` entry means: the declaration states the fact may rest on.
FACT_SOURCE_STATES = {
    "verified": frozenset({Verification.verified}),
    "declared": frozenset({Verification.declared, Verification.verified}),
}


def accepted(version: PolicyVersion) -> dict[DeclaredFact, frozenset[Verification]]:
    """The declaration states each declared fact may rest on under this version (a fact the
    version does not name accepts declarations not yet verified, flagged in explanations)."""
    return {
        DeclaredFact(fact): FACT_SOURCE_STATES[rule] for fact, rule in version.fact_sources.items()
    }


def published_version_on(session: Session, policy_id: int, as_of: date) -> PolicyVersion | None:
    versions = session.exec(
        select(PolicyVersion).where(
            PolicyVersion.policy_id == policy_id, PolicyVersion.status == PolicyStatus.published
        )
    ).all()
    return pick_version(versions, as_of)


@dataclass(frozen=True)
class PolicyCalendar:
    """A policy's published versions and parameter values over time, read once per decision:
    what is in force on the as-of date, and what the calendar already holds after it."""

    versions: list[PolicyVersion]
    parameters: dict[str, list[ParamValueRange]]

    def version_on(self, as_of: date) -> PolicyVersion | None:
        return pick_version(self.versions, as_of)

    def parameters_on(self, as_of: date) -> dict[str, Any]:
        return param_values_on(self.parameters, as_of)

    def stages_after(self, as_of: date) -> list[Stage]:
        """A stage for each later day on which a version or a parameter value starts or ends."""
        days: set[date] = set()
        ranges: list[EffectiveDated] = [*self.versions]
        ranges += [r for history in self.parameters.values() for r in history]
        for item in ranges:
            days.add(item.effective_from)
            if item.effective_to is not None:
                days.add(item.effective_to)
        stages = []
        for day in sorted(d for d in days if d > as_of):
            version = self.version_on(day)
            rule = compiled_rule(version) if version is not None else None
            number = version.version if version is not None else None
            stages.append(Stage(day, rule, self.parameters_on(day), number))
        return stages


def policy_calendar(session: Session, policy_id: int) -> PolicyCalendar:
    versions = session.exec(
        select(PolicyVersion).where(
            PolicyVersion.policy_id == policy_id, PolicyVersion.status == PolicyStatus.published
        )
    ).all()
    return PolicyCalendar(list(versions), parameter_history(session, policy_id))


def parameter_history(session: Session, policy_id: int) -> dict[str, list[ParamValueRange]]:
    rows = session.exec(
        select(PolicyParameter)
        .where(PolicyParameter.policy_id == policy_id)
        .order_by(col(PolicyParameter.effective_from))
    ).all()
    return history_of(rows)


def history_of(rows: Iterable[PolicyParameter]) -> dict[str, list[ParamValueRange]]:
    """Parameter rows (in order of effective_from within each name) grouped by name."""
    history: dict[str, list[ParamValueRange]] = defaultdict(list)
    for row in rows:
        history[row.name].append(ParamValueRange(row.effective_from, row.effective_to, row.value))
    return history


def parameters_on(session: Session, policy_id: int, as_of: date) -> dict[str, Any]:
    return param_values_on(parameter_history(session, policy_id), as_of)


def policies_for(
    session: Session, cities: Iterable[str], benefits: Iterable[Benefit]
) -> list[Policy]:
    return list(
        session.exec(
            select(Policy)
            .where(col(Policy.city_code).in_(list(cities)), col(Policy.benefit).in_(list(benefits)))
            .order_by(col(Policy.city_code), col(Policy.benefit))
        ).all()
    )


def load_default_policies(session: Session, *, published_by: str = "system:defaults") -> int:
    """Store the illustrative default pack for every city that has no policy for a benefit yet.

    Idempotent: running it again adds nothing; a city's own policy is never replaced.
    """
    cities = all_cities(session)
    prd = [c.code for c in cities.values() if c.region is Region.prd]
    home = [c.code for c in cities.values() if c.region is not Region.prd]
    existing = {(p.city_code, p.benefit.value) for p in session.exec(select(Policy)).all()}
    added = 0
    for definition in default_policies(prd, home):
        if (definition.city_code, definition.benefit) in existing:
            continue
        city = cities[definition.city_code]
        benefit = Benefit(definition.benefit)
        zh, en = BENEFIT_NAMES[benefit]
        side = Side(definition.side)
        policy = Policy(
            city_code=city.code,
            benefit=benefit,
            side=side,
            name_zh=f"{city.name_zh}{SIDE_ZH[side]}人才{zh}政策（示例）",
            name_en=f"{city.name_en} {side.value}-side talent {en} policy (illustrative)",
        )
        session.add(policy)
        session.flush()
        assert policy.id is not None
        session.add(
            PolicyVersion(
                policy_id=policy.id,
                version=definition.version,
                status=PolicyStatus.published,
                effective_from=definition.effective_from,
                effective_to=definition.effective_to,
                document_ref=definition.document_ref,
                description_zh=definition.description_zh,
                description_en=definition.description_en,
                rule=definition.rule,
                parameter_types={
                    n: s.model_dump(mode="json") for n, s in definition.parameter_types.items()
                },
                fact_sources=dict(definition.fact_sources),
                accepts_supplied=list(definition.accepts_supplied),
                published_at=utcnow(),
                published_by=published_by,
            )
        )
        session.add_all(
            PolicyParameter(
                policy_id=policy.id,
                name=name,
                value=value,
                effective_from=definition.effective_from,
            )
            for name, value in definition.parameters.items()
        )
        added += 1
    session.flush()
    return added
