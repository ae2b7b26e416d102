"""The event types other systems may subscribe to, and the scope each needs."""

from __future__ import annotations

from enum import StrEnum

from talent_service.auth.principal import SCOPE_ELIGIBILITY_VERIFY, SCOPE_REGISTRY_READ


class EventType(StrEnum):
    center_accredited = "center.accredited"
    center_rejected = "center.rejected"
    center_suspended = "center.suspended"
    center_reinstated = "center.reinstated"
    center_closed = "center.closed"
    employment_started = "employment.started"
    employment_ended = "employment.ended"
    decision_issued = "decision.issued"
    declaration_verified = "declaration.verified"


# A client hears of an event only if its scopes would let it read the subject: decisions are
# read by verifying systems, the registry's changes by those that read the registry.
REQUIRED_SCOPE: dict[EventType, str] = {
    t: SCOPE_ELIGIBILITY_VERIFY if t is EventType.decision_issued else SCOPE_REGISTRY_READ
    for t in EventType
}
