"""What each fact of a decision rests on, and which records about its date came later.

For every fact a rule reads, ``provenance`` names the records behind its value: the declaration
holding on the date (who declared it, verified or not, since when), the tier period or center
status event in force, or the spells (pieces) that make up a month count. ``own_firm`` says
whose records those are when they are all one firm's: a firm sees the value of such a fact,
and only of such facts (see ``disclosure``).

A *correction* of an earlier decision as of D is a record about this person with an effective
date on or before D, recorded after that decision was issued (a back-dated declaration, status
or tier, a spell entered late): the next decision for the same person, policy and D names each
one, so two decisions about one day that differ say why. Records effective after D change
nothing about D.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from talent_service.centers.timeline import in_force
from talent_service.declarations.selection import Claim
from talent_service.eligibility.engine.child_facts import HOUSEHOLD_RECORD
from talent_service.eligibility.engine.fact_builder import (
    EPOCH,
    BuiltFacts,
    FactInputs,
    stretches,
    whole_months,
)
from talent_service.eligibility.engine.records import Held, Records, StatusRecord
from talent_service.eligibility.engine.tiers import tier_held_on
from talent_service.reference.enums import Source, Verification

_DECLARED = {
    "education": "education",
    "education_rank": "education",
    "title_level": "title",
    "title_rank": "title",
    "hukou_city": "hukou",
    "hukou_in_city": "hukou",
}
_IDENTITY = {"age_years", "is_foreign"}
_CURRENT = {
    "firm_tier",
    "firm_tier_rank",
    "firm_tier_valid",
    "center_status",
    "center_accredited",
    "key_post",
    "recruited_via_program",
}


def _claim(claim: Claim | None) -> dict[str, Any]:
    if claim is None:
        return {"rests_on": "none", "own_firm": None}
    return {
        "rests_on": "declaration",
        "declaration_id": claim.id,
        "source": claim.source.value,
        "verification": claim.verification.value,
        "flagged": claim.verification is not Verification.verified,
        "effective_on": claim.effective_on.isoformat() if claim.effective_on else None,
        "own_firm": claim.source_firm_id if claim.source is Source.firm else None,
    }


def _day(n: int) -> str:
    return (EPOCH + timedelta(days=n)).isoformat()


def month_evidence(inputs: FactInputs, built: BuiltFacts, rows: np.ndarray) -> dict[str, Any]:
    """What made up a month count: the pieces of spells counted (first and last day counted,
    capped at the as-of date) and the continuous stretches they merge into, with the whole
    months of each, whose sum is the count."""
    rows = rows[np.lexsort((inputs.hired[rows],))]
    spell_ids = inputs.spell_id if inputs.spell_id is not None else np.arange(inputs.firm_id.size)
    pieces = [
        {
            "spell_id": int(spell_ids[r]),
            "firm_id": int(inputs.firm_id[r]),
            "center_id": int(inputs.center_id[r]) if inputs.center_id[r] >= 0 else None,
            "from": _day(int(inputs.hired[r])),
            "through": _day(int(built.end[r]) - 1),
        }
        for r in rows
    ]
    _, start, stop, _ = stretches(
        np.zeros(rows.size, np.int64), inputs.hired[rows], built.end[rows]
    )
    months = whole_months(start, stop)
    periods = [
        {"from": _day(int(a)), "through": _day(int(b) - 1), "months": int(m)}
        for a, b, m in zip(start, stop, months, strict=True)
    ]
    return {"pieces": pieces, "stretches": periods}


def _spells(inputs: FactInputs, rows: np.ndarray) -> dict[str, Any]:
    firms = sorted({int(f) for f in inputs.firm_id[rows]})
    spell_ids = inputs.spell_id if inputs.spell_id is not None else np.arange(inputs.firm_id.size)
    return {
        "rests_on": "spells",
        "spell_ids": sorted({int(s) for s in spell_ids[rows]}),
        "firm_ids": firms,
    }


def provenance(
    records: Records, held: Held, inputs: FactInputs, built: BuiltFacts, facts: list[str]
) -> dict[str, dict[str, Any]]:
    """Per fact the rule reads, what its value rests on (one person: row 0)."""
    everyone = sorted({s.firm_id for s in records.spells})
    sole = everyone[0] if len(everyone) == 1 else None
    cur = int(built.current[0])
    out: dict[str, dict[str, Any]] = {}
    for name in facts:
        if name in _IDENTITY:
            out[name] = {"rests_on": "identity document", "own_firm": "any"}
        elif name in _DECLARED:
            out[name] = _claim(getattr(held, _DECLARED[name])[0])
        elif name in built.feeds:
            fed = np.flatnonzero(built.feeds[name] & (inputs.talent_index == 0))
            # A month count shows a firm nothing only if every spell of the person is its own:
            # even a zero would tell it that no other firm counts months for this person.
            out[name] = (
                _spells(inputs, fed) | month_evidence(inputs, built, fed) | {"own_firm": sole}
            )
        elif name == "currently_employed":
            out[name] = {"rests_on": "spells", "firm_ids": everyone, "own_firm": sole}
        elif name in _CURRENT:
            out[name] = _current(records, inputs, built, name, cur, sole)
        else:
            out[name] = {"rests_on": "unknown", "own_firm": None}
    return out


def _current(
    records: Records, inputs: FactInputs, built: BuiltFacts, name: str, cur: int, sole: int | None
) -> dict[str, Any]:
    if cur < 0:
        return {"rests_on": "none", "own_firm": sole}
    spell_id = int(inputs.spell_id[cur]) if inputs.spell_id is not None else cur
    spell = next(s for s in records.spells if s.id == spell_id) if records.spells else None
    base: dict[str, Any] = {"rests_on": "current spell", "spell_id": spell_id, "own_firm": sole}
    if spell is None:
        return base
    if name.startswith("firm_tier"):
        period = tier_held_on(records.tiers.get(spell.firm_id, []), built.as_of)
        base |= {"rests_on": "tier period", "firm_id": spell.firm_id}
        if period is not None:
            base |= {
                "tier_period_id": period.id,
                "certificate_no": period.certificate_no,
                "approved_by": period.decided_by,
                "valid_from": period.valid_from.isoformat() if period.valid_from else None,
                "valid_to": period.valid_to.isoformat(),
            }
    elif name.startswith("center_") and spell.center_id is not None:
        event = in_force(records.statuses.get(spell.center_id, []), built.as_of)
        base |= {"rests_on": "center status", "center_id": spell.center_id}
        if event is not None:
            base |= _event(event)
    return base


def _event(e: StatusRecord) -> dict[str, Any]:
    return {
        "status_event_id": e.id,
        "status": e.status.value,
        "effective_on": e.effective_on.isoformat(),
        "authority": e.authority,
    }


def corrections(records: Records, as_of: date, since: datetime) -> list[dict[str, Any]]:
    """Records about the person effective on or before ``as_of``, recorded after ``since``."""

    def late(effective: date | None, recorded_at: datetime) -> bool:
        return (effective is None or effective <= as_of) and recorded_at > since

    out: list[dict[str, Any]] = []
    for (_, fact), claims in records.claims.items():
        by_id = {c.id: c for c in claims}
        for c in claims:
            # A correction replaces what it corrects on every date (declarations.selection):
            # dated after D, it is still about D when what it corrects was in effect on D.
            corrected = by_id.get(c.corrects_id) if c.corrects_id is not None else None
            about = c.effective_on
            if corrected is not None and (
                corrected.effective_on is None or corrected.effective_on <= as_of
            ):
                about = corrected.effective_on
            if late(about, c.recorded_at) and c.verification is not Verification.rejected:
                out.append(
                    {
                        "kind": "declaration",
                        "id": c.id,
                        "what": f"{fact.value} = {c.value}",
                        "source": c.source.value,
                        "own_firm": c.source_firm_id if c.source is Source.firm else None,
                        "effective_on": c.effective_on.isoformat() if c.effective_on else None,
                        "recorded_at": c.recorded_at.isoformat(),
                    }
                )
            # A bureau's later review moves the answer too: a rejection takes the declaration
            # out of every reading, a verification brings it into a reading of verified facts.
            # (An authority's own declaration is verified as it is recorded: named above.)
            reviewed = c.reviewed_at
            if reviewed is not None and reviewed != c.recorded_at and late(about, reviewed):
                out.append(
                    {
                        "kind": "review",
                        "id": c.id,
                        "what": f"{fact.value} = {c.value} {c.verification.value}",
                        "source": c.reviewed_by,
                        "own_firm": None,
                        "effective_on": c.effective_on.isoformat() if c.effective_on else None,
                        "recorded_at": reviewed.isoformat(),
                    }
                )
    centers = {s.center_id for s in records.spells if s.center_id is not None}
    for center_id in sorted(centers):
        for e in records.statuses.get(center_id, []):
            if late(e.effective_on, e.recorded_at):
                out.append(
                    {
                        "kind": "center_status",
                        "id": e.id,
                        "what": f"center {center_id} {e.status.value}",
                        "source": e.authority,
                        "own_firm": None,
                        "effective_on": e.effective_on.isoformat(),
                        "recorded_at": e.recorded_at.isoformat(),
                    }
                )
    for firm_id in sorted({s.firm_id for s in records.spells}):
        for p in records.tiers.get(firm_id, []):
            if late(p.valid_from, p.recorded_at):
                out.append(
                    {
                        "kind": "firm_tier",
                        "id": p.id,
                        "what": f"firm {firm_id} {p.tier} until {p.valid_to.isoformat()}",
                        "source": p.decided_by,
                        "own_firm": firm_id,
                        "effective_on": p.valid_from.isoformat() if p.valid_from else None,
                        "recorded_at": p.recorded_at.isoformat(),
                    }
                )
    for s in records.spells:
        if late(s.hired_on, s.created_at):
            out.append(
                {
                    "kind": "spell",
                    "id": s.id,
                    "what": f"employment from {s.hired_on.isoformat()}",
                    "source": f"firm:{s.firm_id}",
                    "own_firm": s.firm_id,
                    "effective_on": s.hired_on.isoformat(),
                    "recorded_at": s.created_at.isoformat(),
                }
            )
    return out


_SOURCE_ZH = {
    "firm": "企业",
    "bureau": "人才工作部门",
    "province": "省级主管部门",
    "client": "对接系统",
    "migration": "迁移前登记",
}
_SOURCE_EN = {
    "firm": "a firm",
    "bureau": "a city bureau",
    "province": "the province",
    "client": "a connected system",
    "migration": "the registry before dated facts",
}


def describe(prov: dict[str, Any]) -> tuple[str, str]:
    """One line per language saying what a criterion's fact rests on."""
    kind = prov.get("rests_on")
    if kind == "declaration":
        zh_src = _SOURCE_ZH.get(prov["source"], prov["source"])
        en_src = _SOURCE_EN.get(prov["source"], prov["source"])
        if prov["verification"] == "verified":
            return f"依据：{zh_src}申报，已核验", f"rests on: {en_src}'s declaration, verified"
        return (
            f"依据：{zh_src}申报，尚未核验（已标注）",
            f"rests on: {en_src}'s declaration, not verified (flagged)",
        )
    if kind == "spells":
        if "spell_ids" not in prov:  # currently_employed: the firms whose spells were read
            n = len(prov.get("firm_ids", []))
            return f"依据：{n} 家企业登记的任职记录", f"rests on: employment spells of {n} firm(s)"
        n = len(prov["spell_ids"])
        periods = prov.get("stretches", [])
        zh = "；".join(f"{p['from']} 至 {p['through']}，{p['months']} 个月" for p in periods)
        en = "; ".join(f"{p['from']} to {p['through']}, {p['months']} months" for p in periods)
        return (
            f"依据：企业登记的任职记录（{n} 段）" + (f"：{zh}" if zh else ""),
            f"rests on: employment spells recorded by firms ({n})" + (f": {en}" if en else ""),
        )
    if kind == "tier period":
        if "tier_period_id" in prov:
            return (
                f"依据：省级核准的梯度资质证书 {prov['certificate_no']}",
                f"rests on: tier certificate {prov['certificate_no']} approved by the province",
            )
        return "依据：核验日无有效梯度资质证书", "rests on: no valid tier certificate on the date"
    if kind == "center status":
        if "status_event_id" in prov:
            return (
                f"依据：{prov['authority']} 认定记录，自 {prov['effective_on']} 起",
                f"rests on: the status recorded by {prov['authority']}, effective "
                f"{prov['effective_on']}",
            )
        return (
            "依据：核验日中心无认定记录",
            "rests on: no status recorded for the center on the date",
        )
    if kind == "current spell":
        return "依据：当前任职记录", "rests on: the current employment spell"
    if kind == HOUSEHOLD_RECORD:
        src, member = prov["source"], prov["household_member_id"]
        return (
            f"依据：{_SOURCE_ZH.get(src, src)}登记的家庭成员记录（第 {member} 号，"
            f"自 {prov['effective_on']} 起）",
            f"rests on: the household record {member} by "
            f"{_SOURCE_EN.get(src, src)}, from {prov['effective_on']}",
        )
    if kind == "supplied":
        return (
            f"依据：对接系统 {prov['supplied_by']} 在本次请求中提供",
            f"rests on: supplied by client {prov['supplied_by']} in this request",
        )
    if kind == "identity document":
        return "依据：身份证件", "rests on: the identity document"
    return "依据：无相关记录", "rests on: no record"
