"""The pure timeline: a center's status on a day and its periods, from its events."""

from __future__ import annotations

from datetime import date

from talent_service.centers.timeline import Event, Period, ordered, periods, spans, status_on
from talent_service.reference.enums import CenterStatus

P, A, S, C, R = (
    CenterStatus.pending,
    CenterStatus.accredited,
    CenterStatus.suspended,
    CenterStatus.closed,
    CenterStatus.rejected,
)

# Opened 2024-01-10, accredited from 2024-03-01, suspended 2025-01-01, reinstated 2025-04-01.
EVENTS = [
    Event(P, date(2024, 1, 10), 1),
    Event(A, date(2024, 3, 1), 2),
    Event(S, date(2025, 1, 1), 3),
    Event(A, date(2025, 4, 1), 4),
]


def test_no_status_before_the_first_event() -> None:
    assert status_on(EVENTS, date(2024, 1, 9)) is None
    assert status_on([], date(2024, 1, 9)) is None


def test_an_event_holds_from_its_own_day() -> None:
    assert status_on(EVENTS, date(2024, 1, 10)) is P
    assert status_on(EVENTS, date(2024, 3, 1)) is A
    assert status_on(EVENTS, date(2025, 1, 1)) is S
    assert status_on(EVENTS, date(2025, 4, 1)) is A


def test_between_events_the_earlier_one_holds() -> None:
    assert status_on(EVENTS, date(2024, 2, 29)) is P
    assert status_on(EVENTS, date(2024, 12, 31)) is A
    assert status_on(EVENTS, date(2025, 3, 31)) is S
    assert status_on(EVENTS, date(2030, 1, 1)) is A


def test_the_order_of_the_input_does_not_matter() -> None:
    shuffled = [EVENTS[2], EVENTS[0], EVENTS[3], EVENTS[1]]
    assert ordered(shuffled) == EVENTS
    assert status_on(shuffled, date(2025, 2, 1)) is S
    assert periods(shuffled) == periods(EVENTS)


def test_periods_end_the_day_before_the_next_event_and_the_last_is_open() -> None:
    assert periods(EVENTS) == [
        Period(P, date(2024, 1, 10), date(2024, 2, 29)),
        Period(A, date(2024, 3, 1), date(2024, 12, 31)),
        Period(S, date(2025, 1, 1), date(2025, 3, 31)),
        Period(A, date(2025, 4, 1), None),
    ]
    assert periods([]) == []
    assert periods([Event(P, date(2024, 1, 10), 1)]) == [Period(P, date(2024, 1, 10), None)]


def test_a_closure_is_the_last_period() -> None:
    closed = [*EVENTS, Event(C, date(2025, 6, 30), 5)]
    assert periods(closed)[-2:] == [
        Period(A, date(2025, 4, 1), date(2025, 6, 29)),
        Period(C, date(2025, 6, 30), None),
    ]
    assert status_on(closed, date(2025, 6, 29)) is A
    assert status_on(closed, date(2025, 6, 30)) is C


def test_of_two_events_on_one_day_the_later_recorded_holds_and_the_other_has_no_period() -> None:
    # Rejected the day it opened: the pending event is superseded on its own day.
    same_day = [Event(R, date(2024, 1, 10), 7), Event(P, date(2024, 1, 10), 3)]
    assert status_on(same_day, date(2024, 1, 10)) is R
    assert periods(same_day) == [Period(R, date(2024, 1, 10), None)]


def test_suspended_and_reinstated_the_same_day_is_one_accredited_period() -> None:
    events = [
        Event(P, date(2024, 1, 10), 1),
        Event(A, date(2024, 3, 1), 2),
        Event(S, date(2024, 5, 1), 3),
        Event(A, date(2024, 5, 1), 4),
    ]
    assert periods(events) == [
        Period(P, date(2024, 1, 10), date(2024, 2, 29)),
        Period(A, date(2024, 3, 1), None),
    ]
    assert status_on(events, date(2024, 5, 1)) is A


def test_a_period_covers_its_first_and_last_day() -> None:
    period = Period(S, date(2025, 1, 1), date(2025, 3, 31))
    assert period.covers(date(2025, 1, 1)) and period.covers(date(2025, 3, 31))
    assert not period.covers(date(2024, 12, 31)) and not period.covers(date(2025, 4, 1))
    assert Period(A, date(2025, 4, 1), None).covers(date(2099, 1, 1))


def test_spans_clip_a_status_to_an_interval() -> None:
    timeline = periods(EVENTS)
    # A spell from 2024-02-01 to 2025-06-30: accredited 2024-03-01..2024-12-31, 2025-04-01..
    assert spans(timeline, A, date(2024, 2, 1), date(2025, 6, 30)) == [
        (date(2024, 3, 1), date(2024, 12, 31)),
        (date(2025, 4, 1), date(2025, 6, 30)),
    ]
    # Still running (no end): the open period stays open.
    assert spans(timeline, A, date(2025, 5, 1), None) == [(date(2025, 5, 1), None)]
    # Entirely within the suspension: no accredited day.
    assert spans(timeline, A, date(2025, 1, 15), date(2025, 3, 31)) == []
    # A one-day interval on a period's first day.
    assert spans(timeline, S, date(2025, 1, 1), date(2025, 1, 1)) == [
        (date(2025, 1, 1), date(2025, 1, 1))
    ]
