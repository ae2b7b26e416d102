"""Run every Python process of a test run at another time of day: the suite at 23:30 UTC.

With this folder on ``PYTHONPATH``, each interpreter that starts (pytest, its xdist workers, the
live servers and their uvicorn workers, the webhook worker, the command line) imports this file
first and moves its system clock with time-machine, ticking. The shift is one number of seconds
for all of them: the first process computes it from ``TALENT_TEST_AT_UTC`` ("HH:MM", today's date
in UTC) and hands it to its children in ``TALENT_TEST_CLOCK_OFFSET_SECONDS``, so every process
agrees on "now", as one fake clock shared by the whole run must.

Why not libfaketime: it moves the monotonic clock too, and with libfaketime 0.9.10 a timed wait
(``threading.Event.wait(timeout)``, ``queue.get(timeout=...)``) then never returns, which hung
the webhook worker's idle wait. time-machine moves the wall clock only (``time.time``,
``datetime.now``, ``date.today``), which is all the service's one clock reads.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

OFFSET = "TALENT_TEST_CLOCK_OFFSET_SECONDS"
AT_UTC = "TALENT_TEST_AT_UTC"


def _offset() -> float | None:
    if OFFSET in os.environ:
        return float(os.environ[OFFSET])
    at = os.environ.get(AT_UTC)
    if not at:
        return None
    hour, minute = (int(part) for part in at.split(":"))
    now = time.time()
    target = datetime.fromtimestamp(now, UTC).replace(hour=hour, minute=minute, second=0)
    offset = target.timestamp() - now
    os.environ[OFFSET] = repr(offset)  # the children shift by the same amount
    return offset


def _shift() -> None:
    offset = _offset()
    if offset is None:
        return
    import time_machine

    time_machine.travel(time.time() + offset, tick=True).start()
    # A ticking travel stands still until the clock is first read and ticks from then on: read
    # it now, or a process whose first read comes late (a uvicorn worker importing the app for a
    # second or two) would lag the others by that long, and refuse their tokens as not yet valid.
    time.time()


_shift()
