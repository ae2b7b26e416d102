"""The chain's arithmetic, without a database."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

from talent_service.audit.chain import GENESIS, Act, canonical, entry_document, entry_hash
from talent_service.core.signing import canonical_json

ACT = Act(
    "user:7",
    "bureau",
    None,
    "440300",
    "verify_declaration",
    "declaration",
    "12",
    "verified",
    "POST /v1/declarations/12/verify",
)
AT = datetime(2026, 12, 5, 4, 0, 0, 123456, tzinfo=UTC)


def test_the_fast_canonical_form_is_rfc_8785() -> None:
    for act in (
        ACT,
        Act("cli:管理员", None, None, None, "talent-service demo", None, None, "done"),
    ):
        document = entry_document(41, AT, act)
        assert canonical(document) == canonical_json(document)


def test_an_entry_hash_is_sha256_of_the_previous_hash_and_the_canonical_entry() -> None:
    document = entry_document(1, AT, ACT)
    expected = hashlib.sha256(GENESIS.encode() + canonical_json(document)).hexdigest()
    assert entry_hash(GENESIS, document) == expected


def test_the_time_is_written_in_utc_with_microseconds() -> None:
    assert entry_document(1, AT, ACT)["occurred_at"] == "2026-12-05T04:00:00.123456Z"


def test_any_field_changes_the_hash() -> None:
    base = entry_hash(GENESIS, entry_document(1, AT, ACT))
    assert entry_hash(GENESIS, entry_document(1, AT, replace(ACT, outcome="rejected"))) != base
    assert entry_hash(GENESIS, entry_document(2, AT, ACT)) != base
    assert entry_hash("f" * 64, entry_document(1, AT, ACT)) != base
