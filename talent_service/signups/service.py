"""Self-registration, held pending until the firm's home city's bureau (or the province) decides.

A sign-up answers the same whether or not its username or USCC is already registered: both
paths hash the password, write one audit entry and commit, and the route sends one fixed body.
Only a colliding sign-up creates nothing (its audit entry, which the province alone reads, says
``collided`` and names what it collided with).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from talent_service.audit import record as audit
from talent_service.auth.principal import Principal
from talent_service.auth.provenance import authority_of, source_of
from talent_service.auth.visibility import get_visible, visible
from talent_service.cities.service import require_city
from talent_service.core.errors import conflict, forbidden
from talent_service.core.pagination import PageParams
from talent_service.core.security import hash_password
from talent_service.firms.service import insert_firm
from talent_service.firms.tiers import certificate_start, record_with_firm
from talent_service.models import Firm, FirmSignUpEvent, User
from talent_service.reference.enums import Role, SignUpState, Source
from talent_service.signups.schemas import (
    AccountFirm,
    AccountRead,
    FirmRegistration,
    SignUpEventRead,
    SignUpRead,
)

ACTION = "firm.sign_up"  # the audit action of a sign-up and of its decision


def sign_up(session: Session, data: FirmRegistration) -> None:
    """Register a pending firm and its first account, unless the username or USCC is taken.

    Every check that depends on the request alone comes first, so a 422 never depends on what
    exists. The password is hashed before any statement: on both paths (the time of an Argon2
    hash would otherwise tell a collision apart), and before SQLite's write lock is taken.
    """
    certificate_start(data.firm, "body.firm")
    password_hash = hash_password(data.password)
    require_city(session, data.firm.home_city_code, "body.firm.home_city_code", prd=False)
    taken = _taken(session, data)
    if taken is None:
        try:
            # A savepoint: a sign-up racing this one for the same key makes the insert fail
            # (unique constraint); that is a collision like any other, not a 409.
            with session.begin_nested():
                firm = _register(session, data, password_hash)
        except IntegrityError:
            taken = _taken(session, data) or ("firm", None)
        else:
            audit.record(session, None, ACTION, "firm", firm.id, SignUpState.pending.value)
            return
    object_type, object_id = taken
    audit.record(session, None, ACTION, object_type, object_id, "collided")


def _taken(session: Session, data: FirmRegistration) -> tuple[str, int | None] | None:
    firm = session.exec(select(Firm.id).where(Firm.uscc == data.firm.uscc)).first()
    if firm is not None:
        return "firm", firm
    user = session.exec(select(User.id).where(User.username == data.username)).first()
    return ("user_account", user) if user is not None else None


def _register(session: Session, data: FirmRegistration, password_hash: str) -> Firm:
    firm = insert_firm(session, data.firm, SignUpState.pending)
    assert firm.id is not None
    user = User(
        username=data.username, password_hash=password_hash, role=Role.firm, firm_id=firm.id
    )
    session.add(user)
    session.flush()
    by = f"user:{user.id}"
    session.add(
        FirmSignUpEvent(
            firm_id=firm.id,
            state=SignUpState.pending,
            source=Source.firm,
            authority=f"firm:{firm.id}",
            recorded_by=by,
        )
    )
    # A certificate sent with it is submitted: the province decides it, as any other.
    record_with_firm(session, firm, data.firm, by=by, approved=False, at="body.firm")
    session.flush()
    return firm


def decide(
    session: Session, principal: Principal, firm_id: int, state: SignUpState, reason: str | None
) -> SignUpRead:
    """The home city's bureau or the province approves or rejects a pending sign-up.

    Mechanism for one decision per sign-up: the firm's row is read ``FOR UPDATE`` (on SQLite the
    write transaction holds the database's lock), so a second decision waits for the first,
    then finds the state no longer pending and gets 409.
    """
    firm = get_visible(session, Firm, firm_id, principal, for_update=True)
    if principal.role is not Role.province and firm.home_city_code != principal.city_code:
        # It may see the firm (one hosting a center in its city) but it is not the firm's home.
        raise forbidden("Only the firm's home city bureau or the province decides its sign-up.")
    if firm.sign_up_state is not SignUpState.pending:
        raise conflict(f"the sign-up was already {firm.sign_up_state.value}")
    firm.sign_up_state = state
    session.add(firm)
    session.add(
        FirmSignUpEvent(
            firm_id=firm_id,
            state=state,
            source=source_of(principal),
            authority=authority_of(principal),
            recorded_by=principal.subject,
            reason=reason,
        )
    )
    session.flush()
    audit.record(session, principal, ACTION, "firm", firm_id, state.value)
    return _read(firm, _events(session, [firm_id]).get(firm_id, []))


def get_sign_up(session: Session, principal: Principal, firm_id: int) -> SignUpRead:
    firm = get_visible(session, Firm, firm_id, principal)
    return _read(firm, _events(session, [firm_id]).get(firm_id, []))


def queue(
    session: Session,
    principal: Principal,
    page: PageParams,
    *,
    state: SignUpState | None,
    home_city_code: str | None,
) -> list[SignUpRead]:
    """Sign-ups in firm id order: a bureau's are its home city's firms (not the firms that only
    host a center there), the province's every firm's."""
    query = select(Firm).where(visible(Firm, principal), col(Firm.id) > page.after_id)
    if principal.role is not Role.province:
        query = query.where(Firm.home_city_code == principal.city_code)
    if state is not None:
        query = query.where(col(Firm.sign_up_state) == state)
    if home_city_code is not None:
        query = query.where(Firm.home_city_code == home_city_code)
    firms = list(session.exec(query.order_by(col(Firm.id)).limit(page.limit + 1)).all())
    events = _events(session, [f.id for f in firms if f.id is not None])
    return [_read(firm, events.get(firm.id or 0, [])) for firm in firms]


def _events(session: Session, firm_ids: list[int]) -> dict[int, list[FirmSignUpEvent]]:
    """The sign-up events of a page of firms: one query."""
    if not firm_ids:
        return {}
    rows = session.exec(
        select(FirmSignUpEvent)
        .where(col(FirmSignUpEvent.firm_id).in_(firm_ids))
        .order_by(col(FirmSignUpEvent.id))
    ).all()
    events: dict[int, list[FirmSignUpEvent]] = {}
    for event in rows:
        events.setdefault(event.firm_id, []).append(event)
    return events


def _read(firm: Firm, events: list[FirmSignUpEvent]) -> SignUpRead:
    assert firm.id is not None
    return SignUpRead(
        id=firm.id,
        firm_name=firm.name,
        uscc=firm.uscc,
        home_city_code=firm.home_city_code,
        state=firm.sign_up_state,
        events=[SignUpEventRead.model_validate(e) for e in events],
    )


def account(session: Session, principal: Principal) -> AccountRead:
    """The caller as the records say now: a pending firm polls this to see its approval."""
    username = None
    kind, _, key = principal.subject.partition(":")
    if kind == "user":
        username = session.exec(select(User.username).where(User.id == int(key))).first()
    firm = None
    if principal.firm_id is not None:
        row = get_visible(session, Firm, principal.firm_id, principal)
        assert row.id is not None
        firm = AccountFirm(
            id=row.id,
            name=row.name,
            home_city_code=row.home_city_code,
            sign_up_state=row.sign_up_state,
        )
    return AccountRead(
        subject=principal.subject,
        username=username,
        role=principal.role,
        city_code=principal.city_code,
        scopes=sorted(principal.scopes),
        firm=firm,
    )
