"""One registry of problem types, and the domain errors that services raise.

Services never raise HTTP errors: they raise a ``DomainError`` carrying its problem type, and one
handler (``core.problems``) renders RFC 9457 problem details.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROBLEM_BASE = "https://talent-service.gd.gov.cn/problems/"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: str
    status: int

    @property
    def uri(self) -> str:
        return PROBLEM_BASE + self.slug


VALIDATION = ProblemType("validation", "Request is not valid", 422)
BAD_REQUEST = ProblemType("bad-request", "Request cannot be read", 400)
UNAUTHENTICATED = ProblemType("unauthenticated", "Authentication required", 401)
FORBIDDEN = ProblemType("forbidden", "Not allowed for this caller", 403)
# A self-registered firm's account before its home city's bureau approved it, or after it refused.
FIRM_PENDING = ProblemType("firm-pending", "The firm's sign-up awaits approval", 403)
FIRM_REJECTED = ProblemType("firm-rejected", "The firm's sign-up was rejected", 403)
NOT_FOUND = ProblemType("not-found", "Resource not found", 404)
METHOD_NOT_ALLOWED = ProblemType("method-not-allowed", "Method not allowed", 405)
NOT_ACCEPTABLE = ProblemType("not-acceptable", "Not acceptable", 406)
CONFLICT = ProblemType("conflict", "Conflicts with the current state", 409)
PRECONDITION_FAILED = ProblemType("precondition-failed", "Resource changed since read", 412)
UNSUPPORTED_MEDIA = ProblemType("unsupported-media-type", "Unsupported media type", 415)
RULE_VIOLATION = ProblemType("rule-violation", "Refused by a program rule", 422)
INVALID_GRANT = ProblemType("invalid-grant", "Credentials not accepted", 400)
THROTTLED = ProblemType("throttled", "Too many attempts; try again later", 429)
INTERNAL = ProblemType("internal", "Internal error", 500)
UNAVAILABLE = ProblemType("unavailable", "Service unavailable", 503)
# Idempotency-Key (core/idempotency.py); after the generic types, so they keep their statuses.
IDEMPOTENCY_KEY_REUSED = ProblemType(
    "idempotency-key-reused", "Idempotency-Key already used for a different request", 422
)
IDEMPOTENCY_KEY_IN_FLIGHT = ProblemType(
    "idempotency-key-in-flight", "A request with this Idempotency-Key is still in progress", 409
)

PROBLEM_TYPES = {
    p.slug: p
    for p in (
        VALIDATION,
        BAD_REQUEST,
        UNAUTHENTICATED,
        FORBIDDEN,
        FIRM_PENDING,
        FIRM_REJECTED,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        NOT_ACCEPTABLE,
        CONFLICT,
        PRECONDITION_FAILED,
        UNSUPPORTED_MEDIA,
        RULE_VIOLATION,
        INVALID_GRANT,
        THROTTLED,
        INTERNAL,
        UNAVAILABLE,
        IDEMPOTENCY_KEY_REUSED,
        IDEMPOTENCY_KEY_IN_FLIGHT,
    )
}


@dataclass(frozen=True)
class FieldError:
    """One failing field: a dotted location (``body.home_city_code``) and a reason."""

    field: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason}


@dataclass
class DomainError(Exception):
    problem: ProblemType
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.detail


def not_found(resource: str, key: object) -> DomainError:
    return DomainError(NOT_FOUND, f"{resource} {key} does not exist")


def conflict(detail: str, field_name: str | None = None) -> DomainError:
    errors = [FieldError(field_name, detail)] if field_name else []
    return DomainError(CONFLICT, detail, errors)


def rule_violation(field_name: str, reason: str) -> DomainError:
    """A request that is well-formed but breaks a program rule (e.g. a PRD home city)."""
    return DomainError(RULE_VIOLATION, f"{field_name}: {reason}", [FieldError(field_name, reason)])


def throttled(detail: str, retry_after: int) -> DomainError:
    """A 429 whose ``Retry-After`` header says when to try again (seconds)."""
    return DomainError(THROTTLED, detail, extra={"retry_after": max(1, retry_after)})


def forbidden(detail: str) -> DomainError:
    return DomainError(FORBIDDEN, detail)
