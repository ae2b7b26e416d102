"""A bureau (for the talent it sees) or the province verifies or rejects a declaration, once.

The review fills the declaration's review fields (verification, who, when, evidence or reason)
and nothing else; a verdict is final (a wrong one is answered by a new declaration, which the
reviewer's own party may make and the declaring party may correct). Then the profiles the
declaration feeds are refreshed: the person's, and the declaring firm's own registration.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from talent_service.audit import record as audit
from talent_service.auth.principal import Principal
from talent_service.core.errors import CONFLICT, DomainError
from talent_service.core.preconditions import check_version
from talent_service.declarations.queries import get_declaration, talent_of
from talent_service.declarations.service import refresh_profile, refresh_registration
from talent_service.models import Declaration, Talent
from talent_service.models.base import utcnow
from talent_service.reference.enums import Source, Verification
from talent_service.webhooks.events import EventType
from talent_service.webhooks.outbox import emit


def review(
    session: Session,
    principal: Principal,
    declaration_id: int,
    verdict: Verification,
    *,
    evidence: str | None = None,
    reason: str | None = None,
    expected: int | None = None,
) -> Declaration:
    """Verify (``evidence``) or reject (``reason``) a declaration still ``declared``.

    Locks, in the order every write about a person takes them: the person's row, then the
    declaration's (``FOR UPDATE``). Two reviews of one declaration take turns; the second reads
    the verdict of the first and is refused (409), so a declaration is reviewed exactly once.
    """
    assert verdict in (Verification.verified, Verification.rejected)
    talent_id = talent_of(session, principal, declaration_id)
    talent = session.exec(select(Talent).where(col(Talent.id) == talent_id).with_for_update()).one()
    declaration = get_declaration(session, principal, declaration_id, for_update=True)
    check_version(declaration.version, expected)
    if declaration.verification is not Verification.declared:
        raise DomainError(
            CONFLICT,
            f"declaration {declaration_id} was already {declaration.verification.value} "
            f"(by {declaration.reviewed_by} at {declaration.reviewed_at}); a review is final",
        )
    declaration.verification = verdict
    declaration.reviewed_by = principal.subject
    declaration.reviewed_at = utcnow()
    declaration.evidence = evidence if verdict is Verification.verified else None
    declaration.review_note = reason if verdict is Verification.rejected else None
    session.add(declaration)
    refresh_profile(session, talent)  # flushes the review first
    if declaration.source is Source.firm and declaration.source_firm_id is not None:
        refresh_registration(session, talent_id, declaration.source_firm_id)
    session.flush()
    audit.record(
        session, principal, "declaration.review", "declaration", declaration_id, verdict.value
    )
    if verdict is Verification.verified:
        # Who hears of it follows the person's visibility (no declaration rule of its own).
        emit(
            session,
            EventType.declaration_verified,
            ("declaration", declaration_id),
            {"declaration_id": declaration_id, "talent_id": talent_id, "fact": declaration.fact},
            scope=("talent", talent_id),
        )
    return declaration
