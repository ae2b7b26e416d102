"""Rule trees: the JSON format, its typed form and the validator that guards it.

规则即数据：规则是由 all / any / not / compare 四种节点组成的 JSON 树，保存时校验，求值由本模块的
解释器完成，规则中的任何字符串都只是数据。

A node looks like ``{"id": "age-bachelor", "kind": "compare", "label_zh": "…", "label_en": "…",
"legal_ref": "…", "fact": "age_years", "op": "le", "rhs": {"param": "max_age_bachelor"}}``.
Groups carry ``children`` (``all``/``any``) or ``child`` (``not``). Only :func:`validate_rule`
builds a :class:`Rule`; it checks the raw JSON by hand first so that every problem comes back
with a path (``rule.children[1].fact``) and a reason, ready for RFC 9457 per-field errors.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from talent_service.eligibility.engine.fact_spec import (
    FactValue,
    ValueType,
    threshold_problem,
    value_problem,
)
from talent_service.eligibility.engine.facts import FACTS
from talent_service.eligibility.engine.parameters import ParamSpec

# Limits keep a stored rule readable and its evaluation cheap; real policies need far less.
MAX_DEPTH = 10
MAX_NODES = 200
MAX_CHILDREN = 50
MAX_LIST_ITEMS = 256
MAX_ID_LEN = 64
MAX_TEXT_LEN = 500
MAX_ERRORS = 50

Op = Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in"]
OPS: tuple[str, ...] = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in")
LIST_OPS = frozenset({"in", "not_in"})
OPS_BY_TYPE: Mapping[ValueType, frozenset[str]] = {
    ValueType.NUMBER: frozenset(OPS),
    ValueType.BOOLEAN: frozenset({"eq", "ne"}),
    ValueType.ENUM: frozenset({"eq", "ne", "in", "not_in"}),
    ValueType.STRING: frozenset({"eq", "ne", "in", "not_in"}),
}
KINDS: tuple[str, ...] = ("all", "any", "not", "compare")
_COMMON_KEYS = frozenset({"id", "kind", "label_zh", "label_en", "legal_ref"})
_KEYS_BY_KIND: Mapping[str, frozenset[str]] = {
    "all": _COMMON_KEYS | {"children"},
    "any": _COMMON_KEYS | {"children"},
    "not": _COMMON_KEYS | {"child"},
    "compare": _COMMON_KEYS | {"fact", "op", "rhs"},
}


# --- typed form -------------------------------------------------------------------------------


class _NodeBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    label_zh: str
    label_en: str
    legal_ref: str | None = None


class ValueRhs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    value: FactValue | tuple[FactValue, ...]


class ParamRhs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    param: str


class CompareNode(_NodeBase):
    kind: Literal["compare"] = "compare"
    fact: str
    op: Op
    rhs: ValueRhs | ParamRhs


class AllNode(_NodeBase):
    kind: Literal["all"] = "all"
    children: tuple[Node, ...]


class AnyNode(_NodeBase):
    kind: Literal["any"] = "any"
    children: tuple[Node, ...]


class NotNode(_NodeBase):
    kind: Literal["not"] = "not"
    child: Node


Node = Annotated[AllNode | AnyNode | NotNode | CompareNode, Field(discriminator="kind")]
AllNode.model_rebuild()
AnyNode.model_rebuild()
NotNode.model_rebuild()
_NODE_ADAPTER: TypeAdapter[Node] = TypeAdapter(Node)


def rule_json_schema() -> dict[str, Any]:
    """JSON Schema of a rule node, for OpenAPI documentation of request bodies."""
    return _NODE_ADAPTER.json_schema()


def node_children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, AllNode | AnyNode):
        return node.children
    if isinstance(node, NotNode):
        return (node.child,)
    return ()


def node_to_json(node: Node) -> dict[str, Any]:
    """Plain JSON of a node, keys in reading order (id, kind, labels, then the body)."""
    out: dict[str, Any] = {
        "id": node.id,
        "kind": node.kind,
        "label_zh": node.label_zh,
        "label_en": node.label_en,
    }
    if node.legal_ref is not None:
        out["legal_ref"] = node.legal_ref
    if isinstance(node, AllNode | AnyNode):
        out["children"] = [node_to_json(c) for c in node.children]
    elif isinstance(node, NotNode):
        out["child"] = node_to_json(node.child)
    else:
        out["fact"] = node.fact
        out["op"] = node.op
        if isinstance(node.rhs, ParamRhs):
            out["rhs"] = {"param": node.rhs.param}
        else:
            value = node.rhs.value
            out["rhs"] = {"value": list(value) if isinstance(value, tuple) else value}
    return out


@dataclass(frozen=True, eq=False)
class Rule:
    """A validated rule. Build it with :func:`validate_rule` only.

    ``criteria`` are the units a failure is blamed on: compare nodes, except that a ``not``
    node counts as one criterion as a whole (its label states the requirement).
    """

    root: Node
    facts: tuple[str, ...]  # facts referenced, in order of first appearance
    params: Mapping[str, ParamSpec]  # parameters referenced, with their declared types
    node_count: int
    criteria: tuple[CompareNode | NotNode, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The rule as plain JSON (what is stored); validate_rule(to_json()) round-trips."""
        return node_to_json(self.root)

    def nodes(self) -> Iterator[Node]:
        """Every node, pre-order."""
        stack: list[Node] = [self.root]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node_children(node)))


# --- validation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleError:
    field: str  # path such as "rule.children[1].rhs.value[0]"
    reason: str
    code: str  # stable machine code, e.g. "unknown_fact"

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason, "code": self.code}


class RuleValidationError(ValueError):
    """A rule was refused; ``errors`` lists every problem with its path."""

    def __init__(self, errors: list[RuleError]):
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in errors))

    def problem_errors(self) -> list[dict[str, str]]:
        """Per-field errors for an RFC 9457 problem response."""
        return [e.to_json() for e in self.errors]


def _show(value: object) -> str:
    """A short, quoted rendering of user data for messages (never interpreted)."""
    text = value if isinstance(value, str) else type(value).__name__
    if len(text) > 40:
        text = text[:40] + "…"
    return repr(text)


def is_slug(text: str) -> bool:
    """Lowercase ASCII letter first, then letters, digits, '-' or '_'; plain character tests."""
    if not 1 <= len(text) <= MAX_ID_LEN or not ("a" <= text[0] <= "z"):
        return False
    return all("a" <= ch <= "z" or "0" <= ch <= "9" or ch in "-_" for ch in text)


class _Walker:
    def __init__(self, parameter_types: Mapping[str, ParamSpec]):
        self.parameter_types = parameter_types
        self.errors: list[RuleError] = []
        self.ids: dict[str, str] = {}
        self.count = 0
        self.too_many = False
        self.facts: dict[str, None] = {}
        self.params: dict[str, ParamSpec] = {}

    def err(self, path: str, reason: str, code: str) -> None:
        # A hostile tree could produce millions of problems; the first ones are enough.
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RuleError(path, reason, code))

    def text(self, raw: Mapping[str, Any], key: str, path: str, *, required: bool) -> None:
        value = raw.get(key)
        if value is None:
            if required:
                self.err(f"{path}.{key}", "required", "missing_field")
            return
        if not isinstance(value, str):
            self.err(f"{path}.{key}", "must be a string", "wrong_type")
        elif required and not value.strip():
            self.err(f"{path}.{key}", "must not be empty", "empty")
        elif len(value) > MAX_TEXT_LEN:
            self.err(f"{path}.{key}", f"longer than {MAX_TEXT_LEN} characters", "too_long")

    def node(self, raw: object, path: str, depth: int) -> None:
        if self.too_many:
            return
        self.count += 1
        if self.count > MAX_NODES:
            self.too_many = True
            self.err(path, f"rule has more than {MAX_NODES} nodes", "too_large")
            return
        if depth > MAX_DEPTH:
            self.err(path, f"rule nests deeper than {MAX_DEPTH} levels", "too_deep")
            return
        if not isinstance(raw, Mapping):
            self.err(path, "expected an object (a rule node)", "wrong_type")
            return
        kind = raw.get("kind")
        if kind is None:
            self.err(f"{path}.kind", "required", "missing_field")
            return
        if not isinstance(kind, str) or kind not in _KEYS_BY_KIND:
            self.err(
                f"{path}.kind",
                f"unknown node kind {_show(kind)}; expected one of {', '.join(KINDS)}",
                "unknown_kind",
            )
            return
        for key in raw:
            if key not in _KEYS_BY_KIND[kind]:
                self.err(
                    f"{path}.{key if isinstance(key, str) else _show(key)}",
                    f"unexpected field for a {kind!r} node",
                    "unexpected_field",
                )
        node_id = raw.get("id")
        if node_id is None:
            self.err(f"{path}.id", "required", "missing_field")
        elif not isinstance(node_id, str) or not is_slug(node_id):
            self.err(
                f"{path}.id",
                f"{_show(node_id)} is not a valid id (lowercase letter, then "
                f"letters, digits, '-' or '_'; at most {MAX_ID_LEN})",
                "invalid_id",
            )
        elif node_id in self.ids:
            self.err(
                f"{path}.id",
                f"duplicate id {node_id!r} (first used at {self.ids[node_id]})",
                "duplicate_id",
            )
        else:
            self.ids[node_id] = path
        self.text(raw, "label_zh", path, required=True)
        self.text(raw, "label_en", path, required=True)
        self.text(raw, "legal_ref", path, required=False)
        if kind in ("all", "any"):
            children = raw.get("children")
            if not isinstance(children, list):
                self.err(f"{path}.children", "required: a list of nodes", "wrong_type")
            elif not children:
                self.err(f"{path}.children", f"an {kind!r} node needs at least one child", "empty")
            elif len(children) > MAX_CHILDREN:
                self.err(f"{path}.children", f"more than {MAX_CHILDREN} children", "too_large")
            else:
                for i, child in enumerate(children):
                    self.node(child, f"{path}.children[{i}]", depth + 1)
        elif kind == "not":
            if "child" not in raw:
                self.err(f"{path}.child", "required: one node", "missing_field")
            else:
                self.node(raw["child"], f"{path}.child", depth + 1)
        else:
            self.compare(raw, path)

    def compare(self, raw: Mapping[str, Any], path: str) -> None:
        fact = raw.get("fact")
        spec = None
        if fact is None:
            self.err(f"{path}.fact", "required", "missing_field")
        elif not isinstance(fact, str) or fact not in FACTS:
            self.err(f"{path}.fact", f"unknown fact {_show(fact)}", "unknown_fact")
        else:
            spec = FACTS[fact]
            self.facts.setdefault(fact, None)
        op = raw.get("op")
        if op is None:
            self.err(f"{path}.op", "required", "missing_field")
            op = None
        elif not isinstance(op, str) or op not in OPS:
            self.err(
                f"{path}.op",
                f"unknown operator {_show(op)}; expected one of {', '.join(OPS)}",
                "unknown_operator",
            )
            op = None
        elif spec is not None and op not in OPS_BY_TYPE[spec.type]:
            hint = " (compare its *_rank fact to order it)" if spec.type is ValueType.ENUM else ""
            self.err(
                f"{path}.op",
                f"operator {op!r} does not apply to {spec.type.value} fact {spec.name!r}{hint}",
                "type_mismatch",
            )
            op = None
        rhs = raw.get("rhs")
        if rhs is None:
            self.err(f"{path}.rhs", 'required: {"value": …} or {"param": "name"}', "missing_field")
            return
        if not isinstance(rhs, Mapping) or len(rhs) != 1 or not ("value" in rhs or "param" in rhs):
            self.err(
                f"{path}.rhs", 'must be exactly {"value": …} or {"param": "name"}', "wrong_type"
            )
            return
        if "param" in rhs:
            self.param(rhs["param"], f"{path}.rhs.param", spec, op)
        elif spec is not None and op is not None:
            self.value(rhs["value"], f"{path}.rhs.value", spec, op)

    def value(self, value: object, path: str, spec: Any, op: str) -> None:
        if op in LIST_OPS:
            if not isinstance(value, list):
                self.err(path, f"operator {op!r} needs a list of values", "type_mismatch")
            elif not value:
                self.err(path, "the list must not be empty", "empty")
            elif len(value) > MAX_LIST_ITEMS:
                self.err(path, f"more than {MAX_LIST_ITEMS} values", "too_large")
            else:
                for i, item in enumerate(value):
                    if why := value_problem(spec, item):
                        self.err(f"{path}[{i}]", f"{why} (fact {spec.name!r})", "type_mismatch")
            return
        if isinstance(value, list):
            self.err(path, f"operator {op!r} needs a single value, not a list", "type_mismatch")
        elif why := value_problem(spec, value):
            self.err(path, f"{why} (fact {spec.name!r})", "type_mismatch")

    def param(self, name: object, path: str, spec: Any, op: str | None) -> None:
        if not isinstance(name, str) or name not in self.parameter_types:
            self.err(path, f"unknown parameter {_show(name)}", "unknown_parameter")
            return
        pspec = self.parameter_types[name]
        self.params[name] = pspec
        if spec is None or op is None:
            return
        if pspec.type is not spec.type:
            self.err(
                path,
                f"parameter {name!r} is a {pspec.type.value} but fact {spec.name!r} "
                f"is a {spec.type.value}",
                "type_mismatch",
            )
        elif spec.type is ValueType.ENUM and (
            pspec.domain is None
            or pspec.domain not in FACTS
            or FACTS[pspec.domain].allowed != spec.allowed
        ):
            self.err(
                path,
                f"parameter {name!r} does not take values of fact {spec.name!r}",
                "type_mismatch",
            )
        elif pspec.many != (op in LIST_OPS):
            want = "a list" if op in LIST_OPS else "a single value"
            self.err(
                path,
                f"operator {op!r} needs {want}; parameter {name!r} is "
                f"{'a list' if pspec.many else 'a single value'}",
                "type_mismatch",
            )


def _build(raw: Mapping[str, Any]) -> Node:
    """Typed nodes from raw JSON already accepted by the walker."""
    common = {k: raw[k] for k in ("id", "label_zh", "label_en") if k in raw}
    common["legal_ref"] = raw.get("legal_ref")
    kind = raw["kind"]
    if kind == "all":
        return AllNode(children=tuple(_build(c) for c in raw["children"]), **common)
    if kind == "any":
        return AnyNode(children=tuple(_build(c) for c in raw["children"]), **common)
    if kind == "not":
        return NotNode(child=_build(raw["child"]), **common)
    rhs_raw = raw["rhs"]
    rhs: ValueRhs | ParamRhs
    if "param" in rhs_raw:
        rhs = ParamRhs(param=rhs_raw["param"])
    else:
        value = rhs_raw["value"]
        rhs = ValueRhs(value=tuple(value) if isinstance(value, list) else value)
    return CompareNode(fact=raw["fact"], op=raw["op"], rhs=rhs, **common)


def _criteria(node: Node) -> Iterator[CompareNode | NotNode]:
    if isinstance(node, CompareNode | NotNode):
        yield node
    else:
        for child in node_children(node):
            yield from _criteria(child)


def validate_rule(
    tree: object,
    parameter_types: Mapping[str, ParamSpec] | None = None,
    *,
    path: str = "rule",
) -> Rule:
    """Check a raw rule tree and return its typed form, or raise :class:`RuleValidationError`.

    ``parameter_types`` declares the parameters the rule may reference (name → :class:`ParamSpec`).
    Refused: unknown node kinds, facts, parameters and operators; type mismatches; duplicate or
    malformed ids; missing labels; unexpected fields; empty groups; trees deeper than
    ``MAX_DEPTH`` or larger than ``MAX_NODES``.
    """
    walker = _Walker(parameter_types or {})
    walker.node(tree, path, 1)
    if walker.errors:
        raise RuleValidationError(walker.errors)
    assert isinstance(tree, Mapping)
    root = _build(tree)
    return Rule(
        root=root,
        facts=tuple(walker.facts),
        params=dict(walker.params),
        node_count=walker.count,
        criteria=tuple(_criteria(root)),
    )


# --- threshold bounds -------------------------------------------------------------------------
# Checked when a rule or a parameter value is saved, not by validate_rule: a rule stored before
# the bounds existed must keep loading (checks then simply never forecast beyond the horizon).


def threshold_errors(rule: Rule, path: str = "rule") -> list[RuleError]:
    """Constant thresholds out of range for the time-growing facts they are compared with (see
    :func:`~.facts.threshold_problem`), with their paths."""
    errors: list[RuleError] = []

    def walk(node: Node, at: str) -> None:
        if isinstance(node, CompareNode):
            if isinstance(node.rhs, ValueRhs):
                spec = FACTS[node.fact]
                value = node.rhs.value
                many = isinstance(value, tuple)
                for i, item in enumerate(value if isinstance(value, tuple) else (value,)):
                    if why := threshold_problem(spec, item):
                        where = f"{at}.rhs.value[{i}]" if many else f"{at}.rhs.value"
                        errors.append(RuleError(where, why, "out_of_range"))
        elif isinstance(node, NotNode):
            walk(node.child, f"{at}.child")
        else:
            for i, child in enumerate(node.children):
                walk(child, f"{at}.children[{i}]")

    walk(rule.root, path)
    return errors[:MAX_ERRORS]


def param_threshold_problem(rule: Rule, name: str, value: object) -> str | None:
    """Why ``value`` of parameter ``name`` is out of range as a threshold of the facts ``rule``
    compares it with (see :func:`~.facts.threshold_problem`); None when it fits them all."""
    for node in rule.nodes():
        if (
            isinstance(node, CompareNode)
            and isinstance(node.rhs, ParamRhs)
            and node.rhs.param == name
            and (why := threshold_problem(FACTS[node.fact], value))
        ):
            return f"{why} (criterion {node.id!r})"
    return None
