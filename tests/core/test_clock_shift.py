"""The 23:30 UTC run's shift of the clock (tests/clock_shift/) moves every process alike."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from time_machine import escape_hatch

SHIFT = Path(__file__).parents[1] / "clock_shift"

# The shifted process prints its time, its province date through the service's clock, and the
# time its own child sees: the child inherits the offset, not the time of day, so they agree.
# Each also prints how far its clock is from the real one; the child first waits a second
# before it reads the time at all, as a server worker importing the app does.
PROBE = """
import subprocess, sys
from datetime import UTC, datetime
from time_machine import escape_hatch
from talent_service.core import clock
now = (
    "import time; from datetime import UTC, datetime; from time_machine import escape_hatch; "
    "time.sleep(1); shifted = datetime.now(UTC); "
    "print(shifted.isoformat(), shifted.timestamp() - escape_hatch.time.time())"
)
shifted = datetime.now(UTC)
offset = shifted.timestamp() - escape_hatch.time.time()
child = subprocess.run(
    [sys.executable, "-c", now],
    capture_output=True, text=True, check=True,
)
print(shifted.isoformat(), clock.today().isoformat(), offset, child.stdout.strip())
"""


def test_the_shift_moves_a_process_and_its_children_to_the_same_instant() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_TEST_CLOCK")}
    env |= {"TALENT_TEST_AT_UTC": "23:30", "PYTHONPATH": str(SHIFT)}
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed probe
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    parent, province_day, parent_offset, child, child_offset = done.stdout.split()
    parent_at, child_at = datetime.fromisoformat(parent), datetime.fromisoformat(child)
    assert (parent_at.hour, parent_at.minute) == (23, 30)
    assert (child_at.hour, child_at.minute) == (23, 30)
    # One clock: the child's shift is the parent's, to the millisecond, though it read late.
    assert abs(float(child_offset) - float(parent_offset)) < 0.05
    # 23:30 UTC is 07:30 the next morning in Guangdong.
    assert province_day == (parent_at.date() + timedelta(days=1)).isoformat()


def test_without_the_variable_nothing_moves() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_TEST_")}
    env |= {"PYTHONPATH": str(SHIFT)}
    probe = "import os, time; print(time.time(), 'TALENT_TEST_CLOCK_OFFSET_SECONDS' in os.environ)"
    # The real clock, even when this run is itself shifted.
    real_now = escape_hatch.time.time() if escape_hatch.is_travelling() else time.time()
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed probe
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    seen, exported = done.stdout.split()
    assert abs(float(seen) - real_now) < 30
    assert exported == "False"
