"""The same question with the same answer returns the decision already stored.

A school system polls "is this parent eligible for X in city Y as of D?" many times a day; each
answer is a signed, stored decision, and a row per poll would grow without bound while saying
nothing new. So a decision carries ``answer_hash``: the content hash (RFC 8785 canonical JSON,
SHA-256) of its document without the members that are about the asking rather than the answer:

- ``decision_id``, ``issued_at``: which row, and when it was written;
- ``requested_by``: who asked;
- ``corrections``: the records that arrived since that asker's previous decision on the
  question. They describe the interval between two askings, not what this answer rests on; a
  record that does change what the answer rests on changes ``facts``, ``provenance``
  (declaration, spell, tier-period and status-event ids, verification states) or ``forecast``.

Everything else is in the hash: the person, the question (city, side, benefit, as-of date), the
policy version and its accepted fact sources, the engine version, every fact and parameter the
rule read with what each rests on, the outcome, its explanation and the forecast. Any change in
any of them (a new verified declaration, a departure, a correction, a rejected claim, a new
parameter value or version) gives another hash and so a new decision; nothing else does.

Reuse is per asker. A stored decision names who asked and when; handing it to another asker
would tell them that someone else asked, and when (a firm must not learn that a bureau looked at
its employee, nor a bureau which school system polls whom). Each asker's own decisions are
reused, so a polling client gets one row per distinct answer.

Reuse is per signing key too: after a key rotation the first asking is signed anew with the key
in use, so a reused answer never rests on a key on its way out of the JWKS.

The look-up is one query on the unique key ``(answer_hash, requested_by, key_id)``, which is what
keeps two concurrent identical askings from storing two rows: the loser's insert fails on the
key, its savepoint rolls back, and it returns the winner's decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from talent_service.core.signing import content_hash
from talent_service.models import Decision

# Members of a decision document that are about the asking, not the answer (see above).
ABOUT_THE_ASKING = frozenset({"decision_id", "issued_at", "requested_by", "corrections"})


def answer_hash(document: dict[str, Any]) -> str:
    """``sha256:<hex>`` of what ``document`` answers, without who asked, when, or its id."""
    return content_hash({k: v for k, v in document.items() if k not in ABOUT_THE_ASKING})


def stored_answers(
    session: Session, asker: str, kid: str, hashes: Iterable[str]
) -> dict[str, Decision]:
    """The asker's stored decisions signed with ``kid`` with these answer hashes, by hash (one
    query on the unique key)."""
    wanted = sorted(set(hashes))
    if not wanted:
        return {}
    rows = session.exec(
        select(Decision).where(
            col(Decision.answer_hash).in_(wanted),
            col(Decision.requested_by) == asker,
            col(Decision.key_id) == kid,
        )
    ).all()
    return {row.answer_hash: row for row in rows if row.answer_hash is not None}
