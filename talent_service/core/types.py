"""Constrained input types: every string bounded, printable and visible."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic import BaseModel as _BaseModel
from pydantic_core import InitErrorDetails, PydanticCustomError

MAX_INT = 2**31 - 1  # PostgreSQL INTEGER: a larger id is refused as input, not a 500

# Controls (NUL is refused by PostgreSQL text), format characters (zero-width, BOM, bidi
# overrides that make a name display as something else), line/paragraph separators, lone
# surrogates and unassigned code points: never meaningful in these fields. Private-use code
# points (Co) are kept: legacy Chinese systems map rare name characters there (GB 18030's
# user-defined areas), and a person's name must not be refused for it.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"})
# Letters and symbols that render as blank space, so a name made of them looks empty.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _category(ch: str) -> str:
    # Planes 2 and 3 hold only CJK ideographs: a code point there that this Python's Unicode
    # tables do not know yet is a rare character of someone's name, not garbage.
    if 0x20000 <= ord(ch) <= 0x3FFFF and ord(ch) & 0xFFFE != 0xFFFE:
        return "Lo"
    return unicodedata.category(ch)


def _refused(ch: str) -> bool:
    return _category(ch) in _REFUSED_CATEGORIES


def _visible(ch: str) -> bool:
    category = _category(ch)
    return (category == "Co" or category[0] not in "CZM") and ch not in _BLANK


def _printable(value: str) -> str:
    # Refused here, in the field's own validator, so the problem names the field that carries it.
    if any(_refused(ch) for ch in value):
        raise ValueError("must not contain control, format or other invisible characters")
    if value and not any(_visible(ch) for ch in value):
        raise ValueError("must contain a visible character")
    return value


# The same check for text validated outside these types (e.g. strings inside a JSON document).
printable = _printable


def field_errors(model: type[Any], kind: str, reasons: dict[str, str]) -> ValidationError:
    """A validation error located at each field of ``reasons``, for checks across fields.

    A model validator's own errors are located at the model (``body``); pydantic-core keeps the
    location of a ``ValidationError`` raised inside a validator, so the problem names the fields.
    """
    details = [
        InitErrorDetails(type=PydanticCustomError(kind, reason), loc=(field,), input=None)
        for field, reason in reasons.items()
    ]
    return ValidationError.from_exception_data(model.__name__, details)


def text(max_length: int, *, min_length: int = 1) -> object:
    """A trimmed, printable, length-bounded string type."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_printable),
    ]


# Sized to their columns (tests/core/test_input_fits_columns.py checks every request field).
if TYPE_CHECKING:  # to mypy a call is not a type; at run time each carries its constraints
    Name = str
    ShortText = str
    LongText = str
    Label = str
    Address = str
else:
    Name = text(200)
    ShortText = text(100)
    LongText = text(500)
    Label = text(64)  # districts, certificate numbers
    Address = text(300)
CityCode = Annotated[str, StringConstraints(min_length=6, max_length=6, pattern=r"^\d{6}$")]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
# Path and query parameters, the same in every router.
IdPath = Annotated[int, Path(ge=1, le=MAX_INT)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_INT)]
CityQuery = Annotated[str | None, Query(pattern=r"^\d{6}$", description="GB/T 2260 city code")]
# Dates the registry accepts (hires, departures, openings): outside them is a typo, not history.
EARLIEST_DATE, LATEST_DATE = date(1990, 1, 1), date(2100, 1, 1)
Area = Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)]


class RequestModel(_BaseModel):
    """Base of request bodies: unknown fields are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class UpdateModel(RequestModel):
    """Base of PATCH bodies: absent means unchanged; null only where a field may be cleared."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    # Per field (absent fields are not validated), so the problem names each field sent as null.
    @field_validator("*", mode="before")
    @classmethod
    def _no_null_for_required(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable_fields:
            raise PydanticCustomError(
                "null_not_allowed", "{field} cannot be null", {"field": info.field_name}
            )
        return value


class ResponseModel(_BaseModel):
    model_config = ConfigDict(from_attributes=True)
