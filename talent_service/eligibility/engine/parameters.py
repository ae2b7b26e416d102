"""Parameters: named, typed thresholds whose values are supplied per evaluation (the database
keeps effective-dated values), and the checks of those values."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from talent_service.eligibility.engine.fact_spec import (
    FactSpec,
    ParamValue,
    ValueType,
    value_problem,
)
from talent_service.eligibility.engine.facts import FACTS


class ParamSpec(BaseModel):
    """The declared type of a named threshold (its values are effective-dated in the database).

    ``domain`` names an enum/string fact whose allowed values or format the parameter shares
    (e.g. ``domain="education"``); ``many`` marks a list parameter for ``in``/``not_in``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: ValueType
    many: bool = False
    domain: str | None = None
    unit_zh: str = ""
    unit_en: str = ""
    label_zh: str = ""
    label_en: str = ""
    min_items: int = Field(default=1, ge=1)


# Stand-ins for parameters without a domain: only the value type is checked.
_PLAIN_SPECS = {t: FactSpec("", t, "", "", "", "") for t in ValueType}


def param_value_problem(spec: ParamSpec, value: object) -> str | None:
    """Why ``value`` is not a valid value for a parameter of ``spec`` (None when valid)."""
    scalar_spec = FACTS.get(spec.domain) if spec.domain else None
    if scalar_spec is None:
        scalar_spec = _PLAIN_SPECS[spec.type]
    if spec.many:
        if not isinstance(value, list | tuple):
            return "expected a list"
        if len(value) < spec.min_items:
            return "expected a non-empty list"
        for i, item in enumerate(value):
            if why := value_problem(scalar_spec, item):
                return f"item {i}: {why}"
        return None
    if isinstance(value, list | tuple):
        return "expected a single value, got a list"
    return value_problem(scalar_spec, value)


class ParameterError(ValueError):
    """Parameter values supplied to an evaluation are missing or ill-typed."""


def check_params(
    needed: Mapping[str, ParamSpec], values: Mapping[str, object]
) -> dict[str, ParamValue]:
    """The values of the ``needed`` parameters, checked; raise :class:`ParameterError`."""
    out: dict[str, ParamValue] = {}
    problems = []
    for name, spec in needed.items():
        if name not in values or values[name] is None:
            problems.append(f"{name}: no value supplied")
            continue
        value = values[name]
        if why := param_value_problem(spec, value):
            problems.append(f"{name}: {why}")
            continue
        out[name] = list(value) if isinstance(value, list | tuple) else value  # type: ignore[assignment]
    if problems:
        raise ParameterError("; ".join(problems))
    return out
