"""Simulate a draft before publishing: the whole relevant population under the version in force
and under the draft, compared set-wise (``population.simulate``), never person by person.

The population is every talent with a spell the policy is about
(``population_source.related_talents``: centers hosted in the city for a host-side policy, firms
based there for a home-side one) that the caller may see; facts are built once, as of the
simulation date, and both rules read the same table.

The "before" side is the published version in force on ``as_of`` with the parameter values in
force that day. The "after" side is a stored version of the policy, an inline rule, or the
current rule again; it reads the same parameter values, with the draft's overrides on top.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from talent_service.auth.principal import Principal
from talent_service.auth.visibility import talent_rule
from talent_service.core.clock import today
from talent_service.core.errors import CONFLICT, RULE_VIOLATION, DomainError, FieldError
from talent_service.eligibility.engine.fact_builder import build
from talent_service.eligibility.engine.parameters import (
    ParameterError,
    check_params,
    param_value_problem,
)
from talent_service.eligibility.engine.population import PopulationTable, SimulationResult, simulate
from talent_service.eligibility.engine.population_layout import columns_on
from talent_service.eligibility.engine.rules import Rule, param_threshold_problem
from talent_service.eligibility.policies.population_source import (
    Columns,
    load_columns,
    related_talents,
)
from talent_service.eligibility.policies.schemas import (
    BlockingCount,
    OutcomeCounts,
    SimulatedSide,
    SimulationRequest,
    SimulationResponse,
    TalentChange,
)
from talent_service.eligibility.policies.service import (
    data_problems,
    get_policy,
    get_version,
    validated_rule,
)
from talent_service.eligibility.policies.store import (
    accepted,
    compiled_rule,
    parameter_specs,
    parameters_on,
    published_version_on,
)
from talent_service.models import PolicyVersion, Talent
from talent_service.reference.enums import DeclaredFact, Verification


def population_columns(
    session: Session, principal: Principal, city_code: str, side: str
) -> Columns:
    """The records of every talent the policy is about and the caller may see, read once as
    columns (whatever the date and the accepted sources they are later laid out for)."""
    talent_ids = (
        select(Talent.id)
        .where(talent_rule(principal), col(Talent.id).in_(related_talents(city_code, side)))
        .correlate(None)  # a self-contained id list, even inside a query of Talent itself
    )
    return load_columns(session, talent_ids)


def population_table(
    cols: Columns,
    city_code: str,
    side: str,
    as_of: date,
    accept: dict[DeclaredFact, frozenset[Verification]] | None = None,
) -> PopulationTable:
    """Facts of the population as of ``as_of``, the declared facts resting on the declaration
    states ``accept`` names."""
    return build(columns_on(cols, as_of, accept or {}), city_code, side, as_of).table


def _draft_parameters(
    rule: Rule, in_force: dict[str, Any], overrides: dict[str, Any], as_of: date
) -> dict[str, Any]:
    """The draft's parameter values: those in force on ``as_of`` with the overrides on top,
    checked against the draft's declared types."""
    errors = [
        FieldError(f"body.draft.parameters.{name}", "the draft rule does not read this parameter")
        for name in overrides
        if name not in rule.params
    ]
    values: dict[str, Any] = {}
    for name, spec in rule.params.items():
        field = f"body.draft.parameters.{name}"
        if name in overrides:
            if bad := list(data_problems(overrides[name], field)):
                errors += bad
            elif why := param_value_problem(spec, overrides[name]) or param_threshold_problem(
                rule, name, overrides[name]
            ):
                errors.append(FieldError(field, why))
            values[name] = overrides[name]
        elif name not in in_force:
            errors.append(FieldError(field, f"no value in force on {as_of}; supply one here"))
        elif why := param_value_problem(spec, in_force[name]):
            errors.append(
                FieldError(field, f"the value in force on {as_of} does not fit the draft: {why}")
            )
        else:
            values[name] = in_force[name]
    if errors:
        raise DomainError(RULE_VIOLATION, "The draft's parameters are not usable.", errors)
    return values


def _side(
    result: SimulationResult,
    which: str,
    version: PolicyVersion | None,
    parameters: dict[str, Any],
) -> SimulatedSide:
    before = which == "before"
    return SimulatedSide(
        version=version.version if version else None,
        status=version.status if version else None,
        parameters=parameters,
        counts=OutcomeCounts(**(result.before if before else result.after)),
        blocking=[
            BlockingCount(**b)
            for b in (result.blocking_before if before else result.blocking_after)
        ],
        missing_facts=result.missing_before if before else result.missing_after,
    )


def run(
    session: Session, principal: Principal, policy_id: int, req: SimulationRequest
) -> SimulationResponse:
    policy = get_policy(session, policy_id)
    assert policy.id is not None
    as_of = req.as_of or today()
    current = published_version_on(session, policy.id, as_of)
    if current is None:
        raise DomainError(
            RULE_VIOLATION,
            f"no published version of policy {policy.id} is in force on {as_of}",
            [FieldError("body.as_of", "a simulation compares a draft with the version in force")],
        )
    current_rule = compiled_rule(current)
    in_force = parameters_on(session, policy.id, as_of)
    try:
        current_params = check_params(current_rule.params, in_force)
    except ParameterError as exc:
        raise DomainError(
            CONFLICT, f"version {current.version} cannot run on {as_of}: {exc}"
        ) from exc

    draft = req.draft
    draft_version: PolicyVersion | None
    if draft.version is not None:
        draft_version = get_version(session, principal, policy, draft.version)
        draft_rule = validated_rule(draft_version.rule, parameter_specs(draft_version), "rule")
    elif draft.rule is not None:
        draft_version = None
        draft_rule = validated_rule(draft.rule, draft.parameter_types or {}, "body.draft.rule")
    else:
        draft_version, draft_rule = current, current_rule
    draft_params = _draft_parameters(draft_rule, in_force, draft.parameters or {}, as_of)

    # Each side reads the facts from the sources its own version accepts: a draft that changes
    # only which sources count (verified only, say) is simulated too. A draft given as a bare
    # rule has no sources of its own and runs on the current version's.
    accept = accepted(current)
    cols = population_columns(session, principal, policy.city_code, policy.side.value)
    table = population_table(cols, policy.city_code, policy.side.value, as_of, accept)
    draft_accept = accepted(draft_version) if draft_version is not None else accept
    draft_table = (
        table
        if draft_accept == accept
        else population_table(cols, policy.city_code, policy.side.value, as_of, draft_accept)
    )
    result = simulate(current_rule, current_params, draft_rule, draft_params, table, draft_table)
    changes = result.changes(req.changes_limit)
    return SimulationResponse(
        policy_id=policy.id,
        city_code=policy.city_code,
        side=policy.side,
        benefit=policy.benefit,
        as_of=as_of,
        population=result.n_rows,
        before=_side(result, "before", current, dict(current_params)),
        after=_side(result, "after", draft_version, draft_params),
        newly_eligible=result.newly_eligible,
        no_longer_eligible=result.no_longer_eligible,
        changed=result.changed,
        transitions=result.transitions,
        changes=[
            TalentChange(talent_id=c["row_id"], before=c["before"], after=c["after"])
            for c in changes
        ],
        changes_truncated=result.changed > len(changes),
    )
