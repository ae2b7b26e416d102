"""Effective-dated ranges: policy versions and parameter values, half-open ``[from, to)``.

生效区间为左闭右开：effective_to 当天起不再生效；effective_to 为空表示长期有效。
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeVar


class EffectiveDated(Protocol):
    @property
    def effective_from(self) -> date: ...

    @property
    def effective_to(self) -> date | None: ...


class ValuedRange(EffectiveDated, Protocol):
    @property
    def value(self) -> Any: ...


T = TypeVar("T", bound=EffectiveDated)


class AmbiguousVersionError(ValueError):
    """More than one range contains the date: stored data broke the no-overlap rule."""


@dataclass(frozen=True)
class ParamValueRange:
    """One effective-dated value of a parameter (what the database stores per row)."""

    effective_from: date
    effective_to: date | None
    value: Any


def check_range(effective_from: date, effective_to: date | None) -> None:
    """Refuse an empty or inverted range (``to`` must be after ``from``): ValueError, whose
    message reads as the reason of a problem about ``effective_to``."""
    if effective_to is not None and effective_to <= effective_from:
        raise ValueError(
            f"must be after effective_from ({effective_from.isoformat()}); ranges are [from, to)"
        )


def in_range(effective_from: date, effective_to: date | None, as_of: date) -> bool:
    return effective_from <= as_of and (effective_to is None or as_of < effective_to)


def ranges_overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    """Whether ``[a_from, a_to)`` and ``[b_from, b_to)`` share a day; None means open-ended.

    Ranges that only touch (``a_to == b_from``) do not overlap.
    """
    return (a_to is None or b_from < a_to) and (b_to is None or a_from < b_to)


def overlapping(candidate: EffectiveDated, existing: Iterable[T]) -> list[T]:
    """The ``existing`` ranges that overlap ``candidate`` (pass only those of the same policy,
    and leave the candidate itself out when it is being re-saved)."""
    return [
        e
        for e in existing
        if ranges_overlap(
            candidate.effective_from, candidate.effective_to, e.effective_from, e.effective_to
        )
    ]


def pick_version(versions: Iterable[T], as_of: date) -> T | None:
    """The version in force on ``as_of`` (pass published versions only), or None."""
    found = [v for v in versions if in_range(v.effective_from, v.effective_to, as_of)]
    if len(found) > 1:
        raise AmbiguousVersionError(f"{len(found)} versions are in force on {as_of.isoformat()}")
    return found[0] if found else None


def param_values_on(
    param_history: Mapping[str, Iterable[ValuedRange]], as_of: date
) -> dict[str, Any]:
    """Parameter name → value in force on ``as_of``; parameters without one are left out (the
    evaluator then refuses to run rather than guess)."""
    out: dict[str, Any] = {}
    for name, history in param_history.items():
        current = pick_version(history, as_of)
        if current is not None:
            out[name] = current.value
    return out
