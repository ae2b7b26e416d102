"""One-person evaluation with three-valued (Kleene) logic and a bilingual explanation.

单人求值：三值逻辑（通过 / 未通过 / 无法判定），缺失的事实是“未知”而不是“否”。

``all`` is false if any child is false, else unknown if any child is unknown, else true; ``any``
is the dual; ``not`` flips true and false and keeps unknown. A missing fact makes its comparison
unknown. The result is plain JSON so a decision can be stored, hashed and signed as it is.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from talent_service.eligibility.engine.fact_spec import (
    FactError,
    FactSpec,
    FactValue,
    ParamValue,
    ValueType,
    value_problem,
)
from talent_service.eligibility.engine.facts import FACTS
from talent_service.eligibility.engine.parameters import check_params
from talent_service.eligibility.engine.rules import (
    AllNode,
    CompareNode,
    Node,
    NotNode,
    ParamRhs,
    Rule,
)
from talent_service.reference.enums import Outcome

ENGINE_VERSION = "talent-eligibility/1.0"


# Internal truth values; results in the explanation are "pass" / "fail" / "unknown".
TRUE, FALSE, UNKNOWN = 1, 0, 2
RESULT_NAMES = {TRUE: "pass", FALSE: "fail", UNKNOWN: "unknown"}
_OUTCOME_OF = {TRUE: Outcome.eligible, FALSE: Outcome.ineligible, UNKNOWN: Outcome.undetermined}
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
    if isinstance(value, list | tuple):
        parts = [_format_scalar(spec.name, v, lang) for v in value]
        return "{" + ("、" if lang == "zh" else ", ").join(parts) + "}"
    return _format_scalar(spec.name, value, lang)


# Values repeat a lot (ages, month counts, enum values): render each once. typed=True keeps
# True and 1 apart.
@functools.lru_cache(maxsize=4096, typed=True)
def _format_scalar(fact: str, value: Any, lang: str) -> str:
    spec = FACTS[fact]
    zh = lang == "zh"
    if value is None:
        return "缺失" if zh else "missing"
    if spec.type is ValueType.BOOLEAN:
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if spec.type is ValueType.ENUM:
        labels = spec.value_labels_zh if zh else spec.value_labels_en
        return (labels or {}).get(value, str(value))
    if spec.type is ValueType.NUMBER:
        words = spec.rank_labels_zh if zh else spec.rank_labels_en
        if words is not None and float(value).is_integer() and int(value) in words:
            return words[int(value)]
        text = _number(value)
        unit = spec.unit_zh if zh else spec.unit_en
        if not unit:
            return text
        return f"{text}{unit}" if zh else f"{text} {unit}"
    return str(value)


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


# A rule is compiled once into a plan that keeps everything that does not depend on the person
# (labels, operator symbols, rendered constant thresholds); a single decision then only
# renders what it found. Plans are cached per Rule object and go away with it.
_ALL, _ANY, _NOTK, _CMP = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class _Plan:
    node: Node
    kind: int
    children: tuple[_Plan, ...]
    head: dict[str, Any]  # constant part of the node's explanation
    text_zh: str  # groups: sentence before the result; compare: "label: fact op "
    text_en: str
    basis_zh: str  # the node's own legal reference, after the result ("" without one)
    basis_en: str
    fact: str = ""
    spec: FactSpec | None = None
    op: str = ""
    param: str | None = None
    value: Any = None
    req_zh: str = ""  # rendered constant threshold ("" when it comes from a parameter)
    req_en: str = ""


_PLANS: weakref.WeakKeyDictionary[Rule, _Plan] = weakref.WeakKeyDictionary()


def _basis(node: Node) -> tuple[str, str]:
    """The legal reference a node carries itself, as the end of its sentence."""
    if node.legal_ref is None:
        return "", ""
    return f"（依据：{node.legal_ref}）", f" (under {node.legal_ref})"


def _compile(node: Node, inherited_ref: str | None = None) -> _Plan:
    """A node's plan. Its sentence starts with the policy's own words for it (the node's label)
    and ends with its legal reference; ``legal_basis`` is the nearest reference up the tree, so
    a criterion without its own still names the article it falls under."""
    basis = node.legal_ref or inherited_ref
    head: dict[str, Any] = {
        "id": node.id,
        "kind": node.kind,
        "label_zh": node.label_zh,
        "label_en": node.label_en,
        "legal_ref": node.legal_ref,
        "legal_basis": basis,
    }
    basis_zh, basis_en = _basis(node)
    if isinstance(node, CompareNode):
        spec = FACTS[node.fact]
        param = node.rhs.param if isinstance(node.rhs, ParamRhs) else None
        value = None if isinstance(node.rhs, ParamRhs) else node.rhs.value
        head.update(fact=node.fact, op=node.op, param=param)
        return _Plan(
            node,
            _CMP,
            (),
            head,
            f"{node.label_zh}：{spec.label_zh} {_OP_ZH[node.op]} ",
            f"{node.label_en}: {spec.label_en} {_OP_EN[node.op]} ",
            basis_zh,
            basis_en,
            node.fact,
            spec,
            node.op,
            param,
            value,
            "" if param else format_value(spec, value, "zh"),
            "" if param else format_value(spec, value, "en"),
        )
    if isinstance(node, NotNode):
        child = node.child
        return _Plan(
            node,
            _NOTK,
            (_compile(child, basis),),
            head,
            f"{node.label_zh}：不得满足“{child.label_zh}”：",
            f"{node.label_en}: must not hold: “{child.label_en}”: ",
            basis_zh,
            basis_en,
        )
    n = len(node.children)
    kids = tuple(_compile(c, basis) for c in node.children)
    if isinstance(node, AllNode):
        return _Plan(
            node,
            _ALL,
            kids,
            head,
            f"{node.label_zh}：须同时满足以下 {n} 项条件：",
            f"{node.label_en}: all of {n} conditions: ",
            basis_zh,
            basis_en,
        )
    return _Plan(
        node,
        _ANY,
        kids,
        head,
        f"{node.label_zh}：须满足以下 {n} 项条件之一：",
        f"{node.label_en}: at least one of {n} conditions: ",
        basis_zh,
        basis_en,
    )


def _plan(rule: Rule) -> _Plan:
    plan = _PLANS.get(rule)
    if plan is None:
        plan = _PLANS[rule] = _compile(rule.root)
    return plan


def _truth(plan: _Plan, facts: Mapping[str, Any], params: Mapping[str, ParamValue]) -> int:
    """Three-valued result without building an explanation (forecast's inner loop)."""
    kind = plan.kind
    if kind == _CMP:
        found = facts.get(plan.fact)
        if found is None:
            return UNKNOWN
        required = params[plan.param] if plan.param else plan.value
        return TRUE if compare(plan.op, found, required) else FALSE
    if kind == _NOTK:
        return _NOT[_truth(plan.children[0], facts, params)]
    results = [_truth(c, facts, params) for c in plan.children]
    return _and(results) if kind == _ALL else _or(results)


def outcome_of(rule: Rule, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Outcome:
    """Just the outcome (same checks as :func:`evaluate`, no explanation)."""
    used, checked = _inputs(rule, facts, params)
    return _OUTCOME_OF[_truth(_plan(rule), used, checked)]


def _explain(
    plan: _Plan,
    facts: Mapping[str, Any],
    params: Mapping[str, ParamValue],
    results: dict[str, int],
    explained: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    out = dict(plan.head)
    if plan.kind == _CMP:
        spec = plan.spec
        assert spec is not None
        found = facts.get(plan.fact)
        if plan.param:
            required = params[plan.param]
            req_zh = format_value(spec, required, "zh")
            req_en = format_value(spec, required, "en")
        else:
            required, req_zh, req_en = plan.value, plan.req_zh, plan.req_en
        if found is None:
            result = UNKNOWN
            seen_zh, seen_en = "（缺失）", " (missing)"
        else:
            result = TRUE if compare(plan.op, found, required) else FALSE
            seen_zh = f"（实际 {format_value(spec, found, 'zh')}）"
            seen_en = f" (found {format_value(spec, found, 'en')})"
        out["required"] = list(required) if isinstance(required, list | tuple) else required
        out["found"] = found
        out["missing"] = found is None
        out["text_zh"] = f"{plan.text_zh}{req_zh}{seen_zh}：{_RESULT_ZH[result]}{plan.basis_zh}"
        out["text_en"] = f"{plan.text_en}{req_en}{seen_en}: {_RESULT_EN[result]}{plan.basis_en}"
    else:
        kids = [_explain(c, facts, params, results, explained) for c in plan.children]
        child_results = [results[c.node.id] for c in plan.children]
        if plan.kind == _NOTK:
            result = _NOT[child_results[0]]
        else:
            result = _and(child_results) if plan.kind == _ALL else _or(child_results)
        out["text_zh"] = plan.text_zh + _RESULT_ZH[result] + plan.basis_zh
        out["text_en"] = plan.text_en + _RESULT_EN[result] + plan.basis_en
        out["children"] = kids
    out["result"] = RESULT_NAMES[result]
    results[plan.node.id] = result
    explained[plan.node.id] = out
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
        "legal_basis": ex["legal_basis"],
        "text_zh": ex["text_zh"],
        "text_en": ex["text_en"],
    }
    if isinstance(node, CompareNode):
        out["fact"] = node.fact
    return out


def evaluate(rule: Rule, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Evaluation:
    """Evaluate ``rule`` for one person.

    ``facts``: fact name → value; a missing fact is ``None`` or absent. Facts the rule does not
    read are ignored. ``params``: parameter name → value for every parameter the rule reads.
    Raises :class:`~talent_service.eligibility.engine.fact_spec.FactError` for an ill-typed fact and
    :class:`~talent_service.eligibility.engine.parameters.ParameterError` for a missing or ill-typed
    parameter (a configuration error, not an undetermined decision).
    """
    used, checked = _inputs(rule, facts, params)
    results: dict[str, int] = {}
    explained: dict[str, dict[str, Any]] = {}
    explanation = _explain(_plan(rule), used, checked, results, explained)
    outcome = _OUTCOME_OF[results[rule.root.id]]
    failed = [_criterion_json(n, explained) for n in blockers(rule.root, results)]
    missing: dict[str, None] = {}
    relevant_missing(rule.root, results, missing)
    missing_facts = list(missing)
    if outcome is Outcome.eligible:
        summary_zh, summary_en = "符合条件", "eligible"
    elif outcome is Outcome.ineligible:
        summary_zh = (
            f"不符合条件：{len(failed)} 项条件未满足（"
            + "；".join(f["label_zh"] for f in failed)
            + "）"
        )
        summary_en = (
            f"not eligible: {len(failed)} {'criterion' if len(failed) == 1 else 'criteria'} "
            "not met (" + "; ".join(f["label_en"] for f in failed) + ")"
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
