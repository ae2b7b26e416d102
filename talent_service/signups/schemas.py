"""Self-registration, the bureaus' decisions on it, and "who am I"."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from talent_service.accounts.service import MIN_PASSWORD
from talent_service.core.types import LongText, RequestModel, ResponseModel
from talent_service.firms.schemas import FirmCreate
from talent_service.reference.enums import Role, SignUpState, Source


class FirmRegistration(RequestModel):
    """A firm registering itself, with the first account of its HR clerk."""

    firm: FirmCreate
    username: Annotated[str, Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]
    password: Annotated[str, Field(min_length=MIN_PASSWORD, max_length=128)]


RECEIVED_DETAIL = (
    "The sign-up was received. If the firm and the username can be registered, the firm's "
    "home city talent bureau reviews it; sign in with the username and password to follow it "
    "(GET /v1/account). Until it is approved the account can read only its own firm."
)


class SignUpReceived(ResponseModel):
    """The one answer to every well-formed sign-up, new or colliding: it names nothing, so it
    cannot tell which usernames or USCC codes are registered."""

    status: Literal["received"] = "received"
    detail: str = RECEIVED_DETAIL


class SignUpApproval(RequestModel):
    reason: LongText | None = Field(default=None, description="A note kept with the approval")


class SignUpRejection(RequestModel):
    reason: LongText = Field(description="Why the bureau refuses the sign-up; the firm reads it")


class SignUpEventRead(ResponseModel):
    state: SignUpState
    source: Source
    authority: str = Field(description="The deciding bureau's city code, the firm id, or province")
    recorded_by: str = Field(description="The subject who acted (user:<id>, …)")
    reason: str | None
    recorded_at: datetime


class SignUpRead(ResponseModel):
    """A firm's sign-up: its id is the firm's id."""

    id: int = Field(description="The firm's id")
    firm_name: str
    uscc: str
    home_city_code: str
    state: SignUpState
    events: list[SignUpEventRead] = Field(description="Its history, oldest first")


class AccountFirm(ResponseModel):
    id: int
    name: str
    home_city_code: str
    sign_up_state: SignUpState


class AccountRead(ResponseModel):
    """Who the token names, read from the records now (not from the token)."""

    subject: str
    username: str | None = Field(description="null for a machine client")
    role: Role
    city_code: str | None
    scopes: list[str]
    firm: AccountFirm | None
