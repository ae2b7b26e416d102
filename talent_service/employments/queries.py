"""Employment spells' invariant queries: one person's spells never overlap at one firm.

The mechanism: every write to a person's spells (hire, change, departure) first locks the
person's row (PostgreSQL ``FOR UPDATE``; on SQLite the write transaction holds the database's
write lock), so two such writes take turns and each overlap check sees the other's result.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from talent_service.auth.principal import Principal
from talent_service.auth.visibility import get_visible
from talent_service.core.errors import rule_violation
from talent_service.employments.rules import first_overlap
from talent_service.models import Employment, Talent


def lock_person(session: Session, talent_id: int) -> int | None:
    """Lock the person's row for this unit of work; None if there is no such person."""
    return session.exec(select(Talent.id).where(Talent.id == talent_id).with_for_update()).first()


def lock_spell(session: Session, principal: Principal, employment_id: int) -> Employment:
    """The spell, read again after locking its person's row: every write to one person's spells
    (hire, change, departure) holds that lock, so overlap checks see each other's results."""
    spell = get_visible(session, Employment, employment_id, principal)
    lock_person(session, spell.talent_id)
    session.refresh(spell, with_for_update=True)
    return spell


def _other_spells(
    session: Session, talent_id: int, firm_id: int, exclude: int | None = None
) -> list[tuple[int, date, date | None]]:
    query = select(col(Employment.id), col(Employment.hired_on), col(Employment.departed_on)).where(
        Employment.talent_id == talent_id, Employment.firm_id == firm_id
    )
    if exclude is not None:
        query = query.where(Employment.id != exclude)
    return [(int(i or 0), h, d) for i, h, d in session.exec(query).all()]


def check_no_overlap(
    session: Session, spell: Employment, start: date, end: date | None, field_name: str
) -> None:
    clash = first_overlap(
        start, end, _other_spells(session, spell.talent_id, spell.firm_id, exclude=spell.id)
    )
    if clash is not None:
        raise rule_violation(
            field_name, f"overlaps spell {clash} of the same talent at the same firm"
        )
