"""How declarations and a person's history read to a caller (rows chosen by queries.py).

A machine client reads what was declared, by whom and how it stands, not the officers' free
text about the person: the evidence (e.g. a certificate number) and a rejection's reason are
withheld from it. Every caller reads a date inside the person's birth year as 1 January of it
(``auth.disclosure.shown_date``): a hukou "since birth" would otherwise give the birthday.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from talent_service.auth.disclosure import shown_date
from talent_service.auth.principal import Principal
from talent_service.auth.visibility import get_visible
from talent_service.declarations.queries import HISTORY_LIMIT, history_rows
from talent_service.declarations.schemas import (
    DeclarationRead,
    DeclarationSource,
    History,
    HistoryEvent,
    Review,
)
from talent_service.models import Declaration, Talent
from talent_service.reference.enums import Role, Verification


def _source(row: Declaration) -> DeclarationSource:
    return DeclarationSource(
        kind=row.source, firm_id=row.source_firm_id, city_code=row.source_city_code
    )


def _withheld(principal: Principal, text: str | None) -> str | None:
    return None if principal.role is Role.client else text


def _birth_dates(session: Session, talent_ids: set[int]) -> dict[int, date | None]:
    """The people's birth dates, in one query, to show their dates (never shown themselves)."""
    if not talent_ids:
        return {}
    rows = session.exec(
        select(col(Talent.id), col(Talent.birth_date)).where(col(Talent.id).in_(talent_ids))
    ).all()
    return {talent_id: birth for talent_id, birth in rows if talent_id is not None}


def to_reads(
    session: Session, principal: Principal, rows: Sequence[Declaration]
) -> list[DeclarationRead]:
    births = _birth_dates(session, {r.talent_id for r in rows})
    return [_read(r, principal, births.get(r.talent_id)) for r in rows]


def to_read(session: Session, principal: Principal, row: Declaration) -> DeclarationRead:
    return to_reads(session, principal, [row])[0]


def _read(row: Declaration, principal: Principal, birth: date | None) -> DeclarationRead:
    assert row.id is not None
    review = None
    if row.reviewed_at is not None and row.reviewed_by is not None:
        review = Review(
            by=row.reviewed_by,
            at=row.reviewed_at,
            evidence=_withheld(principal, row.evidence),
            note=_withheld(principal, row.review_note),
        )
    return DeclarationRead(
        id=row.id,
        talent_id=row.talent_id,
        fact=row.fact,
        value=row.value,
        detail=row.detail,
        effective_on=shown_date(row.effective_on, birth),
        source=_source(row),
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        corrects_id=row.corrects_id,
        verification=row.verification,
        review=review,
        version=row.version,
    )


# At one instant, what was recorded comes before what was decided about it.
_ORDER = {"registered": 0, "declared": 1, "corrected": 1, "verified": 2, "rejected": 2}


def history(session: Session, principal: Principal, talent_id: int) -> History:
    """The person's record in time order, within the caller's view (queries.history_rows)."""
    talent = get_visible(session, Talent, talent_id, principal)  # 404 if it may not see them
    declarations, registrations = history_rows(session, principal, talent_id)
    truncated = len(declarations) > HISTORY_LIMIT
    events = [
        HistoryEvent(at=r.registered_at, kind="registered", firm_id=r.firm_id)
        for r in registrations
    ]
    for row in declarations[:HISTORY_LIMIT]:
        events.append(
            HistoryEvent(
                at=row.recorded_at,
                kind="corrected" if row.corrects_id is not None else "declared",
                declaration_id=row.id,
                fact=row.fact,
                value=row.value,
                detail=row.detail,
                effective_on=shown_date(row.effective_on, talent.birth_date),
                source=_source(row),
                corrects_id=row.corrects_id,
                by=row.recorded_by,
            )
        )
        if row.reviewed_at is not None:
            verified = row.verification is Verification.verified
            events.append(
                HistoryEvent(
                    at=row.reviewed_at,
                    kind="verified" if verified else "rejected",
                    declaration_id=row.id,
                    fact=row.fact,
                    value=row.value,
                    by=row.reviewed_by,
                    evidence=_withheld(principal, row.evidence),
                    note=_withheld(principal, row.review_note),
                )
            )
    events.sort(key=lambda e: (e.at, _ORDER[e.kind], e.declaration_id or 0))
    return History(talent_id=talent_id, events=events, truncated=truncated)
