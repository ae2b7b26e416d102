"""``talent-service audit verify``: recompute the chain and check the signed checkpoints.

Finds the first break and names it: an entry whose content no longer gives its hash (edited), a
missing number (deleted), an entry that does not follow the one before it (reordered, or the
chain rewritten from there), a head or checkpoint the entries no longer reach (entries deleted
at the end), a checkpoint whose signature fails. Reads in one pass, in order, without holding
the table in memory: a million entries take seconds (bench/bench_audit.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from talent_service.audit.chain import GENESIS, Act, checkpoint_payload, entry_document, entry_hash
from talent_service.core.signing import verify as verify_signature
from talent_service.models import AuditCheckpoint, AuditEntry, AuditHead

_BATCH = 10_000


@dataclass(frozen=True)
class Report:
    entries: int
    checkpoints: int
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(connection: Connection, jwks: Mapping[str, Any]) -> Report:
    """Check every entry and checkpoint; the first problem found, by entry number."""
    checkpoint_table = AuditCheckpoint.__table__  # type: ignore[attr-defined]
    query = select(checkpoint_table).order_by(checkpoint_table.c.seq)
    checkpoints = {c.seq: c for c in connection.execute(query)}
    for cp in checkpoints.values():
        payload = checkpoint_payload(cp.seq, cp.hash, cp.signed_at)
        if not verify_signature(payload, cp.jws, cp.kid, jwks):
            return Report(0, 0, cp.seq, f"checkpoint at entry {cp.seq}: signature does not verify")
    expected, prev, count = 1, GENESIS, 0
    entry_table = AuditEntry.__table__  # type: ignore[attr-defined]
    # Streamed (a server-side cursor on PostgreSQL): the table is never held in memory.
    query = select(entry_table).order_by(entry_table.c.seq)
    result = connection.execute(query.execution_options(stream_results=True, yield_per=_BATCH))
    for row in result:
        seq = row.seq
        if seq != expected:
            return Report(count, len(checkpoints), expected, _missing(expected, seq))
        if row.prev_hash != prev:
            return Report(
                count,
                len(checkpoints),
                seq,
                f"entry {seq} does not follow entry {seq - 1}: reordered, or the chain was "
                f"rewritten from entry {seq - 1} on",
            )
        if entry_hash(prev, entry_document(seq, row.occurred_at, _act(row))) != row.hash:
            return Report(
                count,
                len(checkpoints),
                seq,
                f"entry {seq} was altered: its content no longer gives its hash",
            )
        signed = checkpoints.get(seq)
        if signed is not None and signed.hash != row.hash:
            return Report(
                count,
                len(checkpoints),
                seq,
                f"entry {seq} differs from its signed "
                "checkpoint: the chain was rewritten up to here",
            )
        prev, expected, count = row.hash, seq + 1, count + 1
    result.close()
    last = expected - 1
    beyond = [s for s in checkpoints if s > last]
    if beyond:
        return Report(
            count,
            len(checkpoints),
            expected,
            f"entries {expected}..{max(beyond)} are missing: a signed checkpoint "
            f"covers entry {max(beyond)} (deleted at the end)",
        )
    head_table = AuditHead.__table__  # type: ignore[attr-defined]
    head = connection.execute(select(head_table.c.seq, head_table.c.hash)).one()
    if (head.seq, head.hash) != (last, prev):
        return Report(
            count,
            len(checkpoints),
            min(head.seq, last) + 1,
            f"the chain ends at entry {last} but its head says {head.seq}: entries "
            "deleted at the end, or the head was changed",
        )
    return Report(count, len(checkpoints))


def _missing(expected: int, found: int) -> str:
    if found == expected + 1:
        return f"entry {expected} is missing (deleted)"
    return f"entries {expected}..{found - 1} are missing (deleted)"


def _act(row: Any) -> Act:
    return Act(
        row.actor,
        row.actor_role,
        row.actor_firm_id,
        row.actor_city_code,
        row.action,
        row.object_type,
        row.object_id,
        row.outcome,
        row.request,
    )
