"""Who is calling, as the access token says: built from claims, never re-read from the database."""

from __future__ import annotations

from dataclasses import dataclass

from talent_service.reference.enums import Role, SignUpState

# Scopes name areas of the API; a user's scopes follow from the role, a client's are granted.
SCOPE_REGISTRY_READ = "registry:read"
SCOPE_REGISTRY_WRITE = "registry:write"
SCOPE_CENTERS_ACCREDIT = "centers:accredit"
# Closing a center is both its firm's and its host bureau's act: a scope of its own.
SCOPE_CENTERS_CLOSE = "centers:close"
SCOPE_ENCLAVES_WRITE = "enclaves:write"
SCOPE_FIRMS_ADMIN = "firms:admin"
SCOPE_ELIGIBILITY_CHECK = "eligibility:check"
SCOPE_ELIGIBILITY_VERIFY = "eligibility:verify"
SCOPE_POLICIES_WRITE = "policies:write"
SCOPE_RETENTION_READ = "retention:read"
# Verifying or rejecting what others declared about a person (education, title, hukou).
SCOPE_FACTS_VERIFY = "facts:verify"
# Reading the audit log: the province's alone.
SCOPE_AUDIT_READ = "audit:read"
# Approving or rejecting a self-registered firm: its home city's bureau, or the province.
SCOPE_FIRMS_APPROVE = "firms:approve"
# Supplying facts about a child in a check or verify request (a school-admission system).
SCOPE_EDUCATION_SUPPLY = "education:supply"

ALL_SCOPES = frozenset(
    {
        SCOPE_REGISTRY_READ,
        SCOPE_REGISTRY_WRITE,
        SCOPE_CENTERS_ACCREDIT,
        SCOPE_CENTERS_CLOSE,
        SCOPE_ENCLAVES_WRITE,
        SCOPE_FIRMS_ADMIN,
        SCOPE_ELIGIBILITY_CHECK,
        SCOPE_ELIGIBILITY_VERIFY,
        SCOPE_POLICIES_WRITE,
        SCOPE_RETENTION_READ,
        SCOPE_FACTS_VERIFY,
        SCOPE_AUDIT_READ,
        SCOPE_FIRMS_APPROVE,
        SCOPE_EDUCATION_SUPPLY,
    }
)
# Machine clients may be granted read and verification scopes, never registry writes.
CLIENT_GRANTABLE_SCOPES = frozenset(
    {
        SCOPE_REGISTRY_READ,
        SCOPE_ELIGIBILITY_VERIFY,
        SCOPE_ELIGIBILITY_CHECK,
        SCOPE_RETENTION_READ,
        SCOPE_EDUCATION_SUPPLY,
    }
)
ROLE_SCOPES: dict[Role, frozenset[str]] = {
    Role.province: ALL_SCOPES,
    Role.bureau: frozenset(
        {
            SCOPE_REGISTRY_READ,
            SCOPE_CENTERS_ACCREDIT,
            SCOPE_CENTERS_CLOSE,
            SCOPE_ENCLAVES_WRITE,
            SCOPE_ELIGIBILITY_CHECK,
            SCOPE_POLICIES_WRITE,
            SCOPE_RETENTION_READ,
            SCOPE_FACTS_VERIFY,
            SCOPE_FIRMS_APPROVE,
        }
    ),
    Role.firm: frozenset(
        {
            SCOPE_REGISTRY_READ,
            SCOPE_REGISTRY_WRITE,
            SCOPE_CENTERS_CLOSE,
            SCOPE_ELIGIBILITY_CHECK,
            SCOPE_RETENTION_READ,
        }
    ),
}


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str  # "user:<id>" or "client:<client_id>"
    role: Role
    city_code: str | None = None
    firm_id: int | None = None
    scopes: frozenset[str] = frozenset()
    # A firm user's firm when its sign-up is not approved (pending or rejected); None otherwise.
    # Such a caller may use only the routes whose rule says ``while_pending`` (auth/approval.py).
    sign_up: SignUpState | None = None

    @property
    def held_back(self) -> bool:
        """Its firm's sign-up is pending or rejected: it sees its own firm and nothing else."""
        return self.sign_up is not None

    @property
    def sees_whole_province(self) -> bool:
        """Province admins, and machine clients not bound to a city."""
        return self.role is Role.province or (self.role is Role.client and self.city_code is None)

    def claims(self) -> dict[str, object]:
        claims: dict[str, object] = {
            "sub": self.subject,
            "role": self.role.value,
            "city": self.city_code,
            "firm": self.firm_id,
            "scope": " ".join(sorted(self.scopes)),
        }
        if self.sign_up is not None:  # absent: approved (and every token issued before 0009)
            claims["sign_up"] = self.sign_up.value
        return claims

    @classmethod
    def from_claims(cls, claims: dict[str, object]) -> Principal:
        firm = claims.get("firm")
        city = claims.get("city")
        sign_up = claims.get("sign_up")
        return cls(
            subject=str(claims["sub"]),
            role=Role(str(claims["role"])),
            city_code=str(city) if city is not None else None,
            firm_id=int(firm) if isinstance(firm, int) else None,
            scopes=frozenset(str(claims.get("scope", "")).split()),
            sign_up=_held_back(sign_up),
        )


def _held_back(claim: object) -> SignUpState | None:
    """The ``sign_up`` claim as a state that holds the caller back; an unknown value is an
    invalid token (ValueError), never a free pass."""
    if claim is None:
        return None
    state = SignUpState(str(claim))
    return None if state is SignUpState.approved else state
