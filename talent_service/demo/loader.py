"""Deterministic demo data for an empty database (``talent-service demo``).

Everything is drawn from seeded ``random.Random`` streams against fixed dates, so the same seed
gives the same rows (apart from surrogate ids, ciphertext nonces and ``created_at`` stamps). The
data describe the program as of ``AS_OF`` (2026-06-30): hires run 2021-2025 and no departure,
closure, decision, declaration or review is later than that date. Nothing here reads the clock.

The rows are written as the services would write them (same identifier normalisation, keyed
look-up hash, encryption and masking as ``talents.service.register_talent``; the center rules of
``centers.service``: PRD host, non-PRD home, host city = the space's host city, a space partners
the firm's home city, the floor area fits) but in batches: a flush per stage, not per row. Facts
are dated and sourced as the services record them: tier certificates as periods
(``firms``), center statuses as events (``centers``), each registration's profile and the
declarations behind it with their reviews (``declarations``).

The stages: firms and accounts, tier periods, spaces and centers, status events, people and
spells (``spells``), registrations and declarations; then the people are written. The loader
flushes and never commits; the caller's unit of work commits.
"""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import insert
from sqlmodel import Session, col, select

from talent_service.accounts.service import MIN_PASSWORD
from talent_service.core.errors import CONFLICT, DomainError, rule_violation
from talent_service.demo import centers, declarations, firms, spells
from talent_service.demo.catalog import AS_OF
from talent_service.demo.people import People
from talent_service.demo.state import Demo, add_years
from talent_service.demo.summary import summary
from talent_service.models import City, Declaration, Employment, Firm, User
from talent_service.reference.enums import Region

__all__ = ["AS_OF", "add_years", "load_demo"]


def load_demo(session: Session, *, password: str, seed: int) -> list[str]:
    """Fill an empty database with deterministic demo data; return summary lines to print.

    Refuses (``DomainError``, conflict) when firms or demo accounts already exist. Flushes only.
    """
    if len(password) < MIN_PASSWORD:
        raise rule_violation("password", f"at least {MIN_PASSWORD} characters")
    if session.exec(select(Firm.id).limit(1)).first() is not None:
        raise DomainError(
            CONFLICT,
            "the database already holds firms; the demo loads into an empty database only "
            "(use a new TALENT_DATABASE_URL)",
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
    _write_people(demo)
    return summary(demo, seed)


def _write_people(demo: Demo) -> None:
    """The people (with their consolidated profiles), then what refers to them."""
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
            )
            for s in demo.spells
        ]
    )
    demo.session.flush()
    # In the order planned: ids ascend as the selection rule's tie-break assumed.
    demo.session.execute(
        insert(Declaration), [row.values(talent.id or 0) for talent, row in demo.declarations]
    )
