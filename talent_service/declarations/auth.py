"""Who may read, declare and review declarations (each route's first dependency)."""

from __future__ import annotations

from fastapi import Request

from talent_service.auth.access import Access, authenticate
from talent_service.auth.principal import (
    SCOPE_FACTS_VERIFY,
    SCOPE_REGISTRY_READ,
    SCOPE_REGISTRY_WRITE,
    Principal,
)
from talent_service.core.errors import FORBIDDEN, DomainError
from talent_service.reference.enums import Role


class DeclareAccess(Access):
    """Declaring a fact: a firm with ``registry:write`` (its declaration waits for review); a
    bureau or the province with ``facts:verify``, since theirs counts as verified at once.

    Machine clients read only: they may not be granted either scope for this.
    """

    SCOPES = {
        Role.firm: SCOPE_REGISTRY_WRITE,
        Role.bureau: SCOPE_FACTS_VERIFY,
        Role.province: SCOPE_FACTS_VERIFY,
    }

    def __init__(self) -> None:
        # ``scope`` is the firms' (the Access contract names one); the authorities' is above.
        super().__init__(*self.SCOPES, scope=SCOPE_REGISTRY_WRITE)

    async def __call__(self, request: Request) -> Principal:
        principal = await authenticate(request)
        needed = self.SCOPES.get(principal.role)
        if needed is None or needed not in principal.scopes:
            raise DomainError(
                FORBIDDEN,
                "Declaring a fact needs a firm with scope 'registry:write', or a bureau or the "
                "province with scope 'facts:verify'.",
            )
        return principal

    def __repr__(self) -> str:
        return f"DeclareAccess({ {r.value: s for r, s in self.SCOPES.items()} })"


# Machine clients read like a bureau of their city (or the province, when bound to none).
READ = Access(Role.province, Role.bureau, Role.firm, Role.client, scope=SCOPE_REGISTRY_READ)
DECLARE = DeclareAccess()
VERIFY = Access(Role.province, Role.bureau, scope=SCOPE_FACTS_VERIFY)
