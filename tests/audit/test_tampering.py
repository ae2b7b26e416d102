"""A DBA switches the triggers off and edits, deletes or reorders rows: verify names the first
broken entry (both engines, inside the test's transaction)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from tests.audit.conftest import drop_guards, rewrite_from, verified
from tests.factories import SHANTOU, SHENZHEN, Factory


@pytest.fixture
def chain(client: TestClient, make: Factory, connection: Connection) -> Connection:
    """Six entries, intact, with the guards off."""
    for n in range(6):
        body = {
            "name": f"Space {n}",
            "host_city_code": SHENZHEN,
            "district": "Nanshan",
            "operator": "Operator Ltd",
            "total_floor_area_m2": 100 + n,
            "partner_city_codes": [SHANTOU],
        }
        assert client.post("/v1/enclaves", json=body, headers=make.province()).status_code == 201
    assert verified(connection).ok
    drop_guards(connection)
    return connection


def _broken(connection: Connection) -> tuple[int | None, str]:
    report = verified(connection)
    assert not report.ok
    return report.broken_seq, str(report.problem)


def test_an_edited_entry_is_named(chain: Connection) -> None:
    chain.exec_driver_sql("UPDATE audit_entry SET actor = 'user:1' WHERE seq = 3")
    assert _broken(chain) == (3, "entry 3 was altered: its content no longer gives its hash")


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link(chain: Connection) -> None:
    rewrite_from(chain, 3, only=1, actor="user:1")
    assert _broken(chain) == (
        4,
        "entry 4 does not follow entry 3: reordered, or the chain was rewritten from entry 3 on",
    )


def test_a_deleted_entry_is_named(chain: Connection) -> None:
    chain.exec_driver_sql("DELETE FROM audit_entry WHERE seq = 4")
    assert _broken(chain) == (4, "entry 4 is missing (deleted)")


def test_entries_deleted_at_the_end_are_found(chain: Connection) -> None:
    chain.exec_driver_sql("DELETE FROM audit_entry WHERE seq >= 5")
    seq, problem = _broken(chain)
    assert seq == 5
    assert "head says 6" in problem


def test_reordered_entries_are_named(chain: Connection) -> None:
    # swap entries 2 and 3 by their numbers, as an UPDATE of the key would
    chain.exec_driver_sql("UPDATE audit_entry SET seq = 1000 WHERE seq = 2")
    chain.exec_driver_sql("UPDATE audit_entry SET seq = 2 WHERE seq = 3")
    chain.exec_driver_sql("UPDATE audit_entry SET seq = 3 WHERE seq = 1000")
    seq, problem = _broken(chain)
    assert seq == 2
    assert "entry 2 does not follow entry 1" in problem


def test_a_rewritten_chain_is_caught_by_its_signed_checkpoint(chain: Connection) -> None:
    # entry 1 was checkpointed (the first append is due by time): a DBA who edits it and
    # recomputes every hash after it cannot sign the new head
    rewrite_from(chain, 1, actor="user:1")
    seq, problem = _broken(chain)
    assert seq == 1
    assert "signed checkpoint" in problem


def test_a_forged_checkpoint_is_refused(chain: Connection) -> None:
    # Another first hex digit, whatever it was (a fixed 'b' left one hash in 16 unchanged).
    chain.exec_driver_sql(
        "UPDATE audit_checkpoint SET hash = "
        "CASE WHEN substr(hash, 1, 1) = 'b' THEN 'c' ELSE 'b' END || substr(hash, 2)"
    )
    seq, problem = _broken(chain)
    assert seq == 1
    assert "signature does not verify" in problem
