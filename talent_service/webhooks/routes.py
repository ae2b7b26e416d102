from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response

from talent_service.core.idempotent import IdempotentDep
from talent_service.core.pagination import Page, PageParams, make_page, page_params
from talent_service.core.problems import problem_responses
from talent_service.core.types import IdPath
from talent_service.core.unit_of_work import SessionDep, api_router
from talent_service.models import WebhookSubscription
from talent_service.webhooks import service
from talent_service.webhooks.auth import WebhooksClient
from talent_service.webhooks.schemas import (
    ReplayRequest,
    ReplayResult,
    SecretRotated,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionRead,
)

router = api_router(prefix="/webhooks", tags=["webhooks"])


def _read(subscription: WebhookSubscription) -> SubscriptionRead:
    return SubscriptionRead.model_validate(
        {**subscription.model_dump(), "event_types": service.types_of(subscription)}
    )


@router.post(
    "/subscriptions",
    status_code=201,
    response_model=SubscriptionCreated,
    summary="Subscribe an HTTPS endpoint to event types; the signing secret is shown once",
    responses=problem_responses(403, 409, 422),
)
def create_subscription(
    principal: WebhooksClient,
    body: SubscriptionCreate,
    session: SessionDep,
    idempotent: IdempotentDep,
) -> SubscriptionCreated:
    subscription, secret = service.create(session, principal, body)
    return SubscriptionCreated(**_read(subscription).model_dump(), secret=secret)


@router.get(
    "/subscriptions",
    response_model=Page[SubscriptionRead],
    summary="The caller's own subscriptions",
)
def list_subscriptions(
    principal: WebhooksClient,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[SubscriptionRead]:
    return make_page([_read(s) for s in service.list_own(session, principal, page)], page)


@router.get(
    "/subscriptions/{subscription_id}",
    response_model=SubscriptionRead,
    summary="One of the caller's subscriptions",
    responses=problem_responses(404),
)
def read_subscription(
    principal: WebhooksClient, subscription_id: IdPath, session: SessionDep
) -> SubscriptionRead:
    return _read(service.get(session, principal, subscription_id))


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=204,
    summary="End a subscription; its undelivered events are dropped",
    responses=problem_responses(404),
)
def delete_subscription(
    principal: WebhooksClient, subscription_id: IdPath, session: SessionDep
) -> Response:
    service.delete(session, principal, subscription_id)
    return Response(status_code=204)


@router.post(
    "/subscriptions/{subscription_id}/secret",
    response_model=SecretRotated,
    summary="Rotate the v1 secret; the old one keeps signing beside the new for 24 hours",
    responses=problem_responses(404),
)
def rotate_secret(
    principal: WebhooksClient, subscription_id: IdPath, session: SessionDep
) -> SecretRotated:
    subscription, secret = service.rotate_secret(session, principal, subscription_id)
    assert subscription.previous_secret_until is not None
    return SecretRotated(secret=secret, previous_secret_until=subscription.previous_secret_until)


@router.post(
    "/subscriptions/{subscription_id}/replay",
    status_code=202,
    response_model=ReplayResult,
    summary="Enable a disabled subscription again and send the events kept for it",
    responses=problem_responses(404, 422),
)
def replay(
    principal: WebhooksClient,
    subscription_id: IdPath,
    session: SessionDep,
    body: ReplayRequest | None = None,
) -> ReplayResult:
    since = body.since if body is not None else None
    return ReplayResult(requeued=service.replay(session, principal, subscription_id, since))
