"""Benefit policies as data: create policies, draft and publish versions, add parameter values.

Who may do what:

- *reading* — policies are public program rules: every caller with ``eligibility:check`` reads
  every city's policies and their published versions (like enclave spaces, outside the
  registry's visibility rule); drafts are work in progress, shown only to those who may edit;
- *writing* — the province everywhere, a city's bureau for its own city's policies only.

Every write of one policy first locks the policy row, so that the overlap checks, version
numbering and "close the previous range" below see what concurrent writers did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select

from talent_service.auth.principal import Principal
from talent_service.cities.service import require_city
from talent_service.core.clock import today
from talent_service.core.errors import (
    CONFLICT,
    PRECONDITION_FAILED,
    RULE_VIOLATION,
    VALIDATION,
    DomainError,
    FieldError,
    conflict,
    forbidden,
    not_found,
    rule_violation,
)
from talent_service.core.pagination import PageParams
from talent_service.core.types import printable
from talent_service.eligibility.engine.parameters import ParamSpec, param_value_problem
from talent_service.eligibility.engine.rules import (
    MAX_LIST_ITEMS,
    Rule,
    RuleValidationError,
    param_threshold_problem,
    threshold_errors,
    validate_rule,
)
from talent_service.eligibility.policies.schemas import (
    ParameterCreate,
    ParameterRead,
    PolicyCreate,
    PolicyDetail,
    VersionCreate,
    VersionSummary,
    VersionUpdate,
)
from talent_service.eligibility.policies.store import (
    BENEFIT_NAMES,
    SIDE_ZH,
    compiled_rule,
    history_of,
    parameter_history,
    parameter_specs,
    side_of,
)
from talent_service.eligibility.policies.versions import (
    check_range,
    in_range,
    overlapping,
    param_values_on,
    pick_version,
    ranges_overlap,
)
from talent_service.models import Policy, PolicyParameter, PolicyVersion
from talent_service.models.base import utcnow
from talent_service.reference.enums import Benefit, PolicyStatus, Role, Side

MAX_VALUE_JSON = 10_000  # characters of a parameter value's JSON; real thresholds are tiny


# --- who ---------------------------------------------------------------------------------------


def may_edit(principal: Principal, city_code: str) -> bool:
    return principal.role is Role.province or (
        principal.role is Role.bureau and principal.city_code == city_code
    )


def _require_editor(principal: Principal, city_code: str) -> None:
    if not may_edit(principal, city_code):
        raise forbidden(
            f"only the province or the bureau of city {city_code} may change this city's policies"
        )


# --- reading -----------------------------------------------------------------------------------


def get_policy(session: Session, policy_id: int) -> Policy:
    policy = session.get(Policy, policy_id)
    if policy is None:
        raise not_found("policy", policy_id)
    return policy


def _lock_policy(session: Session, policy_id: int) -> Policy:
    """The policy row, locked until the unit of work ends (a no-op lock on SQLite, whose
    writers are serialised anyway)."""
    policy = session.exec(
        select(Policy).where(col(Policy.id) == policy_id).with_for_update()
    ).first()
    if policy is None:
        raise not_found("policy", policy_id)
    return policy


def list_policies(
    session: Session,
    page: PageParams,
    *,
    city_code: str | None = None,
    benefit: Benefit | None = None,
    side: Side | None = None,
) -> list[Policy]:
    query = select(Policy).where(col(Policy.id) > page.after_id)
    if city_code is not None:
        query = query.where(col(Policy.city_code) == city_code)
    if benefit is not None:
        query = query.where(col(Policy.benefit) == benefit)
    if side is not None:
        query = query.where(col(Policy.side) == side)
    return list(session.exec(query.order_by(col(Policy.id)).limit(page.limit + 1)).all())


def _versions(session: Session, policy_id: int) -> list[PolicyVersion]:
    return list(
        session.exec(
            select(PolicyVersion)
            .where(col(PolicyVersion.policy_id) == policy_id)
            .order_by(col(PolicyVersion.version))
        ).all()
    )


def _published(versions: Sequence[PolicyVersion]) -> list[PolicyVersion]:
    return [v for v in versions if v.status is PolicyStatus.published]


def _parameter_rows(
    session: Session, policy_id: int, name: str | None = None
) -> list[PolicyParameter]:
    """The policy's parameter values (of one parameter when ``name`` is given), by name and
    start."""
    query = select(PolicyParameter).where(col(PolicyParameter.policy_id) == policy_id)
    if name is not None:
        query = query.where(col(PolicyParameter.name) == name)
    return list(
        session.exec(
            query.order_by(col(PolicyParameter.name), col(PolicyParameter.effective_from))
        ).all()
    )


def policy_detail(session: Session, principal: Principal, policy: Policy) -> PolicyDetail:
    assert policy.id is not None
    on = today()
    versions = _versions(session, policy.id)
    shown = versions if may_edit(principal, policy.city_code) else _published(versions)
    current = pick_version(_published(versions), on)
    rows = _parameter_rows(session, policy.id)
    return PolicyDetail(
        **policy.model_dump(),
        as_of=on,
        current_version=current.version if current else None,
        current_parameters=param_values_on(history_of(rows), on),
        versions=[VersionSummary.model_validate(v) for v in shown],
        parameters=[ParameterRead.model_validate(r) for r in rows],
    )


def get_version(
    session: Session,
    principal: Principal,
    policy: Policy,
    number: int,
    *,
    for_update: bool = False,
) -> PolicyVersion:
    """Version ``number`` of the policy; a draft is shown only to those who may edit it (to
    anyone else it does not exist)."""
    query = select(PolicyVersion).where(
        col(PolicyVersion.policy_id) == policy.id, col(PolicyVersion.version) == number
    )
    version = session.exec(query.with_for_update() if for_update else query).first()
    if version is None or (
        version.status is PolicyStatus.draft and not may_edit(principal, policy.city_code)
    ):
        raise not_found(f"version of policy {policy.id}", number)
    return version


def version_tag(version: PolicyVersion) -> int:
    """A validator of a version's content for ETag / If-Match (at most nine digits).

    Versions carry no row counter; the content decides whether what a caller read is still
    what is stored, which is what If-Match must tell.
    """
    content = {
        "status": version.status.value,
        "rule": version.rule,
        "parameter_types": version.parameter_types,
        "fact_sources": version.fact_sources,
        "accepts_supplied": version.accepts_supplied,
        "effective_from": version.effective_from.isoformat(),
        "effective_to": version.effective_to.isoformat() if version.effective_to else None,
        "document_ref": version.document_ref,
        "description_zh": version.description_zh,
        "description_en": version.description_en,
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    return int(digest[:15], 16) % 10**9


# --- rules and ranges -------------------------------------------------------------------------


MAX_NUMBER = 2**53  # beyond this a JSON number is not exact as a float64 (nor a threshold)


def data_problems(raw: object, path: str) -> Iterator[FieldError]:
    """Strings that are not printable text (the check of every text field: no control, format,
    surrogate, unassigned or separator characters) and numbers out of range anywhere in a JSON
    value (rules are validated first, so the walk is shallow)."""
    if isinstance(raw, str):
        try:
            printable(raw)
        except ValueError as exc:
            yield FieldError(path, str(exc))
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        if abs(raw) > MAX_NUMBER:
            yield FieldError(path, f"numbers must lie within ±2^53 ({MAX_NUMBER})")
    elif isinstance(raw, Mapping):
        for key, value in raw.items():
            yield from data_problems(value, f"{path}.{key}")
    elif isinstance(raw, list):
        for i, value in enumerate(raw):
            yield from data_problems(value, f"{path}[{i}]")


def validated_rule(raw: object, types: Mapping[str, ParamSpec], path: str) -> Rule:
    """The typed rule, or a validation problem listing every failing field under ``path``."""
    try:
        rule = validate_rule(raw, types, path=path)
        if bounds := threshold_errors(rule, path):
            raise RuleValidationError(bounds)
    except RuleValidationError as exc:
        errors = [FieldError(e["field"], e["reason"]) for e in exc.problem_errors()]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        detail = f"The rule is not valid: {errors[0].field}: {errors[0].reason}{more}"
        raise DomainError(VALIDATION, detail, errors) from exc
    if bad := list(data_problems(raw, path)):
        raise DomainError(
            VALIDATION, f"The rule is not valid: {bad[0].field}: {bad[0].reason}", bad
        )
    return rule


def _check_range(effective_from: date, effective_to: date | None, field_prefix: str) -> None:
    """:func:`~.versions.check_range`, refused as a problem about ``effective_to``."""
    try:
        check_range(effective_from, effective_to)
    except ValueError as exc:
        raise rule_violation(f"{field_prefix}effective_to", str(exc)) from exc


def _show_range(effective_from: date, effective_to: date | None) -> str:
    return f"[{effective_from}, {effective_to or 'open'})"


def _clash_field(candidate_from: date, clash: Any, prefix: str) -> str:
    """Which end of the candidate runs into ``clash``: its start lies inside the clash, or its
    end reaches past the clash's start."""
    inside = in_range(clash.effective_from, clash.effective_to, candidate_from)
    return f"{prefix}effective_from" if inside else f"{prefix}effective_to"


def _closable(clashes: Sequence[Any], effective_from: date) -> Any | None:
    """The one open-ended range in force on ``effective_from`` that may be closed there."""
    if len(clashes) != 1:
        return None
    only = clashes[0]
    if only.effective_to is None and only.effective_from < effective_from:
        return only
    return None


# --- policies -----------------------------------------------------------------------------------


def create_policy(session: Session, principal: Principal, data: PolicyCreate) -> Policy:
    city = require_city(session, data.city_code, "body.city_code")
    _require_editor(principal, city.code)
    exists = session.exec(
        select(Policy.id).where(Policy.city_code == city.code, Policy.benefit == data.benefit)
    ).first()
    if exists is not None:
        raise conflict(
            f"{city.name_en} already has a {data.benefit.value} policy (id {exists}); add a "
            "version to it instead",
            "body.benefit",
        )
    side = side_of(city.region)
    zh, en = BENEFIT_NAMES[data.benefit]
    policy = Policy(
        city_code=city.code,
        benefit=data.benefit,
        side=side,
        name_zh=data.name_zh or f"{city.name_zh}{SIDE_ZH[side]}人才{zh}政策",
        name_en=data.name_en or f"{city.name_en} {side.value}-side talent {en} policy",
    )
    session.add(policy)
    session.flush()  # a concurrent create of the same pair fails here: 409 from the handler
    return policy


# --- versions ----------------------------------------------------------------------------------


def create_version(
    session: Session, principal: Principal, policy_id: int, data: VersionCreate
) -> PolicyVersion:
    policy = _lock_policy(session, policy_id)
    _require_editor(principal, policy.city_code)
    validated_rule(data.rule, data.parameter_types, "body.rule")
    _check_range(data.effective_from, data.effective_to, "body.")
    latest = session.exec(
        select(func.max(PolicyVersion.version)).where(PolicyVersion.policy_id == policy_id)
    ).one()
    version = PolicyVersion(
        policy_id=policy_id,
        version=(latest or 0) + 1,
        status=PolicyStatus.draft,
        effective_from=data.effective_from,
        effective_to=data.effective_to,
        document_ref=data.document_ref,
        description_zh=data.description_zh,
        description_en=data.description_en,
        rule=data.rule,
        parameter_types={n: s.model_dump(mode="json") for n, s in data.parameter_types.items()},
        fact_sources={f.value: rule for f, rule in data.fact_sources.items()},
        accepts_supplied=sorted(set(data.accepts_supplied)),
    )
    session.add(version)
    session.flush()
    return version


def update_version(
    session: Session,
    principal: Principal,
    policy_id: int,
    number: int,
    data: VersionUpdate,
    expected_tag: int | None,
) -> PolicyVersion:
    policy = _lock_policy(session, policy_id)
    _require_editor(principal, policy.city_code)
    version = get_version(session, principal, policy, number, for_update=True)
    if version.status is PolicyStatus.published:
        raise DomainError(
            CONFLICT,
            f"version {number} is published: a published version is never edited; create a "
            "new version",
        )
    if expected_tag is not None and expected_tag != version_tag(version):
        raise DomainError(
            PRECONDITION_FAILED,
            f"version {number} changed since you read it; read it again before changing it",
        )
    changes = data.model_dump(exclude_unset=True)
    if "rule" in changes or "parameter_types" in changes:
        types = (
            data.parameter_types if data.parameter_types is not None else parameter_specs(version)
        )
        rule = data.rule if data.rule is not None else version.rule
        # Paths name the body field when the rule was sent, the stored rule otherwise.
        validated_rule(rule, types, "body.rule" if data.rule is not None else "rule")
        version.rule = rule
        version.parameter_types = {n: s.model_dump(mode="json") for n, s in types.items()}
    effective_from = changes.get("effective_from", version.effective_from)
    effective_to = changes.get("effective_to", version.effective_to)
    _check_range(effective_from, effective_to, "body.")
    version.effective_from, version.effective_to = effective_from, effective_to
    if data.fact_sources is not None:
        version.fact_sources = {f.value: rule for f, rule in data.fact_sources.items()}
    if data.accepts_supplied is not None:
        version.accepts_supplied = sorted(set(data.accepts_supplied))
    for key in ("document_ref", "description_zh", "description_en"):
        if key in changes:
            setattr(version, key, changes[key])
    session.add(version)
    session.flush()
    return version


def _parameter_problems(
    session: Session, policy: Policy, version: PolicyVersion, rule: Rule
) -> list[FieldError]:
    """Parameters the rule reads that have no value on effective_from, or a value of the wrong
    type (or out of range as a threshold of the rule) anywhere in the version's range."""
    assert policy.id is not None
    history = parameter_history(session, policy.id)
    on_start = param_values_on(history, version.effective_from)
    problems = []
    for name, spec in rule.params.items():
        if name not in on_start:
            problems.append(
                FieldError(
                    f"parameters.{name}",
                    f"no value in force on effective_from {version.effective_from}; add one "
                    f"with POST /v1/policies/{policy.id}/parameters first",
                )
            )
        for value_range in history.get(name, []):
            if not ranges_overlap(
                version.effective_from,
                version.effective_to,
                value_range.effective_from,
                value_range.effective_to,
            ):
                continue
            shown = _show_range(value_range.effective_from, value_range.effective_to)
            if why := param_value_problem(spec, value_range.value):
                problems.append(
                    FieldError(
                        f"parameters.{name}",
                        f"the value in force over {shown} does not fit this version's declared "
                        f"type: {why}",
                    )
                )
            elif why := param_threshold_problem(rule, name, value_range.value):
                problems.append(
                    FieldError(
                        f"parameters.{name}",
                        f"the value in force over {shown} does not fit this version's rule: {why}",
                    )
                )
    return problems


def publish_version(
    session: Session, principal: Principal, policy_id: int, number: int, *, supersede: bool
) -> PolicyVersion:
    """Publish a draft. Its range must not overlap another published version's, except that
    ``supersede`` closes the one open-ended version in force on the new effective_from there."""
    policy = _lock_policy(session, policy_id)
    _require_editor(principal, policy.city_code)
    version = get_version(session, principal, policy, number, for_update=True)
    if version.status is PolicyStatus.published:
        raise DomainError(CONFLICT, f"version {number} is already published")
    rule = validated_rule(version.rule, parameter_specs(version), "rule")
    others = [v for v in _published(_versions(session, policy_id)) if v.id != version.id]
    clashes = overlapping(version, others)
    closing = _closable(clashes, version.effective_from) if supersede else None
    if clashes and closing is None:
        hint = (
            "supersede closes only one open-ended version that starts before this one"
            if supersede
            else f'publish with {{"supersede": true}} to close version {clashes[0].version} on '
            f"{version.effective_from}, or change this draft's range"
        )
        errors = [
            FieldError(
                _clash_field(version.effective_from, c, ""),
                f"{_show_range(version.effective_from, version.effective_to)} overlaps published "
                f"version {c.version} {_show_range(c.effective_from, c.effective_to)}; {hint}",
            )
            for c in clashes
        ]
        raise DomainError(
            RULE_VIOLATION,
            f"version {number} overlaps published version(s) "
            f"{', '.join(str(c.version) for c in clashes)} of policy {policy_id}",
            errors,
        )
    problems = _parameter_problems(session, policy, version, rule)
    if problems:
        raise DomainError(
            RULE_VIOLATION, f"version {number} cannot run on its parameters yet", problems
        )
    if closing is not None:
        closing.effective_to = version.effective_from
        session.add(closing)
    version.status = PolicyStatus.published
    version.published_at = utcnow()
    version.published_by = principal.subject[:64]
    session.add(version)
    session.flush()
    return version


# --- parameters --------------------------------------------------------------------------------


def _declared_specs(
    versions: Sequence[PolicyVersion], name: str, effective_from: date, effective_to: date | None
) -> list[tuple[PolicyVersion, ParamSpec]]:
    """The types declared for ``name`` by the versions whose range overlaps the value's (by
    every version declaring it when none overlaps)."""
    declaring = [v for v in versions if name in v.parameter_types]
    overlap = [
        v
        for v in declaring
        if ranges_overlap(effective_from, effective_to, v.effective_from, v.effective_to)
    ]
    return [(v, ParamSpec.model_validate(v.parameter_types[name])) for v in (overlap or declaring)]


def _stored_rule(version: PolicyVersion) -> Rule | None:
    """A stored version's rule (validated when it was saved; None should it no longer be)."""
    try:
        if version.status is PolicyStatus.published:
            return compiled_rule(version)
        return validate_rule(version.rule, parameter_specs(version))
    except RuleValidationError:
        return None


def add_parameter(
    session: Session, principal: Principal, policy_id: int, data: ParameterCreate
) -> PolicyParameter:
    policy = _lock_policy(session, policy_id)
    _require_editor(principal, policy.city_code)
    _check_range(data.effective_from, data.effective_to, "body.")
    versions = _versions(session, policy_id)
    specs = _declared_specs(versions, data.name, data.effective_from, data.effective_to)
    if not specs:
        declared = sorted({n for v in versions for n in v.parameter_types})
        raise rule_violation(
            "body.name",
            f"no version of policy {policy_id} declares parameter {data.name!r} "
            f"(declared: {', '.join(declared) or 'none'})",
        )
    value: Any = data.value
    if bad := list(data_problems(value, "body.value")):
        raise DomainError(RULE_VIOLATION, f"body.value: {bad[0].reason}", bad)
    if len(json.dumps(value, ensure_ascii=False)) > MAX_VALUE_JSON:
        raise rule_violation("body.value", f"longer than {MAX_VALUE_JSON} characters as JSON")
    if isinstance(value, list) and len(value) > MAX_LIST_ITEMS:
        raise rule_violation("body.value", f"more than {MAX_LIST_ITEMS} items")
    for version, spec in specs:
        why = param_value_problem(spec, value)
        if why is None and (rule := _stored_rule(version)) is not None:
            why = param_threshold_problem(rule, data.name, value)  # e.g. an age limit of 10^6
        if why:
            raise rule_violation(
                "body.value", f"{why} (parameter {data.name!r} of version {version.version})"
            )
    existing = _parameter_rows(session, policy_id, data.name)
    candidate = PolicyParameter(
        policy_id=policy_id,
        name=data.name,
        value=value,
        effective_from=data.effective_from,
        effective_to=data.effective_to,
    )
    clashes = overlapping(candidate, existing)
    closing = _closable(clashes, data.effective_from) if data.close_current else None
    if closing is not None and data.effective_to is not None:
        raise rule_violation(
            "body.effective_to",
            "a value that closes the current one takes over for good and must be open-ended "
            "(otherwise the parameter would have no value after it)",
        )
    if clashes and closing is None:
        hint = (
            "close_current closes only one open-ended value that starts before this one"
            if data.close_current
            else f'send "close_current": true to end the value '
            f"{_show_range(clashes[0].effective_from, clashes[0].effective_to)} on "
            f"{data.effective_from}, or choose a range that does not overlap"
        )
        errors = [
            FieldError(
                _clash_field(data.effective_from, c, "body."),
                f"{_show_range(data.effective_from, data.effective_to)} overlaps the value "
                f"{json.dumps(c.value, ensure_ascii=False)[:80]} in force over "
                f"{_show_range(c.effective_from, c.effective_to)}; {hint}",
            )
            for c in clashes
        ]
        raise DomainError(
            RULE_VIOLATION, f"parameter {data.name!r} already has a value over this range", errors
        )
    if closing is not None:
        closing.effective_to = data.effective_from
        session.add(closing)
    session.add(candidate)
    session.flush()
    return candidate
