from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from talent_service.core.types import RequestModel, ResponseModel, printable
from talent_service.webhooks.events import EventType
from talent_service.webhooks.ssrf import MAX_URL_LENGTH

# Printable like every other text field: an invisible character would make the stored URL show
# as another one.
Url = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_URL_LENGTH), AfterValidator(printable)
]


class SubscriptionCreate(RequestModel):
    url: Url = Field(description="HTTPS endpoint; checked against SSRF now and at each delivery")
    event_types: list[EventType] = Field(min_length=1, max_length=len(EventType))


class SubscriptionRead(ResponseModel):
    id: int
    url: str
    event_types: list[EventType]
    state: str = Field(description="active, or disabled after an endpoint kept failing")
    disabled_at: datetime | None
    disabled_reason: str | None
    previous_secret_until: datetime | None = Field(
        description="Until when the secret before the last rotation still signs (v1)"
    )
    created_at: datetime


class SubscriptionCreated(SubscriptionRead):
    secret: str = Field(description="The v1 (HMAC-SHA256) signing secret: shown once")


class SecretRotated(ResponseModel):
    secret: str = Field(description="The new v1 secret: shown once")
    previous_secret_until: datetime = Field(
        description="Both old and new secrets sign every delivery until then"
    )


class ReplayRequest(RequestModel):
    since: datetime | None = Field(
        default=None,
        description="Also send again the events delivered that occurred at or after this time",
    )


class ReplayResult(ResponseModel):
    requeued: int
