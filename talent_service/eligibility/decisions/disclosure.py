"""What a decision shows a firm: outcomes and criteria, values only from its own records.

A decision is made on everything recorded about the person, and stored and signed whole. A firm
reads it through this filter: the outcome, each criterion's pass/fail, and the value of a fact
only when the document's provenance says the fact rests on that firm's records alone (its own
declarations, its own spells when it holds all of the person's, the person's identity). Other
values, their evidence, the forecast built on them and corrections recorded by others are
withheld, and the signature shown is the attestation's (which carries no fact values), since
the whole document's signature would not verify over the filtered one.

Every caller, firms included, then reads it through ``for_person``: what a decision says about
the person's birth date is cut to the year (``auth/disclosure.py``). The age on the as-of date
is withheld (with the year shown, it would say on which side of the as-of day the birthday
falls, and a few checks at chosen dates would find the day), a forecast made by an age limit
gives its year, not its day, the masked number is 4 + 2 and declaration dates inside the birth
year read 1 January. A named child's age is withheld the same way (its birth date is a minor's
personal information, ``household/disclosure.py``), a forecast made by the child's age gives its
year, and the date a household record holds from reads 1 January of its year. Criteria keep their
pass/fail. A document changed by either filter carries
the attestation's signature; the whole signed document is at ``…/decisions/{id}/document``
(bureau, province; an entry of the audit log).
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from talent_service.auth.disclosure import shown_date, shown_id
from talent_service.eligibility.engine.child_facts import HOUSEHOLD_RECORD
from talent_service.eligibility.engine.provenance import describe

WITHHELD_ZH = "（依据其他单位的记录，数值不向本企业显示）"
WITHHELD_EN = " (rests on other parties' records; the value is not shown to this firm)"
REST_ON_OTHERS_ZH = "依据：其他单位的记录"
REST_ON_OTHERS_EN = "rests on: other parties' records"
_RESULT_ZH = {"pass": "符合", "fail": "不符合", "unknown": "无法判断"}
_RESULT_EN = {"pass": "met", "fail": "not met", "unknown": "cannot be judged"}
AGE = "age_years"
AGE_WITHHELD_ZH = "（依据身份证件出生日期，数值不在此显示）"
AGE_WITHHELD_EN = " (rests on the birth date on the identity document; the value is not shown here)"
CHILD_AGE = "child_age_years"
CHILD_AGE_WITHHELD_ZH = "（依据家庭成员记录的出生日期，数值不在此显示）"
CHILD_AGE_WITHHELD_EN = (
    " (rests on the birth date in the household record; the value is not shown here)"
)
# The ages a decision withholds from every reader, with the note that says what each rests on.
AGES: dict[str, tuple[str, str]] = {
    AGE: (AGE_WITHHELD_ZH, AGE_WITHHELD_EN),
    CHILD_AGE: (CHILD_AGE_WITHHELD_ZH, CHILD_AGE_WITHHELD_EN),
}


def own_facts(document: dict[str, Any], firm_id: int) -> set[str]:
    """The facts of ``document`` whose values rest only on ``firm_id``'s records."""
    return {
        name
        for name, prov in document.get("provenance", {}).items()
        if prov.get("own_firm") in ("any", firm_id)
    }


def _redact_node(
    node: dict[str, Any], hidden: set[str], note: tuple[str, str], others: bool = True
) -> None:
    if node.get("fact") in hidden:
        node["found"] = None
        node["withheld"] = True
        result = node.get("result", "unknown")
        node["text_zh"] = f"{node['label_zh']}：{_RESULT_ZH.get(result, result)}{note[0]}"
        node["text_en"] = f"{node['label_en']}: {_RESULT_EN.get(result, result)}{note[1]}"
        if others:
            # Which records, and how many, is theirs to know: only that they are not the firm's.
            node["rests_on_zh"], node["rests_on_en"] = REST_ON_OTHERS_ZH, REST_ON_OTHERS_EN
    for child in node.get("children", []):
        _redact_node(child, hidden, note, others)
    if "child" in node:
        _redact_node(node["child"], hidden, note, others)


def _withhold_criteria(out: dict[str, Any], hidden: set[str], note: tuple[str, str]) -> None:
    for criterion in out.get("failed_criteria", []):
        if criterion.get("fact") in hidden:
            criterion["text_zh"] = f"{criterion['label_zh']}：不符合{note[0]}"
            criterion["text_en"] = f"{criterion['label_en']}: not met{note[1]}"


def for_firm(document: dict[str, Any], firm_id: int) -> dict[str, Any]:
    """A copy of ``document`` as the firm ``firm_id`` may read it."""
    shown = own_facts(document, firm_id) - AGES.keys()  # the ages: see for_person
    facts = document.get("facts", {})
    hidden = {name for name in facts if name not in shown and name not in AGES}
    if not hidden:
        return document
    out = copy.deepcopy(document)
    out["facts"] = {name: (None if name in hidden else v) for name, v in facts.items()}
    out["withheld_facts"] = sorted(hidden)
    out["provenance"] = {
        name: ({"withheld": True} if name in hidden else prov)
        for name, prov in out.get("provenance", {}).items()
    }
    _redact_node(out["explanation"], hidden, (WITHHELD_ZH, WITHHELD_EN))
    _withhold_criteria(out, hidden, (WITHHELD_ZH, WITHHELD_EN))
    # When the outlook could change is computed from the hidden values.
    out["forecast"] = {"withheld": True}
    out["corrections"] = [c for c in out.get("corrections", []) if c.get("own_firm") == firm_id]
    return out


def for_person(document: dict[str, Any], birth_date: date | None) -> dict[str, Any]:
    """A copy of ``document`` that says no more of the birth date than its year, the talent's
    or the named child's (every caller); ``document`` itself when it says nothing more already."""
    talent = document.get("talent", {})
    masked = talent.get("id_number_masked")
    facts = document.get("facts", {})
    ages = {name: facts[name] for name in AGES if facts.get(name) is not None}
    shown_mask = shown_id(masked) if isinstance(masked, str) else masked
    dated = _dates_in_birth_year(document, birth_date) or _household_dates(document)
    if not ages and shown_mask == masked and not dated:
        return document
    out = copy.deepcopy(document)
    out["talent"] = {**talent, "id_number_masked": shown_mask}
    if ages:
        out["facts"] = {**facts, **dict.fromkeys(ages)}
        out["withheld_facts"] = sorted({*out.get("withheld_facts", []), *ages})
        for name in ages:
            _redact_node(out["explanation"], {name}, AGES[name], others=False)
            _withhold_criteria(out, {name}, AGES[name])
        out["forecast"] = _coarse_forecast(
            out.get("forecast", {}), ages, out.get("failed_criteria", [])
        )
    for item in [*out.get("provenance", {}).values(), *out.get("corrections", [])]:
        if not isinstance(item, dict) or not item.get("effective_on"):
            continue
        day: date | None = date.fromisoformat(item["effective_on"])
        if item.get("rests_on") == HOUSEHOLD_RECORD:
            day = date(day.year, 1, 1) if day else None  # the child's birth year is not at hand
        else:
            day = shown_date(day, birth_date)
        item["effective_on"] = day.isoformat() if day else None
    _describe_household(out["explanation"], out.get("provenance", {}))
    return out


def _describe_household(node: dict[str, Any], provenance: dict[str, Any]) -> None:
    """Criteria resting on a household record say so with its shown date."""
    prov = provenance.get(node.get("fact") or "")
    if (
        isinstance(prov, dict)
        and prov.get("rests_on") == HOUSEHOLD_RECORD
        and "rests_on_zh" in node
    ):
        node["rests_on_zh"], node["rests_on_en"] = describe(prov)
    for child in node.get("children", []):
        _describe_household(child, provenance)
    if "child" in node:
        _describe_household(node["child"], provenance)


def _household_dates(document: dict[str, Any]) -> bool:
    return any(
        isinstance(i, dict) and i.get("rests_on") == HOUSEHOLD_RECORD and i.get("effective_on")
        for i in document.get("provenance", {}).values()
    )


def _dates_in_birth_year(document: dict[str, Any], birth_date: date | None) -> bool:
    if birth_date is None:
        return False
    items = [*document.get("provenance", {}).values(), *document.get("corrections", [])]
    return any(
        isinstance(i, dict) and str(i.get("effective_on") or "")[:4] == str(birth_date.year)
        for i in items
    )


def _coarse_forecast(
    forecast: dict[str, Any], ages_now: dict[str, Any], failed: list[dict[str, Any]]
) -> dict[str, Any]:
    """The forecast without the day an age limit makes (the talent's or the child's): when an
    age on the day of change differs from today's, or a later end is named (an age limit's),
    only the year is given; a "not reachable" reason quotes the failing criteria as shown
    (without the ages)."""
    if forecast.get("withheld"):
        return forecast
    out = dict(forecast)
    blocking = set(out.get("blocking") or ())
    if blocking & {c["id"] for c in failed if c.get("fact") in ages_now}:
        texts = [c for c in failed if c["id"] in blocking]
        out["reason_zh"] = "仅靠时间推移无法符合条件：" + "；".join(c["text_zh"] for c in texts)
        out["reason_en"] = "time alone does not make it eligible: " + "; ".join(
            c["text_en"] for c in texts
        )
    on_change = out.get("facts_on_change")
    ages_then = on_change if isinstance(on_change, dict) else {}
    if isinstance(on_change, dict) and ages_now.keys() & on_change.keys():
        out["facts_on_change"] = {**on_change, **dict.fromkeys(ages_now.keys() & on_change.keys())}
    # The change is an age's when that age then differs from today's; a later end named after
    # a change (then_ends_on) can only be made by an age limit or another growing count, and
    # is taken as an age's.
    # A change on the first day of a scheduled version or parameter value is the calendar's
    # date, not the person's: it is shown.
    changed = [
        name
        for name, now in ages_now.items()
        if ages_then.get(name) is not None and ages_then.get(name) != now
    ]
    change_by_age = bool(changed) and out.get("change_on") and not out.get("change_is_scheduled")
    then = out.get("then_ends_on")
    if not change_by_age and not then:
        return out
    note_zh, note_en = AGES[changed[0] if changed else next(iter(ages_now))]
    change_on = str(out.get("change_on") or "")
    change = change_on[:4] if change_by_age else change_on
    out |= {"dates_withheld": True, "then_ends_on": None}
    if change_by_age:
        out |= {"change_on": None, "last_eligible_on": None, "change_year": int(change)}
    if then:
        out["then_ends_year"] = int(str(then)[:4])
    under_zh, under_en = out.get("under_zh", ""), out.get("under_en", "")
    when_zh = (f"{change}年内" if change_by_age else f"自 {change} 起") + under_zh
    when_en = (f"during {change}" if change_by_age else f"from {change}") + under_en
    if out.get("kind") == "eligibility_ends":
        out["reason_zh"] = f"若其他情况不变，{when_zh}因年龄上限不再符合条件{note_zh}"
        out["reason_en"] = (
            f"if nothing else changes, no longer eligible {when_en} (age limit){note_en}"
        )
    else:
        tail_zh = f"，{str(then)[:4]}年内又不再符合" if then else ""
        tail_en = f", and no longer during {str(then)[:4]}" if then else ""
        out["reason_zh"] = f"若其他情况不变，{when_zh}符合条件{tail_zh}{note_zh}"
        out["reason_en"] = f"if nothing else changes, eligible {when_en}{tail_en}{note_en}"
    return out
