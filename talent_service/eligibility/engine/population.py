"""Whole-population evaluation with numpy: one pass per rule node, never one per talent.

群体求值与政策模拟：按列（事实）向量化计算三值逻辑，用于发布前的草案模拟。

Table format (:class:`PopulationTable`): one :class:`Column` per fact, all of ``n_rows``.
``number`` columns are float64, ``boolean`` columns are bool, ``enum``/``string`` columns are
int32 codes into the column's ``categories`` (code -1 is allowed on missing rows). Every column
has a bool ``missing`` mask; values under the mask are ignored. A fact with no column is
missing for every row.

Three-valued logic is carried as two bool arrays per node, ``is_true`` and ``is_false`` (the
brief's *known* is ``is_true | is_false`` and *value* is ``is_true``): ``all`` → true = AND of
trues, false = OR of falses; ``any`` is the dual; ``not`` swaps them. This is exactly the Kleene
logic of :mod:`.evaluate`, and the blame and missing-fact rules are the same too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from talent_service.eligibility.engine.fact_spec import (
    FactError,
    ParamValue,
    ValueType,
    value_problem,
)
from talent_service.eligibility.engine.facts import FACTS
from talent_service.eligibility.engine.parameters import check_params
from talent_service.eligibility.engine.rules import (
    AllNode,
    AnyNode,
    CompareNode,
    Node,
    NotNode,
    ParamRhs,
    Rule,
)

BoolArray = npt.NDArray[np.bool_]

# Outcome codes per row.
INELIGIBLE, ELIGIBLE, UNDETERMINED = 0, 1, 2
OUTCOME_NAMES = {INELIGIBLE: "ineligible", ELIGIBLE: "eligible", UNDETERMINED: "undetermined"}


@dataclass(frozen=True, eq=False)
class Column:
    values: np.ndarray
    missing: BoolArray
    categories: tuple[str, ...] = ()  # enum/string columns: code i means categories[i]

    @staticmethod
    def number(
        values: Sequence[float | None] | np.ndarray, missing: BoolArray | None = None
    ) -> Column:
        """A number column; ``None``/NaN entries are missing unless a mask is given."""
        arr = (
            np.array([np.nan if v is None else v for v in values], dtype=np.float64)
            if not isinstance(values, np.ndarray)
            else values.astype(np.float64, copy=False)
        )
        if missing is None:
            missing = np.isnan(arr)
        return Column(arr, np.asarray(missing, dtype=np.bool_))

    @staticmethod
    def boolean(
        values: Sequence[bool | None] | np.ndarray, missing: BoolArray | None = None
    ) -> Column:
        if isinstance(values, np.ndarray):
            arr = values.astype(np.bool_, copy=False)
            mask = np.zeros(len(arr), np.bool_) if missing is None else missing
        else:
            arr = np.array([bool(v) for v in values], dtype=np.bool_)
            mask = np.array([v is None for v in values], np.bool_) if missing is None else missing
        return Column(arr, np.asarray(mask, dtype=np.bool_))

    @staticmethod
    def categorical(
        values: Sequence[str | None], categories: Sequence[str] | None = None
    ) -> Column:
        """Codes for strings; categories default to the values seen, in first-seen order."""
        cats: dict[str, int] = {c: i for i, c in enumerate(categories or ())}
        codes = np.empty(len(values), dtype=np.int32)
        for i, v in enumerate(values):
            if v is None:
                codes[i] = -1
            else:
                if v not in cats:
                    if categories is not None:
                        raise FactError(f"value {v!r} is not among the column's categories")
                    cats[v] = len(cats)
                codes[i] = cats[v]
        return Column(codes, codes < 0, tuple(cats))


@dataclass(frozen=True, eq=False)
class PopulationTable:
    n_rows: int
    columns: Mapping[str, Column]
    row_ids: Sequence[Any] | np.ndarray | None = None  # e.g. talent ids, reported for changed rows

    def __post_init__(self) -> None:
        for name, col in self.columns.items():
            spec = FACTS.get(name)
            if spec is None:
                raise FactError(f"{name}: unknown fact")
            if col.values.shape != (self.n_rows,) or col.missing.shape != (self.n_rows,):
                raise FactError(f"{name}: column length differs from n_rows={self.n_rows}")
            if spec.type is ValueType.BOOLEAN:
                if col.values.dtype != np.bool_:
                    raise FactError(f"{name}: a boolean column needs a bool array")
            elif spec.type is ValueType.NUMBER:
                if np.isnan(col.values[~col.missing]).any():
                    raise FactError(f"{name}: NaN on a row not marked missing")
            else:
                if not np.issubdtype(col.values.dtype, np.integer):
                    raise FactError(f"{name}: an enum/string column needs integer codes")
                for cat in col.categories:
                    if why := value_problem(spec, cat):
                        raise FactError(f"{name}: category {why}")
                known = col.values[~col.missing]
                if known.size and (known.min() < 0 or known.max() >= len(col.categories)):
                    raise FactError(f"{name}: code outside its categories")
        if self.row_ids is not None and len(self.row_ids) != self.n_rows:
            raise FactError("row_ids length differs from n_rows")

    @staticmethod
    def from_records(
        records: Sequence[Mapping[str, Any]],
        row_ids: Sequence[Any] | np.ndarray | None = None,
        facts: Iterable[str] | None = None,
    ) -> PopulationTable:
        """Columns from per-talent fact mappings (a convenience; the database layer may build
        columns directly). ``facts`` limits the columns built (default: every registered fact
        present in some record)."""
        names = (
            list(facts)
            if facts is not None
            else [n for n in FACTS if any(r.get(n) is not None for r in records)]
        )
        cols: dict[str, Column] = {}
        for name in names:
            spec = FACTS[name]
            raw = [r.get(name) for r in records]
            for v in raw:
                if v is not None and (why := value_problem(spec, v)):
                    raise FactError(f"{name}: {why}")
            if spec.type is ValueType.NUMBER:
                cols[name] = Column.number(raw)
            elif spec.type is ValueType.BOOLEAN:
                cols[name] = Column.boolean(raw)
            elif spec.type is ValueType.ENUM:
                cols[name] = Column.categorical(raw, spec.allowed)
            else:
                cols[name] = Column.categorical(raw)
        return PopulationTable(len(records), cols, row_ids)


@dataclass(frozen=True, eq=False)
class PopulationEvaluation:
    """Per-row results of one rule over a table."""

    outcomes: npt.NDArray[np.int8]  # INELIGIBLE / ELIGIBLE / UNDETERMINED per row
    blocked: Mapping[str, BoolArray]  # criterion id → rows it blocks (ineligible rows only)
    missing: Mapping[str, BoolArray]  # fact → undetermined rows that depend on it
    labels: Mapping[str, tuple[str, str]]  # criterion id → (label_zh, label_en)

    def counts(self) -> dict[str, int]:
        binc = np.bincount(self.outcomes, minlength=3)
        return {OUTCOME_NAMES[k]: int(binc[k]) for k in (ELIGIBLE, INELIGIBLE, UNDETERMINED)}

    def blocking_counts(self) -> list[dict[str, Any]]:
        """Criteria by the number of ineligible rows they block (descending, then id)."""
        rows: list[dict[str, Any]] = [
            {
                "id": cid,
                "label_zh": self.labels[cid][0],
                "label_en": self.labels[cid][1],
                "count": int(np.count_nonzero(mask)),
            }
            for cid, mask in self.blocked.items()
        ]
        rows.sort(key=lambda r: (-r["count"], r["id"]))
        return rows

    def missing_counts(self) -> dict[str, int]:
        return {fact: int(np.count_nonzero(mask)) for fact, mask in self.missing.items()}


def _leaf(
    node: CompareNode, table: PopulationTable, params: Mapping[str, ParamValue]
) -> tuple[BoolArray, BoolArray]:
    spec = FACTS[node.fact]
    required: Any = params[node.rhs.param] if isinstance(node.rhs, ParamRhs) else node.rhs.value
    col = table.columns.get(node.fact)
    if col is None:
        none = np.zeros(table.n_rows, np.bool_)
        return none, none
    v = col.values
    op = node.op
    if spec.type in (ValueType.ENUM, ValueType.STRING):
        index = {c: i for i, c in enumerate(col.categories)}
        if op in ("in", "not_in"):
            codes = np.array([index[r] for r in required if r in index], dtype=np.int32)
            hit = np.isin(v, codes)
            cmp = hit if op == "in" else ~hit
        else:
            # A value absent from the categories matches no row (and every row for `ne`).
            code = index.get(required, -2)
            cmp = v == code if op == "eq" else v != code
    elif op in ("in", "not_in"):
        hit = np.isin(v, np.asarray(list(required), dtype=v.dtype))
        cmp = hit if op == "in" else ~hit
    elif op == "eq":
        cmp = v == required
    elif op == "ne":
        cmp = v != required
    elif op == "lt":
        cmp = v < required
    elif op == "le":
        cmp = v <= required
    elif op == "gt":
        cmp = v > required
    else:
        cmp = v >= required
    known = ~col.missing
    return known & cmp, known & ~cmp


def _truth(
    node: Node,
    table: PopulationTable,
    params: Mapping[str, ParamValue],
    out: dict[str, tuple[BoolArray, BoolArray]],
) -> tuple[BoolArray, BoolArray]:
    if isinstance(node, CompareNode):
        res = _leaf(node, table, params)
    elif isinstance(node, NotNode):
        t, f = _truth(node.child, table, params, out)
        res = (f, t)
    else:
        parts = [_truth(c, table, params, out) for c in node.children]
        t, f = parts[0]
        is_all = isinstance(node, AllNode)
        for ct, cf in parts[1:]:
            t, f = (t & ct, f | cf) if is_all else (t | ct, f & cf)
        res = (t, f)
    out[node.id] = res
    return res


def _blame(
    node: Node,
    active: BoolArray,
    truth: Mapping[str, tuple[BoolArray, BoolArray]],
    blocked: dict[str, BoolArray],
) -> None:
    """Rows (within ``active``) where ``node`` failing keeps the outcome from eligible."""
    t, f = truth[node.id]
    if isinstance(node, CompareNode | NotNode):
        blocked[node.id] = active & f
        return
    if isinstance(node, AllNode):
        for child in node.children:
            _blame(child, active & ~truth[child.id][0], truth, blocked)
    else:
        assert isinstance(node, AnyNode)
        for child in node.children:
            _blame(child, active & ~t, truth, blocked)


def _unknowns(
    node: Node,
    active: BoolArray,
    truth: Mapping[str, tuple[BoolArray, BoolArray]],
    missing: dict[str, BoolArray],
) -> None:
    t, f = truth[node.id]
    active = active & ~t & ~f
    if isinstance(node, CompareNode):
        missing[node.fact] = missing[node.fact] | active if node.fact in missing else active
    elif isinstance(node, NotNode):
        _unknowns(node.child, active, truth, missing)
    else:
        for child in node.children:
            _unknowns(child, active, truth, missing)


def evaluate_population(
    rule: Rule, params: Mapping[str, Any], table: PopulationTable
) -> PopulationEvaluation:
    """Outcome, blocking criteria and relevant missing facts for every row of ``table``."""
    checked = check_params(rule.params, params)
    truth: dict[str, tuple[BoolArray, BoolArray]] = {}
    t, f = _truth(rule.root, table, checked, truth)
    outcomes = np.full(table.n_rows, UNDETERMINED, dtype=np.int8)
    outcomes[t] = ELIGIBLE
    outcomes[f] = INELIGIBLE
    blocked: dict[str, BoolArray] = {}
    # Blame only on ineligible rows, like `failed_criteria` in evaluate(); an undetermined
    # row is reported through its missing facts instead.
    _blame(rule.root, f, truth, blocked)
    missing: dict[str, BoolArray] = {}
    _unknowns(rule.root, np.ones(table.n_rows, np.bool_), truth, missing)
    labels = {c.id: (c.label_zh, c.label_en) for c in rule.criteria}
    return PopulationEvaluation(outcomes, blocked, missing, labels)


def _plain(value: Any) -> Any:
    """numpy scalars (e.g. from a numpy row_ids array) as plain Python for JSON."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True, eq=False)
class SimulationResult:
    n_rows: int
    before: dict[str, int]  # {"eligible": …, "ineligible": …, "undetermined": …}
    after: dict[str, int]
    newly_eligible: int
    no_longer_eligible: int
    changed: int  # rows whose outcome differs in any way
    transitions: dict[str, int]  # "eligible->ineligible" etc., off-diagonal only
    blocking_before: list[dict[str, Any]]
    blocking_after: list[dict[str, Any]]
    missing_before: dict[str, int]
    missing_after: dict[str, int]
    changed_rows: npt.NDArray[np.int64]  # row indexes whose outcome changes
    outcomes_before: npt.NDArray[np.int8] = field(repr=False)
    outcomes_after: npt.NDArray[np.int8] = field(repr=False)
    row_ids: Sequence[Any] | np.ndarray | None = field(default=None, repr=False)

    def changes(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The changed rows as {row, row_id, before, after}, in row order."""
        rows = self.changed_rows if limit is None else self.changed_rows[:limit]
        return [
            {
                "row": int(i),
                "row_id": None if self.row_ids is None else _plain(self.row_ids[int(i)]),
                "before": OUTCOME_NAMES[int(self.outcomes_before[i])],
                "after": OUTCOME_NAMES[int(self.outcomes_after[i])],
            }
            for i in rows
        ]

    def to_json(self, changes_limit: int | None = 1000) -> dict[str, Any]:
        return {
            "n_rows": self.n_rows,
            "before": self.before,
            "after": self.after,
            "newly_eligible": self.newly_eligible,
            "no_longer_eligible": self.no_longer_eligible,
            "changed": self.changed,
            "transitions": self.transitions,
            "blocking_before": self.blocking_before,
            "blocking_after": self.blocking_after,
            "missing_before": self.missing_before,
            "missing_after": self.missing_after,
            "changes": self.changes(changes_limit),
        }


def simulate(
    current_rule: Rule,
    current_params: Mapping[str, Any],
    draft_rule: Rule,
    draft_params: Mapping[str, Any],
    table: PopulationTable,
    draft_table: PopulationTable | None = None,
) -> SimulationResult:
    """Compare the current policy with a draft (rule and/or parameters) over ``table``; the
    draft runs on ``draft_table`` when it reads facts from other sources (same rows, same order)."""
    after_table = table if draft_table is None else draft_table
    if not np.array_equal(cast(Any, table.row_ids), cast(Any, after_table.row_ids)):
        raise ValueError("the draft's table must hold the same rows in the same order")
    before = evaluate_population(current_rule, current_params, table)
    after = evaluate_population(draft_rule, draft_params, after_table)
    ob, oa = before.outcomes, after.outcomes
    changed_mask = ob != oa
    pair = ob.astype(np.int16) * 3 + oa  # transition code, bincount-friendly
    binc = np.bincount(pair[changed_mask], minlength=9)
    transitions = {
        f"{OUTCOME_NAMES[b]}->{OUTCOME_NAMES[a]}": int(binc[b * 3 + a])
        for b in range(3)
        for a in range(3)
        if a != b
    }
    return SimulationResult(
        n_rows=table.n_rows,
        before=before.counts(),
        after=after.counts(),
        newly_eligible=int(np.count_nonzero(changed_mask & (oa == ELIGIBLE))),
        no_longer_eligible=int(np.count_nonzero(changed_mask & (ob == ELIGIBLE))),
        changed=int(np.count_nonzero(changed_mask)),
        transitions=transitions,
        blocking_before=before.blocking_counts(),
        blocking_after=after.blocking_counts(),
        missing_before=before.missing_counts(),
        missing_after=after.missing_counts(),
        changed_rows=np.flatnonzero(changed_mask),
        outcomes_before=ob,
        outcomes_after=oa,
        row_ids=table.row_ids,
    )
