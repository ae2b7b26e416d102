"""Stored decisions as a caller reads them: filtered (for a firm; for everyone, the birth date
cut to its year: ``disclosure``), whole and signed at the audited ``document`` read, or as the
attestation a machine client receives (outcome and policy version, no personal data)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col

from talent_service.audit import record as audit
from talent_service.auth.principal import Principal
from talent_service.auth.visibility import scoped
from talent_service.core.errors import not_found
from talent_service.core.signing import content_hash
from talent_service.eligibility.decisions.disclosure import for_firm, for_person
from talent_service.eligibility.decisions.document import DecisionDocument
from talent_service.eligibility.decisions.schemas import (
    Attestation,
    DecisionRead,
    SignatureRead,
    VerifyResponse,
)
from talent_service.models import Decision, Talent
from talent_service.reference.enums import Role


def attestation_of(document: DecisionDocument, content_hash: str) -> Attestation:
    policy = document.policy
    return Attestation(
        decision_id=document.decision_id,
        issued_at=document.issued_at,
        as_of=document.as_of,
        city_code=policy.city_code,
        benefit=policy.benefit,
        side=policy.side,
        policy_id=policy.policy_id,
        policy_version=policy.version,
        document_ref=policy.document_ref,
        outcome=document.outcome,
        decision_content_hash=content_hash,
    )


def to_read(
    decision: Decision,
    principal: Principal,
    birth_date: date | None,
    *,
    reused: bool = False,
) -> DecisionRead:
    """The decision as the caller may read it (see ``disclosure``)."""
    document = decision.document
    if principal.role is Role.firm and principal.firm_id is not None:
        document = for_firm(decision.document, principal.firm_id)
    document = for_person(document, birth_date)
    # A filtered document: the whole document's signature would not verify over it; the
    # attestation's does, and says what a firm may rely on.
    filtered = document is not decision.document
    attestation = (
        attestation_of(DecisionDocument.from_stored(decision.document), decision.content_hash)
        if filtered
        else None
    )
    return DecisionRead(
        id=decision.id,
        outcome=decision.outcome,
        document=document,
        signature=SignatureRead(
            alg="EdDSA",
            kid=decision.key_id,
            jws=decision.attestation_signature if filtered else decision.signature,
            content_hash=(
                content_hash(attestation.model_dump(mode="json"))
                if attestation is not None
                else decision.content_hash
            ),
            signs="attestation" if filtered else "document",
        ),
        attestation=attestation,
        reused=reused,
    )


def whole(decision: Decision, *, reused: bool = False) -> DecisionRead:
    """The document exactly as signed, with its signature (verifiable against the JWKS)."""
    return DecisionRead(
        id=decision.id,
        outcome=decision.outcome,
        document=decision.document,
        signature=SignatureRead(
            alg="EdDSA",
            kid=decision.key_id,
            jws=decision.signature,
            content_hash=decision.content_hash,
            signs="document",
        ),
        reused=reused,
    )


def read_decision(session: Session, principal: Principal, decision_id: str) -> DecisionRead:
    decision = get_decision(session, principal, decision_id)
    talent = session.get(Talent, decision.talent_id)
    return to_read(decision, principal, talent.birth_date if talent else None)


def disclose_document(session: Session, principal: Principal, decision_id: str) -> DecisionRead:
    """The whole signed document (the age and dates it rests on): a disclosure of personal
    data, so an entry of the audit log, committed before the document is sent."""
    decision = get_decision(session, principal, decision_id)
    audit.record(session, principal, "decision.document", "decision", decision.id, "disclosed")
    return whole(decision)


def get_decision(session: Session, principal: Principal, decision_id: str) -> Decision:
    decision = session.exec(
        scoped(Decision, principal).where(col(Decision.id) == decision_id)
    ).first()
    if decision is None:
        raise not_found("decision", decision_id)
    return decision


def attestation_read(decision: Decision, *, reused: bool = False) -> VerifyResponse:
    """The attestation and its signature; ``content_hash`` is the attestation's own (what the
    signature signs), ``attestation.decision_content_hash`` the whole document's."""
    document = DecisionDocument.from_stored(decision.document)
    attestation = attestation_of(document, decision.content_hash)
    return VerifyResponse(
        decision_id=decision.id,
        outcome=decision.outcome,
        policy_id=attestation.policy_id,
        policy_version=attestation.policy_version,
        attestation=attestation,
        signature=SignatureRead(
            alg="EdDSA",
            kid=decision.key_id,
            jws=decision.attestation_signature,
            content_hash=content_hash(attestation.model_dump(mode="json")),
            signs="attestation",
        ),
        reused=reused,
        suppliable_facts=document.suppliable_facts,
        refused_supplied_facts=[s.fact for s in document.supplied_facts if not s.accepted],
        needs_household_member=document.needs_household_member,
    )
