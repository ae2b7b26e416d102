"""The public keys that verify decisions: public on purpose, so others can verify offline."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from talent_service.auth.access import PUBLIC
from talent_service.core.signing_keys import published_jwks

router = APIRouter(tags=["eligibility"])


@router.get(
    "/.well-known/jwks.json",
    dependencies=[PUBLIC],
    summary="JWKS of the Ed25519 keys that sign eligibility decisions (current and retired)",
)
async def jwks() -> dict[str, Any]:
    return published_jwks()
