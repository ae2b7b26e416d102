"""Eligibility decisions: evaluate, explain, forecast, sign, store; read back; verify by ID."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from talent_service.auth.disclosure import shown_id
from talent_service.auth.principal import Principal
from talent_service.auth.visibility import get_visible, scoped
from talent_service.cities.service import require_city
from talent_service.core.clock import today
from talent_service.core.errors import CONFLICT, DomainError, forbidden, not_found, rule_violation
from talent_service.core.signing import key_id, sign
from talent_service.core.signing_keys import signing_key
from talent_service.eligibility.decisions.asking import Asking, asking, record_supplied
from talent_service.eligibility.decisions.document import (
    DecisionDocument,
    DocumentPolicy,
    DocumentSuppliedFact,
    DocumentTalent,
)
from talent_service.eligibility.decisions.fact_source import load_records
from talent_service.eligibility.decisions.reads import attestation_of, attestation_read, to_read
from talent_service.eligibility.decisions.reuse import answer_hash, stored_answers
from talent_service.eligibility.decisions.schemas import (
    CheckRequest,
    CheckResponse,
    VerifyRequest,
    VerifyResponse,
)
from talent_service.eligibility.engine.child_facts import child_facts
from talent_service.eligibility.engine.evaluate import ENGINE_VERSION, evaluate
from talent_service.eligibility.engine.fact_builder import (
    BuiltFacts,
    FactInputs,
    build,
    day_number,
    growing_facts,
    row_facts,
)
from talent_service.eligibility.engine.facts import CHILD_FACTS
from talent_service.eligibility.engine.forecast import forecast
from talent_service.eligibility.engine.parameters import ParameterError
from talent_service.eligibility.engine.provenance import corrections, describe, provenance
from talent_service.eligibility.engine.records import Held, Records, held_on, inputs_on
from talent_service.eligibility.policies.store import (
    PolicyCalendar,
    accepted,
    compiled_rule,
    policies_for,
    policy_calendar,
    side_of,
)
from talent_service.models import Decision, Policy, PolicyVersion, Talent
from talent_service.models.base import utcnow
from talent_service.reference.enums import Benefit, Role, Side
from talent_service.talents.service import identity_key, parse_identity
from talent_service.webhooks.events import EventType
from talent_service.webhooks.outbox import emit


@dataclass(frozen=True)
class Subject:
    """The person a decision is about, with the records read once for all policies, and the
    inputs laid out as of the date with every declaration accepted (for finding the cities)."""

    talent: Talent
    records: Records
    inputs: FactInputs


def _subject(session: Session, talent: Talent, as_of: date) -> Subject:
    assert talent.id is not None
    records = load_records(session, [talent.id])
    return Subject(talent, records, inputs_on(records, as_of))


@dataclass(frozen=True)
class Laid:
    """The subject's facts for one city, side and accepted sources."""

    held: Held
    inputs: FactInputs
    built: BuiltFacts


def _cities_of_spells(
    inputs: FactInputs, as_of: date, firm_id: int | None = None
) -> list[tuple[str, Side]]:
    """Host and home cities of the spells open on ``as_of``, else of the latest spell; with
    ``firm_id``, of that firm's spells only (a firm must not learn where others employ them)."""
    d = day_number(as_of)
    started = inputs.hired <= d
    if firm_id is not None:
        started = started & (inputs.firm_id == firm_id)
    rows = np.flatnonzero(started & (inputs.departed >= d))
    if rows.size == 0 and started.any():
        ends = np.where(started, np.minimum(inputs.departed, d), -1)
        rows = np.array([int(np.argmax(ends))])
    cities: dict[tuple[str, Side], None] = {}
    for r in rows:
        if inputs.center_host[r]:
            cities[(str(inputs.center_host[r]), Side.host)] = None
        cities[(str(inputs.firm_home[r]), Side.home)] = None
    return list(cities)


def _targets(
    session: Session, principal: Principal, subject: Subject, req: CheckRequest, as_of: date
) -> list[Policy]:
    if req.city_code is not None:
        city = require_city(session, req.city_code, "body.city_code")
        side = side_of(city.region)
        if req.side is not None and req.side is not side:
            raise rule_violation("body.side", f"{city.name_en} is a {side.value}-side city")
        cities = [city.code]
    else:
        own = principal.firm_id if principal.role is Role.firm else None
        cities = [
            c for c, s in _cities_of_spells(subject.inputs, as_of, own) if req.side in (None, s)
        ]
        if not cities:
            raise rule_violation(
                "body.talent_id",
                f"no employment on or before {as_of} ties this talent to a city; name city_code",
            )
    benefits = [req.benefit] if req.benefit is not None else list(Benefit)
    policies = policies_for(session, cities, benefits)
    if not policies:
        raise rule_violation("body.city_code", "no policy of these cities covers this benefit")
    return policies


def _annotate(node: dict[str, Any], prov: dict[str, dict[str, Any]]) -> None:
    """Each criterion says what its fact rests on."""
    if node.get("fact") in prov:
        node["rests_on_zh"], node["rests_on_en"] = describe(prov[node["fact"]])
    for child in node.get("children", []):
        _annotate(child, prov)
    if "child" in node:
        _annotate(node["child"], prov)


def _previous_issue(
    session: Session, talent_id: int, policy: Policy, as_of: date, asker: str
) -> Any:
    """When this asker's last decision on the same question was issued (None: the first).

    The asker's own: counting another asker's decision would hide the records recorded between
    the two, and so tell the asker that someone else asked (see ``reuse``)."""
    return session.exec(
        select(func.max(Decision.created_at)).where(
            Decision.talent_id == talent_id,
            Decision.city_code == policy.city_code,
            Decision.benefit == policy.benefit,
            Decision.as_of == as_of,
            Decision.requested_by == asker,
        )
    ).one()


def _document(
    decision_id: str,
    subject: Subject,
    policy: Policy,
    version: PolicyVersion,
    as_of: date,
    principal: Principal,
    laid: Laid,
    calendar: PolicyCalendar,
    ask: Asking,
) -> DecisionDocument:
    assert policy.id is not None and version.id is not None and subject.talent.id is not None
    rule = compiled_rule(version)
    params = calendar.parameters_on(as_of)
    accepts = frozenset(version.accepts_supplied)
    child = child_facts(
        ask.record, as_of, policy.city_code, ask.supplied, accepts, principal.subject, rule.facts
    )
    facts = row_facts(laid.built, 0) | child.values
    try:
        evaluation = evaluate(rule, facts, params)
        outlook = forecast(
            rule,
            params,
            facts,
            as_of,
            growing=growing_facts(laid.inputs, laid.built, 0),
            birth_date=subject.talent.birth_date,
            births=child.births,
            stages=calendar.stages_after(as_of),
            version=version.version,
        )
    except ParameterError as exc:
        raise DomainError(
            CONFLICT, f"policy {policy.id} version {version.version} cannot run on {as_of}: {exc}"
        ) from exc
    used = evaluation.facts_used
    prov = provenance(subject.records, laid.held, laid.inputs, laid.built, list(used))
    prov |= {name: child.provenance[name] for name in used if name in CHILD_FACTS}
    _annotate(evaluation.explanation, prov)
    future = outlook.to_json()
    if future["facts_on_change"] is not None:
        # Only what the deciding rule reads, as in ``facts``: the rest of the person is not its
        # business (the deciding rule is a later version's when the calendar decides).
        reads = rule.facts
        if outlook.version_on_change is not None:
            later = next(v for v in calendar.versions if v.version == outlook.version_on_change)
            reads = compiled_rule(later).facts
        future["facts_on_change"] = {name: future["facts_on_change"].get(name) for name in reads}
    return DecisionDocument(
        decision_id=decision_id,
        issued_at=utcnow().isoformat(),
        as_of=as_of,
        # As every read shows it (auth/disclosure.py), so the signed document holds no more.
        talent=DocumentTalent(
            id=subject.talent.id, id_number_masked=shown_id(subject.talent.id_masked)
        ),
        policy=DocumentPolicy(
            policy_id=policy.id,
            version_id=version.id,
            version=version.version,
            city_code=policy.city_code,
            benefit=policy.benefit,
            side=policy.side,
            name_zh=policy.name_zh,
            name_en=policy.name_en,
            document_ref=version.document_ref,
            effective_from=version.effective_from,
            effective_to=version.effective_to,
            accepts_supplied=sorted(accepts),
        ),
        engine_version=ENGINE_VERSION,
        outcome=evaluation.outcome,
        summary_zh=evaluation.summary_zh,
        summary_en=evaluation.summary_en,
        facts=evaluation.facts_used,
        parameters=evaluation.params_used,
        failed_criteria=evaluation.failed_criteria,
        missing_facts=evaluation.missing_facts,
        explanation=evaluation.explanation,
        provenance=prov,
        fact_sources={f.value: sorted(v.value for v in s) for f, s in accepted(version).items()},
        household_member_id=ask.member_id,
        supplied_facts=[DocumentSuppliedFact.model_validate(s) for s in child.supplied],
        suppliable_facts=sorted(f for f in evaluation.missing_facts if f in accepts),
        needs_household_member=ask.member_id is None and any(f in CHILD_FACTS for f in rule.facts),
        forecast=future,
        requested_by=principal.subject,
    )


def _store(
    session: Session, subject: Subject, document: DecisionDocument, policy: Policy, answer: str
) -> Decision:
    """Sign and add a new decision, naming the records that came since the asker's last one."""
    assert subject.talent.id is not None
    as_of = document.as_of
    since = _previous_issue(session, subject.talent.id, policy, as_of, document.requested_by)
    document = document.with_corrections(
        [] if since is None else corrections(subject.records, as_of, since)
    )
    body = document.to_json()
    key = signing_key()
    signature = sign(body, key)
    attestation = attestation_of(document, signature.content_hash)
    decision = Decision(
        id=document.decision_id,
        talent_id=subject.talent.id,
        policy_version_id=document.policy.version_id,
        city_code=policy.city_code,
        benefit=policy.benefit,
        side=policy.side,
        as_of=as_of,
        outcome=document.outcome,
        engine_version=document.engine_version,
        document=body,
        content_hash=signature.content_hash,
        signature=signature.jws,
        attestation_signature=sign(attestation.model_dump(mode="json"), key).jws,
        key_id=signature.kid,
        requested_by=document.requested_by,
        answer_hash=answer,
    )
    session.add(decision)
    record_supplied(session, document)
    return decision


def _announce(session: Session, decision: Decision) -> None:
    """The new decision's event (webhooks/outbox.py): ids only; the outcome is read through
    the API by those allowed to read it."""
    emit(
        session,
        EventType.decision_issued,
        ("decision", decision.id),
        {
            "decision_id": decision.id,
            "talent_id": decision.talent_id,
            "city_code": decision.city_code,
            "benefit": decision.benefit.value,
            "side": decision.side.value,
        },
    )


@dataclass(frozen=True)
class Made:
    """A decision as returned: new, or the asker's stored one with the same answer."""

    decision: Decision
    reused: bool


def _keep(
    session: Session, subject: Subject, answers: list[tuple[DecisionDocument, Policy, str]]
) -> list[Made]:
    """Each answer's stored decision when the asker has it already, else a new one (``reuse``)."""
    asker = answers[0][0].requested_by
    hashes = [h for _, _, h in answers]
    fresh: dict[str, Decision] = {}
    for attempt in (1, 2):
        stored = stored_answers(session, asker, key_id(signing_key()), hashes)
        new = [a for a in answers if a[2] not in stored]
        if not new:
            break
        try:
            with session.begin_nested():
                fresh = {h: _store(session, subject, doc, policy, h) for doc, policy, h in new}
                session.flush()
                # In the savepoint: a decision rolled back for a concurrent twin takes its
                # event with it; a reused decision was announced when it was issued.
                for decision in fresh.values():
                    _announce(session, decision)
            break
        except IntegrityError:
            # A concurrent identical asking stored one of these answers first (the unique key
            # ``uq_decision_answer_asker_key``): read it back and return it.
            if attempt == 2:
                raise
    return [Made(stored[h], True) if h in stored else Made(fresh[h], False) for h in hashes]


def _decide(
    session: Session,
    principal: Principal,
    subject: Subject,
    policies: list[Policy],
    as_of: date,
    ask: Asking,
) -> list[Made]:
    laid: dict[tuple[str, Side, tuple[tuple[str, tuple[str, ...]], ...]], Laid] = {}
    answers: list[tuple[DecisionDocument, Policy, str]] = []
    assert subject.talent.id is not None
    for policy in policies:
        assert policy.id is not None
        calendar = policy_calendar(session, policy.id)
        version = calendar.version_on(as_of)
        if version is None:
            continue
        accept = accepted(version)
        key = (
            policy.city_code,
            policy.side,
            tuple(sorted((f.value, tuple(sorted(s))) for f, s in accept.items())),
        )
        if key not in laid:
            held = held_on(subject.records, as_of, accept)
            inputs = inputs_on(subject.records, as_of, held=held)
            laid[key] = Laid(
                held, inputs, build(inputs, policy.city_code, policy.side.value, as_of)
            )
        document = _document(
            str(uuid.uuid4()), subject, policy, version, as_of, principal, laid[key], calendar, ask
        )
        answers.append((document, policy, answer_hash(document.to_json())))
    if not answers:
        raise rule_violation("body.as_of", f"no policy version is in force on {as_of}")
    return _keep(session, subject, answers)


def run_checks(session: Session, principal: Principal, req: CheckRequest) -> CheckResponse:
    talent = get_visible(session, Talent, req.talent_id, principal)
    assert talent.id is not None
    as_of = req.as_of or today()
    ask = asking(session, principal, talent.id, as_of, req.household_member_id, req.supplied_facts)
    subject = _subject(session, talent, as_of)
    targets = _targets(session, principal, subject, req, as_of)
    made = _decide(session, principal, subject, targets, as_of, ask)
    return CheckResponse(
        talent_id=talent.id,
        as_of=as_of,
        decisions=[
            to_read(m.decision, principal, talent.birth_date, reused=m.reused) for m in made
        ],
    )


def verify(session: Session, principal: Principal, req: VerifyRequest) -> VerifyResponse:
    """A machine client asks about a person by ID number and learns only the outcome."""
    if principal.role is Role.client and principal.city_code not in (None, req.city_code):
        raise forbidden(f"this client verifies for city {principal.city_code} only")
    city = require_city(session, req.city_code, "body.city_code")
    identity = parse_identity(req.id_kind, req.id_number, req.nationality)
    talent = session.exec(
        scoped(Talent, principal).where(Talent.id_lookup == identity_key(identity))
    ).first()
    if talent is None or talent.id is None:
        raise not_found("talent with this ID number", "")
    as_of = req.as_of or today()
    policies = policies_for(session, [city.code], [req.benefit])
    if not policies:
        raise rule_violation(
            "body.benefit", f"{city.name_en} has no policy for {req.benefit.value}"
        )
    ask = asking(session, principal, talent.id, as_of, req.household_member_id, req.supplied_facts)
    subject = _subject(session, talent, as_of)
    made = _decide(session, principal, subject, policies, as_of, ask)[0]
    return attestation_read(made.decision, reused=made.reused)
