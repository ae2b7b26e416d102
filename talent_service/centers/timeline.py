"""A center's status through time, from its status events: pure, no database, no clock.

An event says "from ``effective_on`` the center is ``status``" and holds until the next one.
Events are read in the order ``(effective_on, id)``: of two events on the same day the later
recorded (higher id) holds, so the earlier one has no day of its own and yields no period.
Eligibility reads these to ask "was the center accredited on D" and "for which days of a spell
was it accredited"; the history endpoint shows the same periods.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple, Protocol, TypeVar

from talent_service.reference.enums import CenterStatus


class Event(NamedTuple):
    """One status event as the timeline needs it; ``id`` orders events of the same day."""

    status: CenterStatus
    effective_on: date
    id: int = 0


@dataclass(frozen=True)
class Period:
    """``status`` from ``from_on`` to ``to_on``, both days included; ``to_on`` None: still."""

    status: CenterStatus
    from_on: date
    to_on: date | None

    def covers(self, day: date) -> bool:
        return self.from_on <= day and (self.to_on is None or day <= self.to_on)


def ordered(events: Iterable[Event]) -> list[Event]:
    return sorted(events, key=lambda e: (e.effective_on, e.id))


class _Dated(Protocol):
    @property
    def effective_on(self) -> date: ...


D = TypeVar("D", bound=_Dated)


def in_force(events: Iterable[D], day: date) -> D | None:
    """Of ``events`` in the timeline's order, the one in force on ``day``: the latest effective
    on or before it (None before the first)."""
    last = None
    for event in events:
        if event.effective_on > day:
            break
        last = event
    return last


def status_on(events: Iterable[Event], day: date) -> CenterStatus | None:
    """The status on ``day``; None before the first event (the center had no status yet)."""
    event = in_force(ordered(events), day)
    return event.status if event is not None else None


def periods(events: Iterable[Event]) -> list[Period]:
    """The consecutive periods of each status, the last one open (``to_on`` None).

    An event superseded on its own day yields nothing, and two adjacent periods of the same
    status (e.g. suspended and reinstated on one day) are one period: a reader counting
    accredited days sees each stretch once.
    """
    result: list[Period] = []
    sequence = ordered(events)
    for i, event in enumerate(sequence):
        following = sequence[i + 1] if i + 1 < len(sequence) else None
        to_on = None if following is None else following.effective_on - timedelta(days=1)
        if to_on is not None and to_on < event.effective_on:
            continue  # superseded the same day
        if result and result[-1].status is event.status:
            result[-1] = Period(event.status, result[-1].from_on, to_on)
        else:
            result.append(Period(event.status, event.effective_on, to_on))
    return result


def spans(
    timeline: Sequence[Period], status: CenterStatus, start: date, end: date | None
) -> list[tuple[date, date | None]]:
    """The stretches of ``[start, end]`` (both included; ``end`` None: open) during which the
    status was ``status``, each clipped to that interval: e.g. the accredited days of a spell."""
    result: list[tuple[date, date | None]] = []
    for period in timeline:
        if period.status is not status:
            continue
        lo = max(period.from_on, start)
        ends = [d for d in (period.to_on, end) if d is not None]
        hi = min(ends) if ends else None
        if hi is None or lo <= hi:
            result.append((lo, hi))
    return result
