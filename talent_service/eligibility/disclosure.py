"""What a decision shows a firm: outcomes and criteria, values only from its own records.

A decision is made on everything recorded about the person, and stored and signed whole. A firm
reads it through this filter: the outcome, each criterion's pass/fail, and the value of a fact
only when the document's provenance says the fact rests on that firm's records alone (its own
declarations, its own spells when it holds all of the person's, the person's identity). Other
values, their evidence, the forecast built on them and corrections recorded by others are
withheld, and the signature shown is the attestation's (which carries no fact values), since
the whole document's signature would not verify over the filtered one. Bureaus, the province
and machine clients see the document as signed.
"""

from __future__ import annotations

import copy
from typing import Any

WITHHELD_ZH = "（依据其他单位的记录，数值不向本企业显示）"
WITHHELD_EN = " (rests on other parties' records; the value is not shown to this firm)"
REST_ON_OTHERS_ZH = "依据：其他单位的记录"
REST_ON_OTHERS_EN = "rests on: other parties' records"
_RESULT_ZH = {"pass": "符合", "fail": "不符合", "unknown": "无法判断"}
_RESULT_EN = {"pass": "met", "fail": "not met", "unknown": "cannot be judged"}


def own_facts(document: dict[str, Any], firm_id: int) -> set[str]:
    """The facts of ``document`` whose values rest only on ``firm_id``'s records."""
    return {
        name
        for name, prov in document.get("provenance", {}).items()
        if prov.get("own_firm") in ("any", firm_id)
    }


def _redact_node(node: dict[str, Any], hidden: set[str]) -> None:
    if node.get("fact") in hidden:
        node["found"] = None
        node["withheld"] = True
        result = node.get("result", "unknown")
        node["text_zh"] = f"{node['label_zh']}：{_RESULT_ZH.get(result, result)}{WITHHELD_ZH}"
        node["text_en"] = f"{node['label_en']}: {_RESULT_EN.get(result, result)}{WITHHELD_EN}"
        # Which records, and how many, is theirs to know: only that they are not this firm's.
        node["rests_on_zh"], node["rests_on_en"] = REST_ON_OTHERS_ZH, REST_ON_OTHERS_EN
    for child in node.get("children", []):
        _redact_node(child, hidden)
    if "child" in node:
        _redact_node(node["child"], hidden)


def for_firm(document: dict[str, Any], firm_id: int) -> dict[str, Any]:
    """A copy of ``document`` as the firm ``firm_id`` may read it."""
    shown = own_facts(document, firm_id)
    facts = document.get("facts", {})
    hidden = {name for name in facts if name not in shown}
    if not hidden:
        return document
    out = copy.deepcopy(document)
    out["facts"] = {name: (None if name in hidden else v) for name, v in facts.items()}
    out["withheld_facts"] = sorted(hidden)
    out["provenance"] = {
        name: ({"withheld": True} if name in hidden else prov)
        for name, prov in out.get("provenance", {}).items()
    }
    _redact_node(out["explanation"], hidden)
    for criterion in out.get("failed_criteria", []):
        if criterion.get("fact") in hidden:
            criterion["text_zh"] = f"{criterion['label_zh']}：不符合{WITHHELD_ZH}"
            criterion["text_en"] = f"{criterion['label_en']}: not met{WITHHELD_EN}"
    # When the outlook could change is computed from the hidden values.
    out["forecast"] = {"withheld": True}
    out["corrections"] = [c for c in out.get("corrections", []) if c.get("own_firm") == firm_id]
    return out
