"""Sign-ups: a self-registered firm is pending until its home city's bureau approves it."""

from __future__ import annotations

import itertools
import random
from typing import Any

from talent_service.reference.identifiers import synthetic_uscc
from tests.factories import SHANTOU

PASSWORD = "correct horse battery"
_seeds = itertools.count(100)


def sign_up_body(username: str, *, home: str = SHANTOU, uscc: str | None = None) -> dict[str, Any]:
    return {
        "firm": {
            "uscc": uscc or synthetic_uscc(random.Random(next(_seeds)), home),
            "name": f"自注册企业 {username}",
            "home_city_code": home,
        },
        "username": username,
        "password": PASSWORD,
    }
