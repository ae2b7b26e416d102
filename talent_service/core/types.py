"""Constrained input types: every string bounded and free of NUL/control characters."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, model_validator
from pydantic import BaseModel as _BaseModel
from pydantic_core import PydanticCustomError

MAX_INT = 2**31 - 1  # PostgreSQL INTEGER: a larger id is refused as input, not a 500


def _printable(value: str) -> str:
    # NUL is refused by PostgreSQL text and other control characters are never meaningful in
    # these fields; refuse them here so the caller learns which field carries them.
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        raise ValueError("must not contain control characters (such as NUL)")
    return value


def text(max_length: int, *, min_length: int = 1) -> object:
    """A trimmed, printable, length-bounded string type."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_printable),
    ]


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_printable),
]
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_printable),
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_printable),
]
CityCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Area = Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)]


class RequestModel(_BaseModel):
    """Base of request bodies: unknown fields are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class UpdateModel(RequestModel):
    """Base of PATCH bodies: absent means unchanged; null only where a field may be cleared."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _no_null_for_required(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, value in data.items():
                if value is None and key in cls.model_fields and key not in cls.nullable_fields:
                    raise PydanticCustomError(
                        "null_not_allowed", "{field} cannot be null", {"field": key}
                    )
        return data


class ResponseModel(_BaseModel):
    model_config = ConfigDict(from_attributes=True)
