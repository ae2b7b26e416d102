"""Rule validation: what is refused, with which path and reason; strings stay data."""

import copy
import os

import pytest

from talent_service.eligibility.engine.evaluate import evaluate
from talent_service.eligibility.engine.fact_spec import ValueType
from talent_service.eligibility.engine.parameters import ParamSpec
from talent_service.eligibility.engine.rules import (
    MAX_DEPTH,
    MAX_ERRORS,
    MAX_NODES,
    RuleValidationError,
    param_threshold_problem,
    rule_json_schema,
    threshold_errors,
    validate_rule,
)
from talent_service.reference.enums import Outcome

MALICIOUS = "__import__('os').system('x')"

PARAMS = {
    "max_age": ParamSpec(type=ValueType.NUMBER),
    "levels": ParamSpec(type=ValueType.ENUM, domain="education", many=True),
    "one_level": ParamSpec(type=ValueType.ENUM, domain="education"),
    "flag": ParamSpec(type=ValueType.BOOLEAN),
    "cities": ParamSpec(type=ValueType.STRING, domain="hukou_city", many=True),
}


def leaf(node_id="age", fact="age_years", op="le", rhs=None, **extra):
    node = {
        "id": node_id,
        "kind": "compare",
        "label_zh": "年龄",
        "label_en": "age",
        "fact": fact,
        "op": op,
        "rhs": rhs if rhs is not None else {"value": 40},
    }
    node.update(extra)
    return node


def group(kind, children, node_id="root"):
    return {
        "id": node_id,
        "kind": kind,
        "label_zh": "组",
        "label_en": "group",
        "children": children,
    }


def refusal(tree, params=PARAMS):
    with pytest.raises(RuleValidationError) as info:
        validate_rule(tree, params)
    return [(e["field"], e["code"]) for e in info.value.problem_errors()], info.value


def test_valid_rule_round_trips_and_lists_its_facts_and_params():
    tree = group(
        "all",
        [
            leaf(),
            leaf("edu", "education", "in", {"param": "levels"}),
            {
                "id": "not-local",
                "kind": "not",
                "label_zh": "非本市",
                "label_en": "not local",
                "legal_ref": "第5条",
                "child": leaf("local", "hukou_in_city", "eq", {"value": True}),
            },
            leaf("city", "hukou_city", "not_in", {"param": "cities"}),
        ],
    )
    rule = validate_rule(tree, PARAMS)
    assert rule.to_json() == tree
    assert validate_rule(rule.to_json(), PARAMS).to_json() == tree
    assert rule.facts == ("age_years", "education", "hukou_in_city", "hukou_city")
    assert set(rule.params) == {"levels", "cities"}
    assert [c.id for c in rule.criteria] == ["age", "edu", "not-local", "city"]
    assert rule.node_count == 6


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        (group("all", [leaf(fact="foo")]), [("rule.children[0].fact", "unknown_fact")]),
        (group("all", [leaf(op="like")]), [("rule.children[0].op", "unknown_operator")]),
        (
            group("all", [{"id": "x", "kind": "xor", "label_zh": "a", "label_en": "a"}]),
            [("rule.children[0].kind", "unknown_kind")],
        ),
        (
            group("all", [leaf(rhs={"param": "nope"})]),
            [("rule.children[0].rhs.param", "unknown_parameter")],
        ),
        (group("all", [leaf(), leaf()]), [("rule.children[1].id", "duplicate_id")]),
        (group("all", [leaf(node_id="root")]), [("rule.children[0].id", "duplicate_id")]),
        (group("any", []), [("rule.children", "empty")]),
        (
            group("all", [leaf(op="in", rhs={"value": []})]),
            [("rule.children[0].rhs.value", "empty")],
        ),
        (group("all", [leaf(node_id="Bad Id")]), [("rule.children[0].id", "invalid_id")]),
        (group("all", [leaf(node_id="a" * 65)]), [("rule.children[0].id", "invalid_id")]),
        (group("all", [leaf(label_en="")]), [("rule.children[0].label_en", "empty")]),
        (
            group("all", [leaf(extra_field=1)]),
            [("rule.children[0].extra_field", "unexpected_field")],
        ),
        (
            group("all", [leaf(rhs={"value": 1, "param": "max_age"})]),
            [("rule.children[0].rhs", "wrong_type")],
        ),
        (
            {"id": "n", "kind": "not", "label_zh": "a", "label_en": "a"},
            [("rule.child", "missing_field")],
        ),
        ([leaf()], [("rule", "wrong_type")]),
    ],
)
def test_structural_problems_are_refused_with_their_path(tree, expected):
    got, _ = refusal(tree)
    assert got == expected


@pytest.mark.parametrize(
    ("node", "path"),
    [
        (leaf("b", "key_post", "lt", {"value": True}), "op"),  # ordering a boolean
        (leaf("e", "education", "gt", {"value": "master"}), "op"),  # ordering an enum
        (leaf("n", "age_years", "le", {"value": "40"}), "rhs.value"),  # number vs string
        (leaf("n", "age_years", "le", {"value": True}), "rhs.value"),  # bool is not a number
        (leaf("n", "age_years", "le", {"value": [40]}), "rhs.value"),  # list for a scalar op
        (leaf("n", "age_years", "in", {"value": 40}), "rhs.value"),  # scalar for a list op
        (leaf("n", "age_years", "le", {"value": float("nan")}), "rhs.value"),
        (leaf("b", "key_post", "eq", {"value": 1}), "rhs.value"),
        (leaf("e", "education", "eq", {"value": "phd"}), "rhs.value"),
        (leaf("e", "education", "in", {"value": ["master", "phd"]}), "rhs.value[1]"),
        (leaf("c", "hukou_city", "eq", {"value": "44030"}), "rhs.value"),
        (leaf("n", "age_years", "le", {"param": "flag"}), "rhs.param"),  # boolean param
        (leaf("n", "age_years", "le", {"param": "levels"}), "rhs.param"),
        (leaf("e", "education", "in", {"param": "one_level"}), "rhs.param"),  # needs a list
        (leaf("e", "education", "eq", {"param": "levels"}), "rhs.param"),  # needs one value
        (leaf("t", "title_level", "eq", {"param": "one_level"}), "rhs.param"),  # other enum
    ],
)
def test_type_mismatches_are_refused(node, path):
    got, _ = refusal(group("all", [node]))
    assert got == [(f"rule.children[0].{path}", "type_mismatch")]


def test_every_problem_is_reported_at_once():
    tree = group("all", [leaf(fact="foo"), leaf("x", op="like"), leaf("x")])
    got, err = refusal(tree)
    assert got == [
        ("rule.children[0].fact", "unknown_fact"),
        ("rule.children[1].op", "unknown_operator"),
        ("rule.children[2].id", "duplicate_id"),
    ]
    assert "unknown fact 'foo'" in err.problem_errors()[0]["reason"]


def test_too_deep_and_too_large_trees_are_refused():
    deep = leaf("n0")
    for i in range(1, MAX_DEPTH + 2):
        deep = {"id": f"n{i}", "kind": "not", "label_zh": "非", "label_en": "not", "child": deep}
    got, _ = refusal(deep)
    assert got[0][1] == "too_deep"
    wide = group(
        "all",
        [
            group("any", [leaf(f"l{i}-{j}") for j in range(40)], f"g{i}")
            for i in range(MAX_NODES // 40 + 1)
        ],
    )
    got, _ = refusal(wide)
    assert "too_large" in {code for _, code in got}


def test_problem_list_is_bounded():
    tree = leaf()
    tree.update({f"junk{i}": i for i in range(10_000)})
    got, _ = refusal(tree)
    assert len(got) == MAX_ERRORS


def test_absurdly_deep_json_is_refused_without_recursion_error():
    deep: dict = leaf("n0")
    for i in range(5000):
        deep = {"id": f"n{i + 1}", "kind": "not", "label_zh": "非", "label_en": "n", "child": deep}
    got, _ = refusal(deep)
    assert got[-1][1] == "too_deep"


@pytest.mark.parametrize("where", ["fact", "op", "kind", "id", "param"])
def test_malicious_string_in_a_structural_field_is_refused(where, monkeypatch):
    def boom(*_args):
        raise AssertionError("rule content was executed")

    monkeypatch.setattr(os, "system", boom)
    node = leaf()
    if where == "param":
        node["rhs"] = {"param": MALICIOUS}
    else:
        node[where] = MALICIOUS
    got, err = refusal(group("all", [node]))
    assert got
    assert all(MALICIOUS[:40] in e["reason"] or e["field"] for e in err.problem_errors())


def test_malicious_string_as_a_value_is_refused_or_kept_as_data(monkeypatch):
    def boom(*_args):
        raise AssertionError("rule content was executed")

    monkeypatch.setattr(os, "system", boom)
    # Refused where the fact's type cannot hold it…
    got, _ = refusal(group("all", [leaf("c", "hukou_city", "eq", {"value": MALICIOUS})]))
    assert got == [("rule.children[0].rhs.value", "type_mismatch")]
    got, _ = refusal(group("all", [leaf("e", "education", "eq", {"value": MALICIOUS})]))
    assert got == [("rule.children[0].rhs.value", "type_mismatch")]
    # …and plain text where text is allowed: labels and legal references.
    tree = group("all", [leaf(label_zh=MALICIOUS, label_en=MALICIOUS, legal_ref=MALICIOUS)])
    rule = validate_rule(copy.deepcopy(tree))
    result = evaluate(rule, {"age_years": 30}, {})
    assert result.outcome is Outcome.eligible
    assert result.explanation["children"][0]["label_en"] == MALICIOUS
    assert result.explanation["children"][0]["legal_ref"] == MALICIOUS


def test_json_schema_is_available_for_openapi():
    schema = rule_json_schema()
    assert "CompareNode" in schema.get("$defs", {})


def test_threshold_bounds_are_reported_with_their_paths_but_do_not_stop_loading():
    tree = group(
        "all",
        [
            leaf(rhs={"value": 40}),
            leaf("months", "months_at_accredited_center", "ge", {"value": 2_000_000}),
            leaf("si", "si_months_either", "in", {"value": [12, 5000]}),
            leaf("limit", "age_years", "le", {"param": "max_age"}),
        ],
    )
    rule = validate_rule(tree, PARAMS)  # a stored rule still loads
    assert [(e.field, e.code) for e in threshold_errors(rule, "body.rule")] == [
        ("body.rule.children[1].rhs.value", "out_of_range"),
        ("body.rule.children[2].rhs.value[1]", "out_of_range"),
    ]
    assert param_threshold_problem(rule, "max_age", 65) is None
    why = param_threshold_problem(rule, "max_age", 1_000_000)
    assert why is not None and "'limit'" in why and "150 years" in why
