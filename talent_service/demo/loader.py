"""Deterministic demo data for an empty database (``talent-service demo``).

Everything is drawn from seeded ``random.Random`` streams against fixed dates, so the same seed
gives the same rows (apart from sequence ids and ciphertext nonces; person ids are drawn from the
seed in the service's range, never numbered). The data describe the program as of ``AS_OF``
(2026-06-30): hires run 2021-2025 and no departure, closure, decision, declaration, review or
``created_at`` stamp is later than that date. Nothing here reads the clock.

The rows are written as the services would write them (same identifier normalisation, keyed
look-up hash, encryption and masking as ``talents.service.register_talent``; the center rules of
``centers.service``: PRD host, non-PRD home, host city = the space's host city, a space partners
the firm's home city, the floor area fits) but in batches: a flush per stage, not per row. Facts
are dated and sourced as the services record them: tier certificates as periods
(``firms``), center statuses as events (``centers``), each registration's profile and the
declarations behind it with their reviews (``declarations``).

The stages: firms and accounts, tier periods, spaces and centers, status events, people and
spells (``spells``), registrations and declarations; then the people get their ids and are
written, and every row is stamped with when its firm recorded it. The loader flushes and never
commits; the caller's unit of work commits.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, col, select

from talent_service.accounts.service import MIN_PASSWORD
from talent_service.core.clock import PROVINCE_TZ
from talent_service.core.errors import CONFLICT, DomainError, rule_violation
from talent_service.demo import centers, declarations, firms, spells
from talent_service.demo.catalog import AS_OF
from talent_service.demo.centers import CENTER_OPEN_START
from talent_service.demo.household import build_household
from talent_service.demo.people import People
from talent_service.demo.state import Demo, add_years
from talent_service.demo.summary import summary
from talent_service.models import (
    Center,
    City,
    Declaration,
    Employment,
    Enclave,
    Firm,
    Talent,
    User,
)
from talent_service.reference.enums import CenterStatus, Region
from talent_service.talents.registration import TALENT_ID_HIGH, TALENT_ID_LOW

__all__ = ["AS_OF", "add_years", "load_demo"]


def load_demo(session: Session, *, password: str, seed: int) -> list[str]:
    """Fill an empty database with deterministic demo data; return summary lines to print.

    Refuses (``DomainError``, conflict) when firms or demo accounts already exist. Flushes only.
    """
    if len(password) < MIN_PASSWORD:
        raise rule_violation("password", f"at least {MIN_PASSWORD} characters")
    if (
        session.exec(select(Firm.id).limit(1)).first() is not None
        or session.exec(select(Talent.id).limit(1)).first() is not None
    ):
        raise DomainError(
            CONFLICT,
            "the database already holds firms or people; the demo loads into an empty "
            "database only (use a new TALENT_DATABASE_URL)",
        )
    cities = list(session.exec(select(City).order_by(col(City.code))).all())
    regions = Counter(c.region for c in cities)
    if len(cities) != 21 or regions[Region.prd] != 9:
        raise DomainError(
            CONFLICT, f"expected the 21 Guangdong cities from the migration, found {len(cities)}"
        )
    demo_users = ["province", *(f"bureau-{c.code}" for c in cities)]
    taken = session.exec(select(User.username).where(col(User.username).in_(demo_users))).first()
    if taken is not None:
        raise DomainError(
            CONFLICT, f"account {taken!r} already exists; the demo loads into an empty database"
        )
    rng = random.Random(seed)
    demo = Demo(
        session=session,
        rng=rng,
        # A stream of its own (a str seed hashes the same in every process) for the facts'
        # history, so that the registry drawn from ``rng`` stays what it was.
        facts=random.Random(f"demo-facts-{seed}"),
        cities={c.code: c for c in cities},
        people=People(rng, {c.code: c.region for c in cities}),
        hosts=[c.code for c in cities if c.region is Region.prd],
        homes=[c.code for c in cities if c.region is not Region.prd],
    )
    firms.build_firms(demo)
    firms.build_accounts(demo, password)
    firms.build_tier_history(demo)
    centers.build_enclaves_and_centers(demo)
    centers.build_status_history(demo)
    spells.build_spells(demo)
    declarations.build_declarations(demo)
    _draw_talent_ids(demo, random.Random(f"demo-talent-ids-{seed}"))
    _write_people(demo)
    _stamp_registry(demo)
    children = build_household(demo, random.Random(f"demo-household-{seed}"))
    return [*summary(demo, seed), f"children: {len(children)} recorded by their parents' firms"]


def _draw_talent_ids(demo: Demo, rng: random.Random) -> None:
    """Person ids drawn as ``registration.new_talent_id`` draws them (uniform in
    [TALENT_ID_LOW, TALENT_ID_HIGH)), not numbered from 1: a sequential id tells whoever holds one
    how many people exist and which ids to try. Seeded (a stream of its own, so the rest of the
    data stays as drawn) for a reproducible demo; the database holds no one yet, so only the
    load's own ids can collide."""
    taken: set[int] = set()
    for talent in demo.people.talents:
        while (candidate := rng.randrange(TALENT_ID_LOW, TALENT_ID_HIGH)) in taken:
            pass
        taken.add(candidate)
        talent.id = candidate


def _write_people(demo: Demo) -> None:
    """The people (with their consolidated profiles), then what refers to them.

    Each row is stamped as recorded when its firm recorded it (not when the demo ran): a person
    at their first registration, a spell on its hire day, never before the firm registered the
    person. A history or a correction check reads these stamps."""
    registered: dict[tuple[int, int], datetime] = {}
    first: dict[int, datetime] = {}
    for talent, row in demo.registrations:
        registered[(id(talent), row.firm_id)] = row.registered_at
        first[id(talent)] = min(row.registered_at, first.get(id(talent), row.registered_at))
    for talent in demo.people.talents:
        talent.created_at = first[id(talent)]
    demo.session.add_all(demo.people.talents)
    demo.session.flush()
    for talent, registration in demo.registrations:
        registration.talent_id = talent.id or 0
    demo.session.add_all([row for _, row in demo.registrations])
    demo.session.add_all(
        [
            Employment(
                talent_id=s.talent.id or 0,
                firm_id=s.firm.row.id or 0,
                center_id=s.center.id if s.center is not None else None,
                position=s.position,
                key_post=s.key_post,
                recruited_via_program=s.via_program,
                hired_on=s.hired,
                departed_on=s.departed,
                departure_reason=s.reason,
                si_city_code=s.si_city,
                created_at=max(
                    registered[(id(s.talent), s.firm.row.id or 0)], _moment(s.hired, 10)
                ),
            )
            for s in demo.spells
        ]
    )
    demo.session.flush()
    # In the order planned: ids ascend as the selection rule's tie-break assumed.
    demo.session.execute(
        insert(Declaration), [row.values(talent.id or 0) for talent, row in demo.declarations]
    )


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), PROVINCE_TZ).astimezone(UTC)


def _stamp_registry(demo: Demo) -> None:
    """When each firm, space and center was recorded: a center when its firm registered it (the
    pending event), a space a month before its first center, a firm two weeks before its first
    act (a tier certificate, a center, a registration). Written when every act is known, by plain
    UPDATEs (the rows' versions stay 1: these are their first state, not edits)."""
    first: dict[int, datetime] = {}

    def seen(firm_id: int, at: datetime) -> None:
        first[firm_id] = min(at, first.get(firm_id, at))

    for period in demo.tier_periods:
        seen(period.firm_id, period.submitted_at)
    for _, registration in demo.registrations:
        seen(registration.firm_id, registration.registered_at)
    centers: dict[int, datetime] = {}
    for event in demo.status_events:
        if event.status is CenterStatus.pending:
            centers[event.center_id] = event.recorded_at
    spaces: dict[int, datetime] = {}
    for center in demo.centers:
        at = centers[center.id or 0]
        seen(center.firm_id, at)
        if center.enclave_id is not None:
            spaces[center.enclave_id] = min(at, spaces.get(center.enclave_id, at))
    fallback = _moment(CENTER_OPEN_START, 10)
    _stamp(demo, Center, [(c, centers[c.id or 0]) for c in demo.centers])
    _stamp(
        demo,
        Enclave,
        [
            (e, _moment(spaces.get(e.id or 0, fallback).date() - timedelta(days=30), 10))
            for e in demo.enclaves
        ],
    )
    _stamp(
        demo,
        Firm,
        [
            (f.row, _moment(first[f.row.id or 0].date() - timedelta(days=14), 10))
            for f in demo.firms
        ],
    )


def _stamp(demo: Demo, model: type[SQLModel], rows: list[tuple[Any, datetime]]) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    demo.session.execute(
        update(table).where(table.c.id == bindparam("row_id")).values(created_at=bindparam("at")),
        [{"row_id": row.id, "at": at} for row, at in rows],
    )
    for row, at in rows:
        set_committed_value(row, "created_at", at)
