"""Who may read the audit log: the province, alone (its queries check it again)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from talent_service.auth.access import Access
from talent_service.auth.principal import SCOPE_AUDIT_READ, Principal
from talent_service.reference.enums import Role

READ = Access(Role.province, scope=SCOPE_AUDIT_READ)

AuditRead = Annotated[Principal, Depends(READ)]
