"""``If-Match`` for optimistic concurrency: a caller changes the version it read, or gets 412."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from talent_service.core.errors import PRECONDITION_FAILED, VALIDATION, DomainError, FieldError


async def get_if_match(request: Request) -> int | None:
    """``If-Match: "<version>"`` from the resource's ``version`` (or ETag); optional."""
    raw = request.headers.get("if-match")
    if raw is None:
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    # isdigit() alone takes '²' (a raw 0xB2 byte in the header), which int() refuses.
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise DomainError(
            VALIDATION,
            'If-Match must carry the version you read, e.g. If-Match: "3"',
            [FieldError("header.If-Match", "not a version number")],
        )
    return int(value)


IfMatchDep = Annotated[int | None, Depends(get_if_match)]


def check_version(current: int, expected: int | None) -> None:
    """A caller that read version N may only update version N.

    The row was read under a lock (``for_update``), so ``current`` is the committed version; the
    mapper's ``version_id_col`` (UPDATE ... WHERE version = N) backs this up for any other path.
    """
    if expected is not None and expected != current:
        raise DomainError(
            PRECONDITION_FAILED,
            f"the record is at version {current}, not {expected}; read it again before changing",
        )
