"""What a fact is: its value types, its specification, and the checks of a value against it.

A *fact* is a named value about one talent on one as-of date (computed by the database layer). A
fact that cannot be known is *missing*, represented as ``None`` or by leaving the key out of the
mapping, and is never treated as false. The registry of facts is ``facts.py``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

FactValue = int | float | bool | str
ParamValue = FactValue | list[FactValue]
# Missing facts are None (or absent); `Facts` is what evaluate() reads.
Facts = Mapping[str, FactValue | None]


class ValueType(StrEnum):
    NUMBER = "number"  # int or float, never bool
    BOOLEAN = "boolean"
    ENUM = "enum"  # a string from a closed, documented list
    STRING = "string"  # a free string, optionally with a fixed format


class Growth(StrEnum):
    """How a fact changes when only time passes (used by forecast)."""

    NONE = "none"
    MONTHS = "months"  # +1 on each monthly anniversary of an anchor date
    YEARS = "years"  # +1 on each birthday


class FactError(ValueError):
    """A fact value has the wrong type: a bug in whoever computed it, not a missing fact."""


@dataclass(frozen=True)
class FactSpec:
    name: str
    type: ValueType
    label_zh: str
    label_en: str
    definition_zh: str
    definition_en: str
    rounding_zh: str = ""
    rounding_en: str = ""
    unit_zh: str = ""
    unit_en: str = ""
    growth: Growth = Growth.NONE
    # ENUM: allowed values in their natural order, with zh/en labels for explanations.
    allowed: tuple[str, ...] = ()
    value_labels_zh: Mapping[str, str] | None = None
    value_labels_en: Mapping[str, str] | None = None
    # STRING: a fixed format, checked with plain character tests (never a regex on user input).
    string_format: str | None = None  # "gb2260": six ASCII digits
    # Derived facts: computed from another fact by `complete_facts`.
    derived_from: str | None = None
    # Rank facts: the words for each rank, so explanations read "≥ 中级" rather than "≥ 2".
    rank_labels_zh: Mapping[int, str] | None = None
    rank_labels_en: Mapping[int, str] | None = None
    # A fact about a child that a machine client may supply in the request (see ``supplied``);
    # never a fact about the talent.
    suppliable: bool = False

    def to_json(self) -> dict[str, Any]:
        """Plain-dict form for a `GET /facts` style listing."""
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type.value,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "definition_zh": self.definition_zh,
            "definition_en": self.definition_en,
            "rounding_zh": self.rounding_zh,
            "rounding_en": self.rounding_en,
            "unit_zh": self.unit_zh,
            "unit_en": self.unit_en,
            "grows_with_time": self.growth.value,
            "suppliable": self.suppliable,
        }
        if self.allowed:
            out["allowed"] = [
                {
                    "value": v,
                    "label_zh": (self.value_labels_zh or {}).get(v, v),
                    "label_en": (self.value_labels_en or {}).get(v, v),
                }
                for v in self.allowed
            ]
        if self.rank_labels_zh:
            out["ranks"] = [
                {"rank": r, "label_zh": z, "label_en": (self.rank_labels_en or {}).get(r, z)}
                for r, z in self.rank_labels_zh.items()
            ]
        if self.string_format:
            out["format"] = self.string_format
        if self.derived_from:
            out["derived_from"] = self.derived_from
        return out


# --- value checks -----------------------------------------------------------------------------


def is_gb2260(value: str) -> bool:
    """Six ASCII digits; plain character checks so no pattern engine ever sees the input."""
    return len(value) == 6 and all("0" <= ch <= "9" for ch in value)


def value_problem(spec: FactSpec, value: object) -> str | None:
    """Why ``value`` is not a valid value of fact ``spec`` (None when it is valid)."""
    if spec.type is ValueType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"expected a number, got {type(value).__name__}"
        if isinstance(value, float) and not math.isfinite(value):
            return "expected a finite number"
        return None
    if spec.type is ValueType.BOOLEAN:
        if isinstance(value, bool):
            return None
        return f"expected a boolean, got {type(value).__name__}"
    if not isinstance(value, str):
        return f"expected a string, got {type(value).__name__}"
    if spec.type is ValueType.ENUM and value not in spec.allowed:
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f"{shown!r} is not one of {', '.join(spec.allowed)}"
    if spec.string_format == "gb2260" and not is_gb2260(value):
        return "expected a six-digit GB/T 2260 code"
    return None


# Thresholds compared with a fact that grows with time (age, month counts): a person's whole
# life fits in them, and beyond them a rule could only say "never" (or "always"). They also keep
# every date a forecast may compute from a threshold within the calendar.
MAX_AGE_THRESHOLD = 150  # years
MAX_MONTHS_THRESHOLD = 12 * MAX_AGE_THRESHOLD
_THRESHOLD_LIMITS = {Growth.YEARS: MAX_AGE_THRESHOLD, Growth.MONTHS: MAX_MONTHS_THRESHOLD}


def threshold_problem(spec: FactSpec, value: object) -> str | None:
    """Why ``value`` (or an item of a list) is out of range as a threshold for fact ``spec``;
    only time-growing facts are bounded. Assumes :func:`value_problem` accepted the value."""
    limit = _THRESHOLD_LIMITS.get(spec.growth)
    if limit is None:
        return None
    for item in value if isinstance(value, list | tuple) else (value,):
        if isinstance(item, int | float) and not isinstance(item, bool) and not 0 <= item <= limit:
            return (
                f"a threshold for fact {spec.name!r} must lie between 0 and {limit} {spec.unit_en}"
            )
    return None
