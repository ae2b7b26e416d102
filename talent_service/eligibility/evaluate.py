"""One-person evaluation with three-valued (Kleene) logic and a bilingual explanation.

单人求值：三值逻辑（通过 / 未通过 / 无法判定），缺失的事实是“未知”而不是“否”。

``all`` is false if any child is false, else unknown if any child is unknown, else true; ``any``
is the dual; ``not`` flips true and false and keeps unknown. A missing fact makes its comparison
unknown. The result is plain JSON so a decision can be stored, hashed and signed as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from talent_service.eligibility.facts import (
    FACTS,
    FactError,
    FactSpec,
    FactValue,
    ParamValue,
    ValueType,
    check_params,
    value_problem,
)
from talent_service.eligibility.rules import (
    AllNode,
    AnyNode,
    CompareNode,
    Node,
    NotNode,
    ParamRhs,
    Rule,
)

ENGINE_VERSION = "talent-eligibility/1.0"


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    UNDETERMINED = "undetermined"


# Internal truth values; results in the explanation are "pass" / "fail" / "unknown".
TRUE, FALSE, UNKNOWN = 1, 0, 2
RESULT_NAMES = {TRUE: "pass", FALSE: "fail", UNKNOWN: "unknown"}
_OUTCOME_OF = {TRUE: Outcome.ELIGIBLE, FALSE: Outcome.INELIGIBLE, UNKNOWN: Outcome.UNDETERMINED}
_RESULT_ZH = {TRUE: "通过", FALSE: "未通过", UNKNOWN: "无法判定"}
_RESULT_EN = {TRUE: "passed", FALSE: "failed", UNKNOWN: "undetermined"}
_OP_ZH = {
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "in": "属于",
    "not_in": "不属于",
}
_OP_EN = {
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "in": "in",
    "not_in": "not in",
}


def compare(op: str, found: FactValue, required: Any) -> bool:
    """The comparison itself; ``required`` is a list/tuple for ``in``/``not_in``."""
    if op == "eq":
        return bool(found == required)
    if op == "ne":
        return bool(found != required)
    if op == "in":
        return found in required
    if op == "not_in":
        return found not in required
    if op == "lt":
        return bool(found < required)
    if op == "le":
        return bool(found <= required)
    if op == "gt":
        return bool(found > required)
    return bool(found >= required)  # "ge"; the validator admits nothing else


def _leaf_truth(op: str, found: FactValue | None, required: Any) -> int:
    if found is None:
        return UNKNOWN
    return TRUE if compare(op, found, required) else FALSE


def _and(values: list[int]) -> int:
    if FALSE in values:
        return FALSE
    return UNKNOWN if UNKNOWN in values else TRUE


def _or(values: list[int]) -> int:
    if TRUE in values:
        return TRUE
    return UNKNOWN if UNKNOWN in values else FALSE


_NOT = {TRUE: FALSE, FALSE: TRUE, UNKNOWN: UNKNOWN}


# --- value rendering --------------------------------------------------------------------------


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def format_value(spec: FactSpec, value: Any, lang: str) -> str:
    """A fact value as a reader would write it ("12个月", "master's", "yes")."""
    zh = lang == "zh"
    if value is None:
        return "缺失" if zh else "missing"
    if isinstance(value, list | tuple):
        parts = [format_value(spec, v, lang) for v in value]
        return "{" + ("、" if zh else ", ").join(parts) + "}"
    if spec.type is ValueType.BOOLEAN:
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if spec.type is ValueType.ENUM:
        labels = spec.value_labels_zh if zh else spec.value_labels_en
        return (labels or {}).get(value, str(value))
    if spec.type is ValueType.NUMBER:
        text = _number(value)
        unit = spec.unit_zh if zh else spec.unit_en
        if not unit:
            return text
        return f"{text}{unit}" if zh else f"{text} {unit}"
    return str(value)


def compare_sentence(
    spec: FactSpec, op: str, required: Any, found: Any, result: int, lang: str
) -> str:
    """ "年龄 ≤ 40岁（实际 38岁）：通过" / "age ≤ 40 years (found 38 years): passed"."""
    req = format_value(spec, required, lang)
    if lang == "zh":
        seen = "（缺失）" if found is None else f"（实际 {format_value(spec, found, lang)}）"
        return f"{spec.label_zh} {_OP_ZH[op]} {req}{seen}：{_RESULT_ZH[result]}"
    seen = "(missing)" if found is None else f"(found {format_value(spec, found, lang)})"
    return f"{spec.label_en} {_OP_EN[op]} {req} {seen}: {_RESULT_EN[result]}"


def _group_sentences(node: Node, result: int) -> tuple[str, str]:
    if isinstance(node, AllNode):
        n = len(node.children)
        return (
            f"须同时满足以下 {n} 项条件：{_RESULT_ZH[result]}",
            f"all of {n} conditions: {_RESULT_EN[result]}",
        )
    if isinstance(node, AnyNode):
        n = len(node.children)
        return (
            f"须满足以下 {n} 项条件之一：{_RESULT_ZH[result]}",
            f"at least one of {n} conditions: {_RESULT_EN[result]}",
        )
    assert isinstance(node, NotNode)
    child = node.child
    return (
        f"不得满足“{child.label_zh}”：{_RESULT_ZH[result]}",
        f"must not hold: “{child.label_en}”: {_RESULT_EN[result]}",
    )


# --- evaluation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`; every field is plain JSON data (see :meth:`to_json`).

    ``explanation``: the rule tree; each node has ``id``, ``kind``, ``label_zh``, ``label_en``,
    ``legal_ref``, ``result`` (``pass``/``fail``/``unknown``), ``text_zh``, ``text_en``; compare
    nodes add ``fact``, ``op``, ``required``, ``param`` (name or None), ``found`` and
    ``missing``; groups add ``children`` (a ``not`` has exactly one).
    ``failed_criteria``: criteria whose failure keeps the outcome from ``eligible``.
    ``missing_facts``: missing facts that could still change the outcome (empty unless
    ``undetermined``).
    """

    outcome: Outcome
    explanation: dict[str, Any]
    failed_criteria: list[dict[str, Any]]
    missing_facts: list[str]
    facts_used: dict[str, FactValue | None]
    params_used: dict[str, ParamValue]
    summary_zh: str
    summary_en: str
    engine_version: str = ENGINE_VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "summary_zh": self.summary_zh,
            "summary_en": self.summary_en,
            "failed_criteria": self.failed_criteria,
            "missing_facts": self.missing_facts,
            "facts_used": self.facts_used,
            "params_used": self.params_used,
            "explanation": self.explanation,
            "engine_version": self.engine_version,
        }


def _inputs(
    rule: Rule, facts: Mapping[str, Any], params: Mapping[str, Any]
) -> tuple[dict[str, FactValue | None], dict[str, ParamValue]]:
    """The facts and parameters the rule reads, type-checked (missing facts become None)."""
    used: dict[str, FactValue | None] = {}
    for name in rule.facts:
        value = facts.get(name)
        if value is not None and (why := value_problem(FACTS[name], value)):
            raise FactError(f"{name}: {why}")
        used[name] = value
    return used, check_params(rule.params, params)


def _required(node: CompareNode, params: Mapping[str, ParamValue]) -> Any:
    if isinstance(node.rhs, ParamRhs):
        return params[node.rhs.param]
    return node.rhs.value


def _truth(node: Node, facts: Mapping[str, Any], params: Mapping[str, ParamValue]) -> int:
    """Three-valued result without building an explanation (forecast's inner loop)."""
    if isinstance(node, CompareNode):
        return _leaf_truth(node.op, facts.get(node.fact), _required(node, params))
    if isinstance(node, NotNode):
        return _NOT[_truth(node.child, facts, params)]
    results = [_truth(c, facts, params) for c in node.children]
    return _and(results) if isinstance(node, AllNode) else _or(results)


def outcome_of(rule: Rule, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Outcome:
    """Just the outcome (same checks as :func:`evaluate`, no explanation)."""
    used, checked = _inputs(rule, facts, params)
    return _OUTCOME_OF[_truth(rule.root, used, checked)]


def _explain(
    node: Node,
    facts: Mapping[str, Any],
    params: Mapping[str, ParamValue],
    results: dict[str, int],
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": node.id,
        "kind": node.kind,
        "label_zh": node.label_zh,
        "label_en": node.label_en,
        "legal_ref": node.legal_ref,
    }
    if isinstance(node, CompareNode):
        spec = FACTS[node.fact]
        found = facts.get(node.fact)
        required = _required(node, params)
        result = _leaf_truth(node.op, found, required)
        out["fact"] = node.fact
        out["op"] = node.op
        out["required"] = list(required) if isinstance(required, list | tuple) else required
        out["param"] = node.rhs.param if isinstance(node.rhs, ParamRhs) else None
        out["found"] = found
        out["missing"] = found is None
        out["result"] = RESULT_NAMES[result]
        out["text_zh"] = compare_sentence(spec, node.op, required, found, result, "zh")
        out["text_en"] = compare_sentence(spec, node.op, required, found, result, "en")
    else:
        if isinstance(node, NotNode):
            kids = [_explain(node.child, facts, params, results)]
            result = _NOT[results[node.child.id]]
        else:
            kids = [_explain(c, facts, params, results) for c in node.children]
            child_results = [results[c.id] for c in node.children]
            result = _and(child_results) if isinstance(node, AllNode) else _or(child_results)
        out["result"] = RESULT_NAMES[result]
        out["text_zh"], out["text_en"] = _group_sentences(node, result)
        out["children"] = kids
    results[node.id] = result
    return out


def blockers(node: Node, results: Mapping[str, int]) -> list[CompareNode | NotNode]:
    """Criteria that keep a not-true ``node`` from being true (failed ones only).

    In an ``all``, every child that is not true matters; in an ``any`` every child does (none is
    true). A failing ``not`` is blamed as one criterion.
    """
    if results[node.id] == TRUE:
        return []
    if isinstance(node, CompareNode | NotNode):
        return [node] if results[node.id] == FALSE else []
    found: list[CompareNode | NotNode] = []
    for child in node.children:
        found.extend(blockers(child, results))
    return found


def relevant_missing(node: Node, results: Mapping[str, int], out: dict[str, None]) -> None:
    """Facts of unknown comparisons on which an unknown ``node`` still depends.

    Under Kleene logic a true or false node does not depend on its unknown children, so only
    unknown paths are followed (``any(true, missing)`` contributes nothing).
    """
    if results[node.id] != UNKNOWN:
        return
    if isinstance(node, CompareNode):
        out.setdefault(node.fact, None)
    elif isinstance(node, NotNode):
        relevant_missing(node.child, results, out)
    else:
        for child in node.children:
            relevant_missing(child, results, out)


def _criterion_json(
    node: CompareNode | NotNode, explained: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    ex = explained[node.id]
    out = {
        "id": node.id,
        "label_zh": node.label_zh,
        "label_en": node.label_en,
        "legal_ref": node.legal_ref,
        "text_zh": ex["text_zh"],
        "text_en": ex["text_en"],
    }
    if isinstance(node, CompareNode):
        out["fact"] = node.fact
    return out


def _index(tree: dict[str, Any], into: dict[str, dict[str, Any]]) -> None:
    into[tree["id"]] = tree
    for child in tree.get("children", ()):
        _index(child, into)


def evaluate(rule: Rule, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Evaluation:
    """Evaluate ``rule`` for one person.

    ``facts``: fact name → value; a missing fact is ``None`` or absent. Facts the rule does not
    read are ignored. ``params``: parameter name → value for every parameter the rule reads.
    Raises :class:`~talent_service.eligibility.facts.FactError` for an ill-typed fact and
    :class:`~talent_service.eligibility.facts.ParameterError` for a missing or ill-typed
    parameter (a configuration error, not an undetermined decision).
    """
    used, checked = _inputs(rule, facts, params)
    results: dict[str, int] = {}
    explanation = _explain(rule.root, used, checked, results)
    root = results[rule.root.id]
    outcome = _OUTCOME_OF[root]
    explained: dict[str, dict[str, Any]] = {}
    _index(explanation, explained)
    failed = [_criterion_json(n, explained) for n in blockers(rule.root, results)]
    missing: dict[str, None] = {}
    relevant_missing(rule.root, results, missing)
    missing_facts = list(missing)
    if outcome is Outcome.ELIGIBLE:
        summary_zh, summary_en = "符合条件", "eligible"
    elif outcome is Outcome.INELIGIBLE:
        summary_zh = (
            f"不符合条件：{len(failed)} 项条件未满足（"
            + "；".join(f["label_zh"] for f in failed)
            + "）"
        )
        summary_en = (
            f"not eligible: {len(failed)} criteria not met ("
            + "; ".join(f["label_en"] for f in failed)
            + ")"
        )
    else:
        summary_zh = (
            "无法判定：缺少事实（" + "、".join(FACTS[f].label_zh for f in missing_facts) + "）"
        )
        summary_en = (
            "undetermined: missing facts ("
            + ", ".join(FACTS[f].label_en for f in missing_facts)
            + ")"
        )
    return Evaluation(
        outcome=outcome,
        explanation=explanation,
        failed_criteria=failed,
        missing_facts=missing_facts,
        facts_used=used,
        params_used={k: list(v) if isinstance(v, list | tuple) else v for k, v in checked.items()},
        summary_zh=summary_zh,
        summary_en=summary_en,
    )
