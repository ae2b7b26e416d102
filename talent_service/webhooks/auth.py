"""Who manages webhook subscriptions: machine clients, each its own."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from talent_service.auth.access import Access
from talent_service.auth.principal import SCOPE_REGISTRY_READ, Principal
from talent_service.reference.enums import Role

# Subscribing is reading the registry's changes; each event type may need more (events.py).
WEBHOOKS = Access(Role.client, scope=SCOPE_REGISTRY_READ)
WebhooksClient = Annotated[Principal, Depends(WEBHOOKS)]
