"""The selection rule, pure: which declaration holds on a date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from talent_service.declarations.selection import VERIFIED_ONLY, Claim, holding_on
from talent_service.reference.enums import Source, Verification

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def claim(
    key: int,
    value: str,
    effective_on: date | None,
    verification: Verification = Verification.declared,
    *,
    corrects_id: int | None = None,
    recorded_at: datetime = T0,
) -> Claim:
    return Claim(
        id=key,
        value=value,
        effective_on=effective_on,
        verification=verification,
        recorded_at=recorded_at,
        source=Source.firm,
        corrects_id=corrects_id,
    )


def _value(claims: list[Claim], day: date, **kw: object) -> str | None:
    held = holding_on(claims, day, **kw)  # type: ignore[arg-type]
    return None if held is None else held.value


def test_the_declaration_in_effect_most_recently_wins() -> None:
    claims = [claim(1, "master", date(2015, 7, 1)), claim(2, "doctor", date(2024, 7, 1))]
    assert _value(claims, date(2025, 1, 1)) == "doctor"
    assert _value(claims, date(2020, 1, 1)) == "master"
    assert _value(claims, date(2010, 1, 1)) is None


def test_a_declaration_of_unknown_date_holds_since_before_the_records() -> None:
    claims = [claim(1, "bachelor", None), claim(2, "master", date(2015, 7, 1))]
    assert _value(claims, date(1990, 1, 1)) == "bachelor"
    assert _value(claims, date(2016, 1, 1)) == "master"


def test_on_the_same_date_verified_beats_declared_then_the_last_recorded() -> None:
    day = date(2022, 1, 1)
    later = datetime(2025, 6, 1, tzinfo=UTC)
    claims = [
        claim(1, "senior", day, recorded_at=later),
        claim(2, "associate_senior", day, Verification.verified),
    ]
    assert _value(claims, day) == "associate_senior"
    claims = [claim(1, "senior", day), claim(2, "junior", day, recorded_at=later)]
    assert _value(claims, day) == "junior"


def test_a_rejected_declaration_is_never_read() -> None:
    claims = [
        claim(1, "master", date(2015, 7, 1)),
        claim(2, "doctor", date(2024, 7, 1), Verification.rejected),
    ]
    assert _value(claims, date(2025, 1, 1)) == "master"
    every = frozenset(Verification)
    assert _value(claims, date(2025, 1, 1), accept=every) == "master"


def test_a_reader_of_verified_facts_only_ignores_what_is_only_declared() -> None:
    claims = [
        claim(1, "master", date(2015, 7, 1), Verification.verified),
        claim(2, "doctor", date(2024, 7, 1)),
    ]
    assert _value(claims, date(2025, 1, 1), accept=VERIFIED_ONLY) == "master"


def test_a_correction_replaces_what_it_corrects_on_every_date() -> None:
    wrong = claim(1, "doctor", date(2024, 7, 1))
    fixed = claim(2, "doctor", date(2025, 3, 1), corrects_id=1)
    base = claim(3, "master", date(2015, 7, 1))
    claims = [base, wrong, fixed]
    # Between the wrong date and the right one, the doctorate does not hold yet.
    assert _value(claims, date(2024, 12, 1)) == "master"
    assert _value(claims, date(2025, 4, 1)) == "doctor"


def test_a_correction_the_reader_does_not_accept_leaves_the_original() -> None:
    original = claim(1, "doctor", date(2024, 7, 1), Verification.verified)
    declared_fix = claim(2, "bachelor", date(2012, 7, 1), corrects_id=1)
    rejected_fix = claim(3, "bachelor", date(2012, 7, 1), Verification.rejected, corrects_id=1)
    day = date(2025, 1, 1)
    assert _value([original, rejected_fix], day) == "doctor"
    assert _value([original, declared_fix], day, accept=VERIFIED_ONLY) == "doctor"
    assert _value([original, declared_fix], day) == "bachelor"
