"""Recording acts and appending them to the chain, in the transaction of the change.

How an act gets logged (so that a new route is logged without doing anything):

- every write request: ``UnitOfWorkRoute`` calls :func:`note_request` when the handler succeeded
  (who from the token, the route's name, the object from the created row or the path's id, the
  status), and the unit's :func:`~talent_service.core.unit_of_work.commit` calls
  :func:`append_pending` just before ``COMMIT``; a request that fails is rolled back with its
  entry, so the log holds exactly the acts that were kept;
- every command-line write (``session_scope``): :func:`note_command`, the same way;
- approvals, verifications and disclosures call :func:`record` themselves, with an outcome
  (``verified``, ``accredited``, ``disclosed``, …); an act recorded so replaces the generic
  entry of its request. A GET that discloses personal data takes ``WriteSessionDep`` so that
  its entry is committed before the data leaves.

Entries wait on ``session.info`` until the commit and are numbered only then, under the head's
row lock: the lock is held from the last statement of the transaction to its COMMIT, not for the
whole request.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import chain
from typing import Any

from sqlalchemy import Table, event, insert, inspect, select, update
from sqlalchemy.orm import Session, UOWTransaction

from talent_service.audit.chain import Act, checkpoint_payload, entry_document, entry_hash
from talent_service.auth.principal import Principal
from talent_service.core import clock
from talent_service.core.config import get_settings
from talent_service.core.signing import sign
from talent_service.core.signing_keys import signing_key
from talent_service.models import AuditCheckpoint, AuditEntry, AuditHead

_PENDING = "audit.pending"  # acts recorded explicitly, waiting for the commit
_REQUEST = "audit.request"  # the generic act of the request or command, if nothing explicit
_FIRST_WRITE = "audit.first_write"  # (table, id) of the first row the unit inserted or changed
_FIRST_INSERT = "audit.first_insert"
_HEAD: Table = AuditHead.__table__  # type: ignore[attr-defined]
_CHAIN_TABLES = frozenset({"audit_entry", "audit_checkpoint", "audit_head"})


def _who(principal: Principal | None) -> tuple[str, str | None, int | None, str | None]:
    if principal is None:
        return "anonymous", None, None, None
    return principal.subject, principal.role.value, principal.firm_id, principal.city_code


def record(
    session: Session,
    principal: Principal | None,
    action: str,
    object_type: str,
    object_id: object,
    outcome: str,
) -> None:
    """Log an approval, verification or disclosure; appended when this unit commits."""
    actor, role, firm, city = _who(principal)
    act = Act(actor, role, firm, city, action, object_type, str(object_id), outcome)
    session.info.setdefault(_PENDING, []).append(act)


def note_request(
    session: Session,
    principal: Principal | None,
    action: str,
    request_line: str,
    status: int,
    path_params: Mapping[str, Any],
) -> None:
    """The generic entry of a write request that succeeded (used unless it recorded its own)."""
    object_type, object_id = _object_of(session, status, path_params)
    actor, role, firm, city = _who(principal)
    session.info[_REQUEST] = Act(
        actor, role, firm, city, action, object_type, object_id, f"status {status}", request_line
    )


def note_command(session: Session, command: str) -> None:
    """The generic entry of a command-line unit of work that wrote something."""
    if _FIRST_WRITE not in session.info:
        return
    object_type, object_id = session.info.get(_FIRST_INSERT) or session.info[_FIRST_WRITE]
    actor = f"cli:{getpass.getuser()}"[:80]
    session.info[_REQUEST] = Act(
        actor, "operator", None, None, command[:80], object_type, object_id, "done"
    )


def _object_of(
    session: Session, status: int, path_params: Mapping[str, Any]
) -> tuple[str | None, str | None]:
    """A creation (201) names the row it created first; anything else the last id of its path
    (``/firms/{firm_id}/tiers/{period_id}/approve``: the period), else the first row changed."""
    inserted = session.info.get(_FIRST_INSERT)
    if status == 201 and inserted is not None:
        return inserted
    ids = [(name, value) for name, value in path_params.items() if name.endswith("_id")]
    if ids:
        name, value = ids[-1]
        return name.removesuffix("_id"), str(value)[:64]
    return inserted or session.info.get(_FIRST_WRITE) or (None, None)


@event.listens_for(Session, "after_flush")
def _note_first_write(session: Session, _flush: UOWTransaction) -> None:
    """Remember the first row a unit inserts and the first it writes at all: the object of its
    generic entry. One pass over what this flush wrote, stopped at the first hit."""
    if _FIRST_INSERT in session.info:
        return
    for obj in chain(session.new, session.dirty, session.deleted):
        state = inspect(obj)
        table = state.mapper.local_table.name
        if table in _CHAIN_TABLES:
            continue
        key = (table, "/".join(str(v) for v in state.mapper.primary_key_from_instance(obj)))
        session.info.setdefault(_FIRST_WRITE, key)
        if obj in session.new:
            session.info[_FIRST_INSERT] = key
            return


def append_pending(session: Session) -> None:
    """Number, hash and insert the unit's entries, and sign a checkpoint when one is due.

    Mechanism against a forked chain: the single head row is read ``FOR UPDATE``, so appends
    on every worker and machine take turns on PostgreSQL; SQLite renders no FOR UPDATE, its
    write transactions (``BEGIN IMMEDIATE``) already hold the database's one write lock.
    Called last before COMMIT, so the head is held only for these few statements and the commit.
    """
    info = session.info
    acts: list[Act] = info.pop(_PENDING, None) or []
    generic = info.pop(_REQUEST, None)
    info.pop(_FIRST_WRITE, None)
    info.pop(_FIRST_INSERT, None)
    if not acts and generic is not None:
        acts = [generic]
    if not acts:
        return
    if generic is not None:
        # explicit acts carry the request line of the request they happened in
        acts = [a if a.request else replace(a, request=generic.request) for a in acts]
    head = session.execute(select(_HEAD).where(_HEAD.c.id == 1).with_for_update()).one()
    seq, head_hash = head.seq, head.hash
    now = clock.now()
    rows = []
    for act in acts:
        seq += 1
        document = entry_document(seq, now, act)
        prev, head_hash = head_hash, entry_hash(head_hash, document)
        rows.append({**document, "occurred_at": now, "prev_hash": prev, "hash": head_hash})
    session.execute(insert(AuditEntry), rows)
    values: dict[str, Any] = {"seq": seq, "hash": head_hash}
    if _checkpoint_due(head.checkpoint_seq, head.checkpoint_at, seq, now):
        _checkpoint(session, seq, head_hash, now)
        values.update(checkpoint_seq=seq, checkpoint_at=now)
    session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(**values))


def _checkpoint_due(last_seq: int, last_at: datetime | None, seq: int, now: datetime) -> bool:
    """Every ``audit_checkpoint_every`` entries, and at the first append once
    ``audit_checkpoint_seconds`` have passed without one (so a quiet day is signed too)."""
    settings = get_settings()
    every = settings.audit_checkpoint_every
    if seq // every > last_seq // every:
        return True
    return last_at is None or now - last_at >= timedelta(seconds=settings.audit_checkpoint_seconds)


def _checkpoint(session: Session, seq: int, head_hash: str, now: datetime) -> None:
    key = signing_key()
    signature = sign(checkpoint_payload(seq, head_hash, now), key)
    session.execute(
        insert(AuditCheckpoint).values(
            seq=seq, hash=head_hash, signed_at=now, kid=signature.kid, jws=signature.jws
        )
    )
