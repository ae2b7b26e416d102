"""Keyset pagination: stable order by id, an opaque cursor, a capped page size."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from talent_service.core.errors import BAD_REQUEST, DomainError, FieldError

MAX_PAGE_SIZE = 200
T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class PageParams(BaseModel):
    limit: int
    after_id: int


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        value = int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (ValueError, UnicodeDecodeError):
        value = -1
    if not 0 <= value < 2**31:
        raise DomainError(
            BAD_REQUEST, "cursor is not valid", [FieldError("query.cursor", "not a cursor")]
        )
    return value


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=32, description="next_cursor of the previous page")
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, after_id=_decode_cursor(cursor))


def make_page(rows: Sequence[T], params: PageParams) -> Page[T]:
    """``rows`` holds up to limit+1 items ordered by id; the extra one proves a next page."""
    items = list(rows[: params.limit])
    has_more = len(rows) > params.limit
    last = items[-1] if items else None
    next_cursor = encode_cursor(last.id) if has_more and last is not None else None  # type: ignore[attr-defined]
    return Page[T](items=items, next_cursor=next_cursor)
