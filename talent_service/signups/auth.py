"""Who may sign up (anyone), decide a sign-up, and read one (each route's first dependency)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from talent_service.auth.access import Access
from talent_service.auth.principal import SCOPE_FIRMS_APPROVE, SCOPE_REGISTRY_READ, Principal
from talent_service.reference.enums import Role

# The queue and the decisions: a city's bureau (for its home city's firms) or the province.
DECIDE = Access(Role.province, Role.bureau, scope=SCOPE_FIRMS_APPROVE)
# A sign-up: the firm itself (pending or not), the bureaus that see the firm, the province.
READ = Access(Role.province, Role.bureau, Role.firm, scope=SCOPE_REGISTRY_READ, while_pending=True)
# Who am I: every caller, a pending firm among them.
ACCOUNT = Access(
    Role.province,
    Role.bureau,
    Role.firm,
    Role.client,
    scope=SCOPE_REGISTRY_READ,
    while_pending=True,
)

SignUpsDecide = Annotated[Principal, Depends(DECIDE)]
SignUpsRead = Annotated[Principal, Depends(READ)]
AccountRead = Annotated[Principal, Depends(ACCOUNT)]
