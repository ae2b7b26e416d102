"""What a database failure means to the caller, decided in one place.

Used when a statement fails inside a request and when the commit fails, on HTTP and the command
line alike: a failed write is never acknowledged, and the caller learns whether to retry.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from talent_service.core.errors import CONFLICT, PRECONDITION_FAILED, UNAVAILABLE, DomainError

# PostgreSQL: a serialization failure or deadlock loses one transaction; retrying it can win.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
# Class 08 (connection), 57P0x (server shutting down or crashed), 53xxx (out of resources).
_UNAVAILABLE_PREFIXES = ("08", "57P", "53")
# SQLite primary result codes: BUSY and LOCKED (the write lock not had within the busy timeout),
# IOERR, FULL, CANTOPEN (the file or disk).
_SQLITE_UNAVAILABLE = frozenset({5, 6, 10, 13, 14})


def _sqlstate(exc: DBAPIError) -> str:
    return str(getattr(exc.orig, "sqlstate", None) or "")


def as_domain_error(exc: SQLAlchemyError) -> DomainError | None:
    """The problem to answer for ``exc``, or None for a failure that is our bug (a 500)."""
    if isinstance(exc, StaleDataError):
        # An UPDATE ... WHERE version = N found the row at another version: someone else won.
        return DomainError(
            PRECONDITION_FAILED,
            "The record was changed by someone else meanwhile; read it again and retry.",
        )
    if isinstance(exc, IntegrityError):
        # A constraint the services' own checks could not see (two concurrent inserts of one
        # key, a constraint checked at commit); nothing was written, no constraint name leaked.
        return DomainError(CONFLICT, "Conflicts with a record written concurrently; retry.")
    if not isinstance(exc, DBAPIError):
        return None
    state = _sqlstate(exc)
    if state in _RETRYABLE_SQLSTATES:
        return DomainError(CONFLICT, "Conflicts with a concurrent change; retry.")
    sqlite_code = getattr(exc.orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        unavailable = sqlite_code & 0xFF in _SQLITE_UNAVAILABLE
    else:
        # psycopg reports a lost or refused connection as an OperationalError with no SQLSTATE.
        unavailable = state.startswith(_UNAVAILABLE_PREFIXES) or (
            isinstance(exc, OperationalError) and not state
        )
    if exc.connection_invalidated or unavailable:
        return DomainError(UNAVAILABLE, "The database is unavailable or busy; nothing was saved.")
    return None
