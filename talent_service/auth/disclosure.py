"""How a person is shown, in one place: what any caller sees of a person's identity together.

A resident ID is area (6) + birth date (8) + sequence (3, odd = male) + MOD 11-2 check (1).
Shown as the first 4 and the last 2 characters (``4405************34``) beside the birth *year*
only, the number leaves the county (2 digits), the day of the year and two sequence digits
unknown: at least 365 × 99 / 11 ≈ 3,300 valid numbers for a city without counties (Dongguan
441900, Zhongshan 442000), about 30,000 for a city with ten. The first 4 and last 4 beside the
whole birth date (what was shown before) left the county alone unknown, often one number.

So every read that shows a person goes through these functions, for every caller (firms, bureaus,
the province, machine clients): talent reads, declarations and history (dates inside the birth
year), eligibility decisions (``eligibility/decisions/disclosure.py``: the age and the dates an age
limit makes). The whole number and the birth date leave only through
``GET /v1/talents/{id}/identity`` (bureau, province), which is an entry of the audit log; the
whole signed decision document likewise through ``…/decisions/{id}/document``.
"""

from __future__ import annotations

from datetime import date

# Characters of an 18-character number (resident or foreign permanent ID) shown at each end.
SHOWN_HEAD = 4
SHOWN_TAIL = 2
_LONG = 18


def shown_id(stored_mask: str) -> str:
    """The masked number a caller sees, from the stored display form (``mask_id``: up to 4 at
    each end). 18-character numbers keep 4 + 2; shorter ones (passports) keep the stored form,
    which never shows more than half of them and carries no birth date."""
    if len(stored_mask) != _LONG:
        return stored_mask
    return stored_mask[:SHOWN_HEAD] + "*" * (_LONG - SHOWN_HEAD - SHOWN_TAIL) + stored_mask[-2:]


def birth_year(birth_date: date | None) -> int | None:
    return None if birth_date is None else birth_date.year


def shown_date(day: date | None, birth_date: date | None) -> date | None:
    """A date about the person as shown: inside the birth year it reads 1 January, since a
    hukou "since birth" (or any date of that year) would otherwise bound the birthday."""
    if day is None or birth_date is None or day.year != birth_date.year:
        return day
    return date(day.year, 1, 1)


def earliest_fact_date(birth_date: date | None) -> date | None:
    """The earliest date a statement about the person may carry: 1 January of the birth year,
    not the birthday, so that a refusal cannot be used to find the day by trying dates."""
    return None if birth_date is None else date(birth_date.year, 1, 1)
