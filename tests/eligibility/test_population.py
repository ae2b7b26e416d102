"""The vectorised evaluator agrees with the one-person evaluator on every row."""

import json
import random
import zlib
from typing import Any

import numpy as np
import pytest

from talent_service.eligibility.engine.evaluate import evaluate
from talent_service.eligibility.engine.fact_spec import ValueType
from talent_service.eligibility.engine.facts import FACTS
from talent_service.eligibility.engine.parameters import ParamSpec
from talent_service.eligibility.engine.population import (
    ELIGIBLE,
    INELIGIBLE,
    OUTCOME_NAMES,
    UNDETERMINED,
    Column,
    PopulationTable,
    evaluate_population,
    simulate,
)
from talent_service.eligibility.engine.rules import OPS_BY_TYPE, Rule, validate_rule
from talent_service.eligibility.policies.defaults import default_policy

CITIES = ["440300", "440100", "441500", "440500", "445100"]
FACT_NAMES = sorted(FACTS)


def random_value(rng: random.Random, name: str) -> Any:
    spec = FACTS[name]
    if spec.type is ValueType.BOOLEAN:
        return rng.random() < 0.5
    if spec.type is ValueType.ENUM:
        return rng.choice(spec.allowed)
    if spec.type is ValueType.STRING:
        return rng.choice(CITIES)
    if name == "age_years":
        return rng.randint(22, 60)
    if name.endswith("_rank"):
        return rng.randint(0, 4)
    value: float = rng.randint(0, 48)
    return value + 0.5 if rng.random() < 0.1 else value  # some non-integers too


def random_talent(rng: random.Random, p_missing: float) -> dict[str, Any]:
    return {
        name: None if rng.random() < p_missing else random_value(rng, name) for name in FACT_NAMES
    }


class RuleGen:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.n = 0
        self.param_types: dict[str, ParamSpec] = {}
        self.params: dict[str, Any] = {}

    def node_id(self) -> str:
        self.n += 1
        return f"n{self.n}"

    def compare(self) -> dict[str, Any]:
        rng = self.rng
        fact = rng.choice(FACT_NAMES)
        spec = FACTS[fact]
        op = rng.choice(sorted(OPS_BY_TYPE[spec.type]))
        many = op in ("in", "not_in")
        value: Any = (
            [random_value(rng, fact) for _ in range(rng.randint(1, 3))]
            if many
            else random_value(rng, fact)
        )
        if rng.random() < 0.3:
            name = f"p{self.n}"
            domain = fact if spec.type in (ValueType.ENUM, ValueType.STRING) else None
            self.param_types[name] = ParamSpec(type=spec.type, many=many, domain=domain)
            self.params[name] = value
            rhs: dict[str, Any] = {"param": name}
        else:
            rhs = {"value": value}
        return {
            "id": self.node_id(),
            "kind": "compare",
            "label_zh": "比较",
            "label_en": "cmp",
            "fact": fact,
            "op": op,
            "rhs": rhs,
        }

    def node(self, depth: int) -> dict[str, Any]:
        rng = self.rng
        if depth >= 4 or rng.random() < 0.35:
            return self.compare()
        kind = rng.choice(["all", "any", "any", "all", "not"])
        if kind == "not":
            return {
                "id": self.node_id(),
                "kind": "not",
                "label_zh": "非",
                "label_en": "not",
                "child": self.node(depth + 1),
            }
        return {
            "id": self.node_id(),
            "kind": kind,
            "label_zh": "组",
            "label_en": "group",
            "children": [self.node(depth + 1) for _ in range(rng.randint(1, 4))],
        }


def random_rule(seed: int) -> tuple[Rule, dict[str, Any]]:
    gen = RuleGen(random.Random(seed))
    tree = gen.node(0)
    return validate_rule(tree, gen.param_types), gen.params


def assert_parity(rule: Rule, params: dict[str, Any], talents: list[dict[str, Any]]) -> None:
    table = PopulationTable.from_records(talents, facts=FACT_NAMES)
    pop = evaluate_population(rule, params, table)
    for i, talent in enumerate(talents):
        one = evaluate(rule, talent, params)
        assert OUTCOME_NAMES[int(pop.outcomes[i])] == one.outcome.value, (i, talent)
        if one.outcome.value == "ineligible":
            blocked = {cid for cid, mask in pop.blocked.items() if mask[i]}
            assert blocked == {f["id"] for f in one.failed_criteria}, (i, talent)
        else:
            assert not any(mask[i] for mask in pop.blocked.values())
        missing = {fact for fact, mask in pop.missing.items() if mask[i]}
        assert missing == set(one.missing_facts), (i, talent)


def test_random_rules_agree_on_thousands_of_random_talents():
    rng = random.Random(20240101)
    talents = [random_talent(rng, p_missing=rng.choice([0.0, 0.05, 0.2])) for _ in range(3000)]
    outcomes_seen = set()
    for seed in range(60):
        rule, params = random_rule(seed)
        sample = talents if seed < 3 else rng.sample(talents, 400)
        assert_parity(rule, params, sample)
        table = PopulationTable.from_records(sample, facts=FACT_NAMES)
        outcomes_seen |= set(np.unique(evaluate_population(rule, params, table).outcomes))
    assert outcomes_seen == {ELIGIBLE, INELIGIBLE, UNDETERMINED}


@pytest.mark.parametrize("benefit", ["hukou", "social_insurance", "education", "title"])
@pytest.mark.parametrize("side", ["host", "home"])
def test_default_policies_agree_on_random_talents(side, benefit):
    rng = random.Random(zlib.crc32(f"{side}-{benefit}".encode()))
    policy = default_policy("440300" if side == "host" else "441500", side, benefit)
    talents = []
    for _ in range(1500):
        talent = random_talent(rng, p_missing=0.03)
        # Skew towards the thresholds so every outcome and criterion shows up.
        talent["months_at_accredited_center"] = rng.choice([None, 5, 6, 11, 12, 30])
        talent["age_years"] = rng.choice([30, 40, 41, 45, 46, 50, 51, 55, 56])
        talents.append(talent)
    assert_parity(policy.validated_rule(), policy.parameters, talents)


def simple_rule(limit_param: str = "max_age") -> tuple[Rule, dict[str, ParamSpec]]:
    types = {limit_param: ParamSpec(type=ValueType.NUMBER)}
    tree = {
        "id": "root",
        "kind": "all",
        "label_zh": "条件",
        "label_en": "conditions",
        "children": [
            {
                "id": "age",
                "kind": "compare",
                "label_zh": "年龄",
                "label_en": "age",
                "fact": "age_years",
                "op": "le",
                "rhs": {"param": limit_param},
            },
            {
                "id": "key",
                "kind": "compare",
                "label_zh": "重点岗位",
                "label_en": "key post",
                "fact": "key_post",
                "op": "eq",
                "rhs": {"value": True},
            },
        ],
    }
    return validate_rule(tree, types), types


def test_simulate_raising_an_age_limit_reports_who_changes():
    talents: list[dict[str, Any]] = [
        {"age_years": 38, "key_post": True},  # eligible before and after
        {"age_years": 42, "key_post": True},  # newly eligible at 45
        {"age_years": 47, "key_post": True},  # still too old
        {"age_years": 42, "key_post": False},  # blocked by key post either way
        {"age_years": None, "key_post": True},  # undetermined either way
        {"age_years": 44, "key_post": None},  # ineligible before, undetermined after
    ]
    rule, _ = simple_rule()
    table = PopulationTable.from_records(talents, row_ids=[f"t{i}" for i in range(6)])
    result = simulate(rule, {"max_age": 40}, rule, {"max_age": 45}, table)
    assert result.before == {"eligible": 1, "ineligible": 4, "undetermined": 1}
    assert result.after == {"eligible": 2, "ineligible": 2, "undetermined": 2}
    assert result.newly_eligible == 1 and result.no_longer_eligible == 0
    assert result.changed == 2
    assert result.changed_rows.tolist() == [1, 5]
    assert result.transitions["ineligible->eligible"] == 1
    assert result.transitions["ineligible->undetermined"] == 1
    assert result.blocking_before[0] == {
        "id": "age",
        "label_zh": "年龄",
        "label_en": "age",
        "count": 4,
    }
    assert {r["id"]: r["count"] for r in result.blocking_after} == {"age": 1, "key": 1}
    assert result.missing_after == {"age_years": 1, "key_post": 1}
    assert result.changes() == [
        {"row": 1, "row_id": "t1", "before": "ineligible", "after": "eligible"},
        {"row": 5, "row_id": "t5", "before": "ineligible", "after": "undetermined"},
    ]
    data = result.to_json()
    assert data["changes"][0]["row_id"] == "t1"


def test_numpy_row_ids_come_back_as_plain_json():
    rule, _ = simple_rule()
    records = [{"age_years": 42, "key_post": True}, {"age_years": 30, "key_post": True}]
    table = PopulationTable.from_records(records, row_ids=np.array([101, 102]))
    result = simulate(rule, {"max_age": 40}, rule, {"max_age": 45}, table)
    assert json.loads(json.dumps(result.to_json()))["changes"] == [
        {"row": 0, "row_id": 101, "before": "ineligible", "after": "eligible"}
    ]


def test_simulate_a_changed_rule_shape():
    current, _ = simple_rule()
    draft = validate_rule(
        {
            "id": "root",
            "kind": "compare",
            "label_zh": "重点岗位",
            "label_en": "key post",
            "fact": "key_post",
            "op": "eq",
            "rhs": {"value": True},
        }
    )
    table = PopulationTable.from_records(
        [{"age_years": 50, "key_post": True}, {"age_years": 30, "key_post": True}]
    )
    result = simulate(current, {"max_age": 40}, draft, {}, table)
    assert result.newly_eligible == 1 and result.changed_rows.tolist() == [0]


def test_columns_can_be_built_directly_and_absent_columns_are_missing():
    n = 4
    table = PopulationTable(
        n,
        {
            "age_years": Column.number(
                np.array([30.0, 50.0, 0.0, 35.0]), np.array([False, False, True, False])
            ),
            "education": Column.categorical(
                ["master", None, "doctor", "bachelor"], FACTS["education"].allowed
            ),
        },
    )
    rule, _ = simple_rule()
    pop = evaluate_population(rule, {"max_age": 40}, table)
    # key_post has no column: missing everywhere, so no row can be eligible.
    assert pop.outcomes.tolist() == [UNDETERMINED, INELIGIBLE, UNDETERMINED, UNDETERMINED]


def test_bad_columns_are_refused():
    from talent_service.eligibility.engine.fact_spec import FactError

    with pytest.raises(FactError):
        PopulationTable(2, {"age_years": Column.number(np.array([1.0]))})
    with pytest.raises(FactError):
        PopulationTable(1, {"nope": Column.number(np.array([1.0]))})
    with pytest.raises(FactError):
        PopulationTable(
            1,
            {
                "education": Column(
                    np.array([7], np.int32), np.array([False]), FACTS["education"].allowed
                )
            },
        )
    with pytest.raises(FactError):
        PopulationTable(1, {"age_years": Column(np.array([np.nan]), np.array([False]))})
    with pytest.raises(FactError):
        PopulationTable.from_records([{"age_years": "40"}])
