"""Who may call the firm routes: each route's first dependency is one of these rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from talent_service.auth.access import Access
from talent_service.auth.principal import (
    SCOPE_FIRMS_ADMIN,
    SCOPE_REGISTRY_READ,
    SCOPE_REGISTRY_WRITE,
    Principal,
)
from talent_service.reference.enums import Role

READ = Access(Role.province, Role.bureau, Role.firm, Role.client, scope=SCOPE_REGISTRY_READ)
# The firm list and a firm: a firm whose sign-up is pending or rejected may read its own (the
# visibility rule shows it nothing else).
READ_OWN = Access(
    Role.province,
    Role.bureau,
    Role.firm,
    Role.client,
    scope=SCOPE_REGISTRY_READ,
    while_pending=True,
)
# Registering firms, and deciding on tier certificates: the province.
ADMIN = Access(Role.province, scope=SCOPE_FIRMS_ADMIN)
# The firm itself, or the province; a bureau neither renames a firm nor gives it a tier.
WRITE = Access(Role.province, Role.firm, scope=SCOPE_REGISTRY_WRITE)

FirmsRead = Annotated[Principal, Depends(READ)]
FirmsReadOwn = Annotated[Principal, Depends(READ_OWN)]
FirmsAdmin = Annotated[Principal, Depends(ADMIN)]
FirmsWrite = Annotated[Principal, Depends(WRITE)]
