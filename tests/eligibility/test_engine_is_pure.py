"""The eligibility engine is pure: no module under ``eligibility/engine/`` reaches the database
or HTTP, directly or through what it imports.

Each module is imported alone in a fresh interpreter (another test's imports cannot hide one),
and the modules loaded afterwards are checked against the forbidden ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import talent_service.eligibility.engine as engine

FORBIDDEN = ("sqlmodel", "sqlalchemy", "fastapi", "starlette", "talent_service.models")
ENGINE_DIR = Path(engine.__file__).parent
MODULES = sorted(
    f"{engine.__name__}.{p.stem}" if p.stem != "__init__" else engine.__name__
    for p in ENGINE_DIR.glob("*.py")
)

_PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
forbidden = json.loads(sys.argv[2])
print(json.dumps([f for f in forbidden if f in sys.modules]))
"""


def loaded_forbidden(module: str) -> list[str]:
    """The forbidden modules loaded by importing ``module`` in a fresh interpreter."""
    done = subprocess.run(  # noqa: S603 - this interpreter, our own module names
        [sys.executable, "-c", _PROBE, module, json.dumps(FORBIDDEN)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found: list[str] = json.loads(done.stdout)
    return found


def test_the_engine_has_modules_to_check() -> None:
    assert f"{engine.__name__}.rules" in MODULES and len(MODULES) > 10


@pytest.mark.parametrize("module", MODULES)
def test_engine_module_imports_no_database_or_http(module: str) -> None:
    found = loaded_forbidden(module)
    assert found == [], f"{module} imports {', '.join(found)}: the engine must stay pure"
