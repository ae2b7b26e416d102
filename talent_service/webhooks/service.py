"""Subscriptions: a machine client's own, invisible to every other caller (404)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from talent_service.auth.principal import Principal
from talent_service.core import clock
from talent_service.core.config import get_settings
from talent_service.core.errors import forbidden, not_found, rule_violation
from talent_service.core.pagination import PageParams
from talent_service.core.security import encrypt_field
from talent_service.models import Client, WebhookDelivery, WebhookEvent, WebhookSubscription
from talent_service.webhooks import ssrf
from talent_service.webhooks.events import REQUIRED_SCOPE, EventType
from talent_service.webhooks.schemas import SubscriptionCreate
from talent_service.webhooks.signing import new_secret

ROTATION_OVERLAP = timedelta(hours=24)
MAX_SUBSCRIPTIONS = 20  # per client: a bound on the fan-out one client can ask for
S, D = WebhookSubscription, WebhookDelivery


def _client_id(session: Session, principal: Principal) -> int:
    client_id = principal.subject.removeprefix("client:")
    row = session.exec(select(Client.id).where(col(Client.client_id) == client_id)).first()
    if row is None:
        raise forbidden("webhook subscriptions belong to machine clients")
    return int(row)


def check_url(url: str) -> None:
    """422 for a URL the service will not send to (the SSRF rule, ``ssrf.py``)."""
    try:
        ssrf.check(url, allow_loopback=get_settings().webhooks_allow_loopback)
    except ssrf.UnsafeUrl as exc:
        raise rule_violation("body.url", str(exc)) from exc


def create(
    session: Session, principal: Principal, data: SubscriptionCreate
) -> tuple[WebhookSubscription, str]:
    types = list(dict.fromkeys(data.event_types))
    missing = sorted({REQUIRED_SCOPE[t] for t in types} - principal.scopes)
    if missing:
        raise forbidden(f"these event types need scope {', '.join(missing)}")
    check_url(data.url)
    client_id = _client_id(session, principal)
    count = len(session.exec(select(S.id).where(col(S.client_id) == client_id)).all())
    if count >= MAX_SUBSCRIPTIONS:
        raise rule_violation("body.url", f"a client has at most {MAX_SUBSCRIPTIONS} subscriptions")
    secret = new_secret()
    subscription = S(
        client_id=client_id,
        url=data.url,
        event_types=" ".join(t.value for t in types),
        secret_ciphertext=encrypt_field(secret),
    )
    session.add(subscription)
    session.flush()
    return subscription, secret


def get(session: Session, principal: Principal, subscription_id: int) -> WebhookSubscription:
    """The caller's own subscription; another client's answers 404, as if absent."""
    client_id = _client_id(session, principal)
    subscription = session.exec(
        select(S).where(col(S.id) == subscription_id, col(S.client_id) == client_id)
    ).first()
    if subscription is None:
        raise not_found("webhook subscription", subscription_id)
    return subscription


def list_own(session: Session, principal: Principal, page: PageParams) -> list[WebhookSubscription]:
    client_id = _client_id(session, principal)
    rows = session.exec(
        select(S)
        .where(col(S.client_id) == client_id, col(S.id) > page.after_id)
        .order_by(col(S.id))
        .limit(page.limit + 1)
    ).all()
    return list(rows)


def delete(session: Session, principal: Principal, subscription_id: int) -> None:
    """The subscription and its undelivered deliveries go (ON DELETE CASCADE); events stay."""
    session.delete(get(session, principal, subscription_id))
    session.flush()


def rotate_secret(
    session: Session, principal: Principal, subscription_id: int
) -> tuple[WebhookSubscription, str]:
    """A new secret; the current one keeps signing beside it for 24 hours, so the receiver can
    switch without losing a delivery. A rotation during an overlap ends the older overlap."""
    subscription = get(session, principal, subscription_id)
    secret = new_secret()
    subscription.previous_secret_ciphertext = subscription.secret_ciphertext
    subscription.previous_secret_until = clock.now() + ROTATION_OVERLAP
    subscription.secret_ciphertext = encrypt_field(secret)
    session.add(subscription)
    session.flush()
    return subscription, secret


def replay(
    session: Session, principal: Principal, subscription_id: int, since: datetime | None
) -> int:
    """Enable the subscription again and send its held events (those kept while it was failing
    or disabled), and with ``since`` also the delivered events that occurred from then on."""
    subscription = get(session, principal, subscription_id)
    now = clock.now()
    subscription.state = "active"
    subscription.disabled_at = None
    subscription.disabled_reason = None
    session.add(subscription)
    session.flush()
    again = col(D.state) == "held"
    if since is not None:
        later = select(WebhookEvent.id).where(col(WebhookEvent.occurred_at) >= since)
        again = again | ((col(D.state) == "delivered") & col(D.event_id).in_(later))
    result = session.execute(
        update(D)
        .where(col(D.subscription_id) == subscription.id, again)
        .values(state="pending", attempts=0, next_attempt_at=now, claim=None, lease_until=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def types_of(subscription: WebhookSubscription) -> list[EventType]:
    return [EventType(t) for t in subscription.event_types.split()]
