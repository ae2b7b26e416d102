"""Writing an event to the outbox, in the session (and so the transaction) of its change.

A service that changes something other systems may hear of calls :func:`emit` after its flush;
the request's unit of work then commits the change and its event together, or neither. Nothing
is sent from here: ``talent-service worker`` reads the outbox (``delivery.py``).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from talent_service.core import clock
from talent_service.models import WebhookEvent, WebhookSequence
from talent_service.webhooks.events import EventType

_SEQ = WebhookSequence.__table__  # type: ignore[attr-defined]


def _next_sequence(session: Session, subject_type: str, subject_id: str) -> int:
    """The subject's next event number: one upsert, whose row lock makes concurrent changes
    to the same subject take turns (PostgreSQL) as SQLite's write lock already does."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = (
        module.insert(_SEQ)
        .values(subject_type=subject_type, subject_id=subject_id, last=1)
        .on_conflict_do_update(
            index_elements=[_SEQ.c.subject_type, _SEQ.c.subject_id],
            set_={"last": _SEQ.c.last + 1},
        )
        .returning(_SEQ.c.last)
    )
    return int(session.execute(stmt).scalar_one())


def emit(
    session: Session,
    event_type: EventType,
    subject: tuple[str, object],
    data: dict[str, Any],
    *,
    scope: tuple[str, object] | None = None,
) -> str:
    """Add an event about ``subject`` (type, id); ``scope`` names the row whose visibility
    decides who hears of it (the subject itself by default). Returns the event's id, which is
    the ``webhook-id`` of every delivery of it.

    The payload is thin on purpose: ids, the type, the subject's sequence number and when it
    happened. A receiver reads the current state through the API, with its own permissions.
    """
    subject_type, raw_id = subject
    subject_id = str(raw_id)
    scope_model, scope_key = scope or (subject_type, subject_id)
    sequence = _next_sequence(session, subject_type, subject_id)
    event_id = f"evt_{uuid.uuid4().hex}"
    occurred_at = clock.now()
    body = {
        "id": event_id,
        "type": event_type.value,
        "timestamp": occurred_at.isoformat(),
        "data": {
            "subject": {"type": subject_type, "id": subject_id},
            "sequence": sequence,
            "occurred_at": occurred_at.isoformat(),
            **data,
        },
    }
    session.execute(
        insert(WebhookEvent).values(
            event_id=event_id,
            type=event_type.value,
            subject_type=subject_type,
            subject_id=subject_id,
            sequence=sequence,
            scope_model=scope_model,
            scope_key=str(scope_key),
            body=json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
            occurred_at=occurred_at,
        )
    )
    return event_id
