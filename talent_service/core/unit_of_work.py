"""One unit of work per request or command: commit once, before anyone is told it succeeded.

Services flush and never commit. The unit commits when the route has produced its response and
**before that response is sent** (``UnitOfWorkRoute``), so a 2xx means the write is committed; a
failure at commit becomes a problem response (409, 412, 503 or 500) and nothing is acknowledged.
The command line uses the same ``commit`` through ``session_scope``.

Every unit that writes appends its audit entry in the same transaction, just before COMMIT
(``talent_service/audit/record.py``): a write route is logged by being a route of ``api_router``,
with nothing of its own to add. The audit log is the one thing this core module reaches up for,
because every write passes here and nowhere else. A request sent with an ``Idempotency-Key``
stores its answer in that transaction too (``core/idempotency.py``), before the audit entry, so
the audit head's lock stays the last thing taken; a stored answer is sent instead of running
the route (``AnswerInstead``), in a unit that is rolled back and logs nothing (nothing happened).

This is done by the route itself, not by a dependency with ``yield``: when FastAPI runs the exit
code of such a dependency has changed between releases (after the response was sent, in some),
and an acknowledgement must not depend on that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from talent_service.audit import record as audit
from talent_service.core import idempotency
from talent_service.core.db import get_engine, get_read_engine, read_session
from talent_service.core.db_errors import as_domain_error
from talent_service.core.lean_route import LeanRoute

log = logging.getLogger("talent_service.unit_of_work")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Where a request's unit lives while it runs (the ASGI scope: cheaper than request.state).
_SCOPE_KEY = "talent_service.unit"
# Where the access rule leaves the caller it authenticated, for the request's audit entry.
PRINCIPAL_SCOPE_KEY = "talent_service.principal"

SessionFactory = Callable[[bool], Session]


def default_session(writes: bool) -> Session:
    """A write session on the write engine; a read-only session on the read engine for GETs."""
    return Session(get_engine(), expire_on_commit=False) if writes else read_session()


def commit(session: Session) -> None:
    """Append the unit's audit entries, commit, or roll back and raise the problem the caller
    should see."""
    try:
        idempotency.store_pending(session)
        audit.append_pending(session)
        session.commit()
    except SQLAlchemyError as exc:
        _discard(session)  # a dead connection must not turn the commit's 503 into a 500
        problem = as_domain_error(exc)
        if problem is None:
            raise
        log.warning("commit failed (%s): %s", type(exc).__name__, problem.detail)
        raise problem from exc


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """The command line's unit of work: the same commit as a request's, once, at the end."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.flush()
        except BaseException:
            session.rollback()
            raise
        audit.note_command(session, _command_name())
        commit(session)


_command = "talent-service"


def set_command(name: str) -> None:
    """The command line names the command it runs (``cli.py``'s callback)."""
    global _command  # noqa: PLW0603 - one command per process
    _command = f"talent-service {name}"


def _command_name() -> str:
    """``talent-service create-user``: the command being run, for its audit entry."""
    return _command


@contextmanager
def own_unit(request: Request, *, writes: bool) -> Iterator[Session]:
    """A unit of work a route opens itself, committed when the block ends (if it writes) even
    when the request then fails: the token endpoint records a failed sign-in and answers 400.
    Short on purpose: the sign-in's password hash runs between two of them, holding no
    connection and, on SQLite, no write lock."""
    factory: SessionFactory = getattr(request.app.state, "session_factory", None) or (
        default_session
    )
    session = factory(writes)
    try:
        yield session
        if writes:
            commit(session)
    except BaseException:
        _discard(session)
        raise
    finally:
        session.close()


class RequestUnit:
    """A request's session, opened on first use (a request that needs none pays nothing)."""

    __slots__ = ("_factory", "_session", "writes")

    def __init__(self, factory: SessionFactory, writes: bool) -> None:
        self._factory = factory
        self._session: Session | None = None
        self.writes = writes

    @property
    def opened(self) -> Session | None:
        return self._session

    def session(self) -> Session:
        if self._session is None:
            self._session = self._factory(self.writes)
        return self._session

    async def finish(self, succeeded: bool) -> None:
        session = self._session
        if session is None:
            return
        if not self.writes:
            # Nothing to commit; an autocommit read connection goes back to the pool silently.
            session.close()
        elif succeeded:
            try:
                if session.in_transaction():
                    await run_in_threadpool(commit, session)
            finally:
                await run_in_threadpool(session.close)
        else:
            await run_in_threadpool(_discard, session)


def _discard(session: Session) -> None:
    """Roll back a failed request; a failure here must not hide the request's own error."""
    try:
        session.rollback()
        session.close()
    except SQLAlchemyError:
        log.warning("rollback of a failed request failed", exc_info=True)


class UnitOfWorkRoute(LeanRoute):
    """A route whose unit of work commits after the handler and before the response is sent.

    A response of 400 or more is rolled back, as is every exception; the commit's own failure
    propagates as a domain error and is answered by the problem handlers instead of the 2xx.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not _needs_session(self.dependant):
            return handler  # e.g. the hot talent read: nothing to open, nothing to pay
        # A GET that discloses personal data writes too: its audit entry (WriteSessionDep).
        writes = not (self.methods or set()) <= SAFE_METHODS or _needs(
            self.dependant, get_write_session
        )
        action = self.name

        async def run_in_unit(request: Request) -> Response:
            factory: SessionFactory = getattr(request.app.state, "session_factory", None) or (
                default_session
            )
            unit = RequestUnit(factory, writes)
            request.scope[_SCOPE_KEY] = unit
            try:
                response = await handler(request)
            except idempotency.AnswerInstead as stored:
                await unit.finish(succeeded=False)  # a replay: nothing to keep, its lock let go
                return stored.response
            except BaseException:
                await unit.finish(succeeded=False)
                raise
            succeeded = response.status_code < 400
            if succeeded and writes and unit.opened is not None and unit.opened.in_transaction():
                idempotency.note_answer(unit.opened, response)
                audit.note_request(
                    unit.opened,
                    request.scope.get(PRINCIPAL_SCOPE_KEY),
                    action,
                    f"{request.method} {request.url.path}"[:300],
                    response.status_code,
                    request.path_params,
                )
            await unit.finish(succeeded=succeeded)
            return response

        return run_in_unit


def _needs_session(dependant: Dependant) -> bool:
    return _needs(dependant, get_session) or _needs(dependant, get_write_session)


def _needs(dependant: Dependant, call: Callable[..., Any]) -> bool:
    return dependant.call is call or any(_needs(d, call) for d in dependant.dependencies)


def api_router(**kwargs: Any) -> APIRouter:
    """A domain's router: every route on it runs in a unit of work."""
    return APIRouter(route_class=UnitOfWorkRoute, **kwargs)


async def get_session(request: Request) -> Session:
    """The request's session (async: no thread hop to hand it over)."""
    unit: RequestUnit = request.scope[_SCOPE_KEY]
    return unit.session()


SessionDep = Annotated[Session, Depends(get_session)]


async def get_write_session(request: Request) -> Session:
    """The request's session, a writing one even on a GET: for a read that must leave a record
    (a disclosure of personal data), committed before the data is sent."""
    unit: RequestUnit = request.scope[_SCOPE_KEY]
    return unit.session()


WriteSessionDep = Annotated[Session, Depends(get_write_session)]


def read_bind(request: Request) -> Engine | Connection:
    """Where a hot read by id takes its connection: the read engine, no Session.

    A plain function, not a dependency: on the hot path each dependency FastAPI resolves costs
    about a tenth of the request. Tests set ``app.state.read_bind`` to their own connection.
    """
    bind: Engine | Connection | None = getattr(request.app.state, "read_bind", None)
    return bind if bind is not None else get_read_engine()
