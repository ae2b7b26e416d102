"""Every bounded text a declarations request carries fits the column it is stored in (SQLite
ignores VARCHAR lengths; PostgreSQL would refuse the row with a 500)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from talent_service.declarations.schemas import DeclarationCreate, Reject, Verify
from talent_service.models import Declaration

# (schema, field, column it is stored in)
STORED = [
    (DeclarationCreate, "value", "value"),
    (DeclarationCreate, "detail", "detail"),
    (DeclarationCreate, "evidence", "evidence"),
    (Verify, "evidence", "evidence"),
    (Reject, "reason", "review_note"),
]


def _accepted_length(schema: type[BaseModel], field: str) -> int:
    """The longest text the schema accepts for ``field``, probed by validation."""
    base = {"fact": "title", "value": "senior", "effective_on": "2024-01-01"}
    longest = 0
    for n in (1, 32, 33, 100, 101, 300, 301, 500, 501):
        try:
            schema.model_validate(
                base | {field: "名" * n} if schema is DeclarationCreate else {field: "名" * n}
            )
        except ValueError:
            continue
        longest = max(longest, n)
    return longest


@pytest.mark.parametrize(
    ("schema", "field", "column"), STORED, ids=[f"{s.__name__}.{f}" for s, f, _ in STORED]
)
def test_request_text_fits_its_column(schema: type[BaseModel], field: str, column: str) -> None:
    length = Declaration.__table__.columns[column].type.length  # type: ignore[attr-defined]
    accepted = _accepted_length(schema, field)
    assert 0 < accepted <= length
