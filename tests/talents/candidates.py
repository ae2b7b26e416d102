"""How many valid resident ID numbers fit what a caller received about one person?

An attacker's count, from the JSON a caller got over HTTP (any endpoints, any shapes): every
``id_number_masked`` (the known characters of all of them together), ``birth_year`` /
``birth_date``, ``sex``, every ``effective_on`` (a date about the person: born on or before it,
unless it is 1 January, which every date of the birth year reads as),
and in decision documents (a dict with ``as_of`` and ``facts``) the age on the as-of date, the
age on a forecast's day of change, and, with ``use_outcomes``, each age criterion's pass/fail
(which narrows the birthday around the as-of day: left open, see the README).

The number is area (6) + birth date (8) + sequence (3; odd = male, 000 never issued) + ISO 7064
MOD 11-2 check. Area codes: every code python-stdnum knows under the visible 4-digit prefix, in
any year (people keep the code they were first issued), grouping rows left out. The sum over
areas and days of the sequences whose check character matches is computed exactly, the check
being linear in the digits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from talent_service.eligibility.engine.evaluate import compare
from talent_service.eligibility.engine.months import age_on
from talent_service.reference.identifiers import known_region_codes_for

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
LENGTH = 18


@dataclass
class Seen:
    masks: set[str] = field(default_factory=set)
    birth_years: set[int] = field(default_factory=set)
    birth_dates: set[date] = field(default_factory=set)
    sexes: set[str] = field(default_factory=set)
    not_before: list[date] = field(default_factory=list)  # born on or before each
    ages: set[tuple[date, int]] = field(default_factory=set)  # (on, age in whole years)
    age_results: set[tuple[date, str, Any, str]] = field(default_factory=set)

    def add(self, payload: Any) -> Seen:
        for node in _dicts(payload):
            self._take(node)
        return self

    def _take(self, node: dict[str, Any]) -> None:
        if isinstance(node.get("id_number_masked"), str):
            self.masks.add(node["id_number_masked"])
        if isinstance(node.get("birth_year"), int):
            self.birth_years.add(node["birth_year"])
        if isinstance(node.get("birth_date"), str):
            self.birth_dates.add(date.fromisoformat(node["birth_date"]))
        if node.get("sex") in ("male", "female"):
            self.sexes.add(node["sex"])
        if isinstance(node.get("effective_on"), str):
            self.not_before.append(date.fromisoformat(node["effective_on"][:10]))
        if isinstance(node.get("as_of"), str) and isinstance(node.get("facts"), dict):
            self._decision(node)

    def _decision(self, doc: dict[str, Any]) -> None:
        as_of = date.fromisoformat(doc["as_of"])
        if isinstance(doc["facts"].get("age_years"), int):
            self.ages.add((as_of, doc["facts"]["age_years"]))
        forecast = doc.get("forecast") or {}
        then = forecast.get("facts_on_change") or {}
        if forecast.get("change_on") and isinstance(then.get("age_years"), int):
            self.ages.add((date.fromisoformat(forecast["change_on"]), then["age_years"]))
        for node in _dicts(doc.get("explanation")):
            if node.get("fact") == "age_years" and node.get("result") in ("pass", "fail"):
                required = node.get("required")
                if isinstance(required, list):
                    required = tuple(required)
                self.age_results.add((as_of, node["op"], required, node["result"]))


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _dicts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _dicts(v)


def _known(masks: set[str]) -> list[str | None]:
    """Each position's character where some mask shows it (they must agree)."""
    known: list[str | None] = [None] * LENGTH
    for mask in masks:
        assert len(mask) == LENGTH, mask
        for i, ch in enumerate(mask):
            if ch != "*":
                assert known[i] in (None, ch), (masks, i)
                known[i] = ch
    return known


@lru_cache(maxsize=64)
def area_codes(prefix4: str) -> tuple[str, ...]:
    codes: set[str] = set()
    for year in range(1980, 2031):
        codes.update(known_region_codes_for(prefix4, year))
    return tuple(sorted(codes))


def _days(seen: Seen, known: list[str | None], use_outcomes: bool) -> list[date]:
    if seen.birth_dates:
        days = list(seen.birth_dates)
    else:
        years = seen.birth_years or {int("".join(c or "?" for c in known[6:10]))}
        assert len(years) == 1, years
        (year,) = years
        first = date(year, 1, 1)
        days = [first + timedelta(n) for n in range((date(year + 1, 1, 1) - first).days)]
    # Birth-date digits the masks show (none, at 4 + 2).
    days = [
        d
        for d in days
        if all(k in (None, c) for k, c in zip(known[6:14], f"{d:%Y%m%d}", strict=True))
    ]
    # Born on or before each date about the person; 1 January of the birth year bounds nothing,
    # since every date of that year reads so (auth.disclosure.shown_date).
    bounds = [on for on in seen.not_before if (on.month, on.day) != (1, 1)]
    days = [d for d in days if all(d <= on for on in bounds)]
    days = [d for d in days if all(age_on(d, on) == age for on, age in seen.ages)]
    if use_outcomes:
        days = [
            d
            for d in days
            if all(
                compare(op, age_on(d, on), req) is (res == "pass")
                for on, op, req, res in seen.age_results
            )
        ]
    return days


def _sequences(known: list[str | None], sexes: set[str]) -> Counter[int]:
    """Sequence numbers that fit, counted by their part of the check sum (mod 11)."""
    out: Counter[int] = Counter()
    for seq in range(1, 1000):
        digits = f"{seq:03d}"
        if any(k not in (None, c) for k, c in zip(known[14:17], digits, strict=True)):
            continue
        if sexes and ("male" if seq % 2 else "female") not in sexes:
            continue
        out[_part(digits, 14)] += 1
    return out


def count(seen: Seen, *, use_outcomes: bool = False) -> int:
    """Valid resident ID numbers consistent with everything in ``seen``."""
    assert len(seen.sexes) <= 1, seen.sexes
    known = _known(seen.masks)
    prefix = "".join(c or "" for c in known[:4])
    assert len(prefix) == 4, "the first four characters are shown"
    areas = [
        a
        for a in area_codes(prefix)
        if all(k in (None, c) for k, c in zip(known[:6], a, strict=True))
    ]
    days = _days(seen, known, use_outcomes)
    sequences = _sequences(known, seen.sexes)
    check = known[17]
    if check is None:
        return len(areas) * len(days) * sum(sequences.values())
    value = 10 if check == "X" else int(check)
    # Days by their part of the check sum (mod 11): the sum is linear in the digits.
    day_sums = Counter(_part(f"{day:%Y%m%d}", 6) for day in days)
    total = 0
    for area in areas:
        area_sum = _part(area, 0)
        for day_sum, n in day_sums.items():
            # check = (12 - sum % 11) % 11  <=>  sum ≡ 12 - check (mod 11)
            total += n * sequences[(12 - value - area_sum - day_sum) % 11]
    return total


def _part(digits: str, start: int) -> int:
    """The digits' part of the check sum (mod 11), placed from position ``start``."""
    weights = WEIGHTS[start : start + len(digits)]
    return sum(int(c) * w for c, w in zip(digits, weights, strict=True)) % 11
