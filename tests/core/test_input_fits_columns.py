"""Every bounded text a request carries fits the column it is stored in.

SQLite ignores VARCHAR lengths, PostgreSQL refuses the row: a request schema that allows more
than its column is a 500 on PostgreSQL only. Checked here for every request model and the
table it writes, field by field (same name), on the declared types alone.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, get_args, get_origin

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from sqlmodel import SQLModel

from talent_service.centers.schemas import CenterCreate, CenterUpdate
from talent_service.eligibility.policies.schemas import (
    ParameterCreate,
    PolicyCreate,
    VersionCreate,
    VersionUpdate,
)
from talent_service.employments.schemas import Departure, EmploymentCreate, EmploymentUpdate
from talent_service.enclaves.schemas import EnclaveCreate, EnclaveUpdate
from talent_service.firms.schemas import FirmCreate, FirmUpdate
from talent_service.models import (
    Center,
    Employment,
    Enclave,
    Firm,
    Policy,
    PolicyParameter,
    PolicyVersion,
    Talent,
)
from talent_service.talents.schemas import TalentCreate, TalentUpdate

WRITES: list[tuple[type[BaseModel], type[SQLModel]]] = [
    (EnclaveCreate, Enclave),
    (EnclaveUpdate, Enclave),
    (FirmCreate, Firm),
    (FirmUpdate, Firm),
    (CenterCreate, Center),
    (CenterUpdate, Center),
    (TalentCreate, Talent),
    (TalentUpdate, Talent),
    (EmploymentCreate, Employment),
    (EmploymentUpdate, Employment),
    (Departure, Employment),
    (PolicyCreate, Policy),
    (VersionCreate, PolicyVersion),
    (VersionUpdate, PolicyVersion),
    (ParameterCreate, PolicyParameter),
]


def _limits(metadata: Any) -> list[int]:
    # A constraint object, or a Field(...) inside Annotated that carries its own metadata.
    if isinstance(metadata, FieldInfo):
        return [n for m in metadata.metadata for n in _limits(m)]
    length = getattr(metadata, "max_length", None)
    return [length] if length else []


def _max_lengths(annotation: Any) -> list[int]:
    if get_origin(annotation) is Annotated:
        inner, *metadata = get_args(annotation)
        return [n for m in metadata for n in _limits(m)] + _max_lengths(inner)
    return [n for arg in get_args(annotation) for n in _max_lengths(arg)]


def _is_enum(annotation: Any) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, Enum)
    return any(_is_enum(arg) for arg in get_args(annotation) if arg is not type(None))


def _allowed(field: FieldInfo) -> int | None:
    if _is_enum(field.annotation):  # bounded by its members, stored as VARCHAR(32)
        return 0
    found = [n for m in field.metadata for n in _limits(m)] + _max_lengths(field.annotation)
    return min(found) if found else None


# Fields whose own validator guarantees the stored length, whatever the raw input allows.
NORMALISED = {("uscc", 18)}  # spaces and hyphens dropped; the check character needs 18


def _stored(schema: type[BaseModel], model: type[SQLModel]) -> list[tuple[str, int, int | None]]:
    columns = model.__table__.columns  # type: ignore[attr-defined]
    pairs = []
    for name, field in schema.model_fields.items():
        column = columns.get(name)
        length = getattr(column.type, "length", None) if column is not None else None
        if length:
            pairs.append((name, length, _allowed(field)))
    return pairs


@pytest.mark.parametrize(("schema", "model"), WRITES, ids=[s.__name__ for s, _ in WRITES])
def test_bounded_text_fits_its_column(schema: type[BaseModel], model: type[SQLModel]) -> None:
    too_long = [
        (name, allowed, length)
        for name, length, allowed in _stored(schema, model)
        if (allowed is None or allowed > length) and (name, length) not in NORMALISED
    ]
    assert too_long == [], f"(field, allowed, column length) of {schema.__name__}"


def test_the_check_sees_the_fields() -> None:
    # Guards the guard: the walk through Optional/Annotated finds real limits.
    assert ("name", 100, 100) in _stored(TalentCreate, Talent)
    assert any(name == "district" for name, _, _ in _stored(EnclaveUpdate, Enclave))
