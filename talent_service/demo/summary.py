"""The lines ``talent-service demo`` prints: what was loaded, the story, how to log in.

Scripts read it: the bench scripts grep ``username=firm-N for the story firm``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from talent_service.demo.catalog import AS_OF
from talent_service.demo.state import Demo, add_years
from talent_service.reference.enums import (
    CenterStatus,
    Education,
    FirmTier,
    Source,
    TierState,
    Verification,
)
from talent_service.reference.identifiers import IdKind

_TIER_STATES = [TierState.approved, TierState.submitted, TierState.rejected]
_VERIFICATIONS = [Verification.verified, Verification.declared, Verification.rejected]


def _counts(counter: Counter[Any], order: list[Any]) -> str:
    return ", ".join(f"{counter[k]} {k.value}" for k in order if counter[k])


def summary(demo: Demo, seed: int) -> list[str]:
    tiers = Counter(f.tier for f in demo.firms)
    latest: dict[int, Any] = {}
    for period in demo.tier_periods:
        if period.state is TierState.approved:
            held = latest.get(period.firm_id)
            if held is None or period.valid_to > held:
                latest[period.firm_id] = period.valid_to
    expired = sum(1 for valid_to in latest.values() if valid_to < AS_OF)
    periods = Counter(p.state for p in demo.tier_periods)
    statuses = Counter(c.status for c in demo.centers)
    suspensions = sum(1 for e in demo.status_events if e.status is CenterStatus.suspended)
    closures = sum(1 for e in demo.status_events if e.status is CenterStatus.closed)
    declarations = [row for _, row in demo.declarations]
    states = Counter(d.verification for d in declarations)
    by_bureaus = sum(1 for d in declarations if d.source is Source.bureau)
    talents = demo.people.talents
    in_spaces = sum(1 for c in demo.centers if c.enclave_id is not None)
    total_area = sum(e.total_floor_area_m2 for e in demo.enclaves)
    used_area = sum(c.floor_area_m2 for c in demo.centers if c.enclave_id is not None)
    education = Counter(t.education for t in talents)
    foreign = sum(1 for t in talents if t.id_kind is not IdKind.resident_id)
    firms_of = Counter(t for t, _ in {(s.talent.id, s.firm.row.id) for s in demo.spells})
    at_centers = sum(1 for s in demo.spells if s.center is not None)
    still = sum(1 for s in demo.spells if s.departed is None)
    story = demo.story
    assert story is not None
    kept = sum(
        1 for s in demo.story_spells if s.departed is None or s.departed >= add_years(s.hired, 3)
    )

    def retention(in_space: bool) -> str:
        cutoff = add_years(AS_OF, -1)
        group = [
            s
            for s in demo.spells
            if s.hired <= cutoff
            and (
                (s.center is not None and s.center.enclave_id is not None)
                if in_space
                else s.center is None
            )
        ]
        kept = sum(1 for s in group if s.departed is None or s.departed >= add_years(s.hired, 1))
        return f"{kept / len(group):.0%} of {len(group)}"

    levels = [Education.master, Education.bachelor, Education.doctor, Education.below_bachelor]
    return [
        f"Demo data loaded (seed {seed}); the data run to {AS_OF.isoformat()}.",
        f"  cities:         {len(demo.cities)} ({len(demo.hosts)} PRD host cities, "
        f"{len(demo.homes)} home cities), loaded by the migration",
        f"  firms:          {len(demo.firms)}: {_counts(tiers, list(FirmTier))}; "
        f"{expired} tier certificates expired",
        f"  tier periods:   {len(demo.tier_periods)}: {_counts(periods, _TIER_STATES)}; "
        f"{demo.tier_changes} firms moved up a tier on renewal",
        f"  enclave spaces: {len(demo.enclaves)} in "
        f"{len({e.host_city_code for e in demo.enclaves})} PRD cities, "
        f"{total_area:,.0f} m² ({used_area:,.0f} m² taken by centers)",
        f"  centers:        {len(demo.centers)}: {_counts(statuses, list(CenterStatus))}; "
        f"{in_spaces} in enclave spaces",
        f"  center history: {len(demo.status_events)} status events: {suspensions} suspensions "
        f"with their dates ({demo.reinstated} reinstated), {closures} closures",
        f"  talents:        {len(talents)} ({foreign} foreign): {_counts(education, levels)}; "
        f"{sum(1 for n in firms_of.values() if n > 1)} registered by two firms",
        f"  declarations:   {len(declarations)} (education, title and hukou per registration; "
        f"{by_bureaus} hukou moves recorded by bureaus): {_counts(states, _VERIFICATIONS)}",
        f"  employment:     {len(demo.spells)} spells: {at_centers} at centers, "
        f"{len(demo.spells) - at_centers} at home sites; {still} still employed",
        f"  12-month retention: {retention(True)} at enclave centers, "
        f"{retention(False)} at home sites",
        f"  story firm:     {story.row.name} (firm id {story.row.id}): "
        f"{len(demo.story_spells)} master's-or-above home-site hires in 2021, "
        f"{kept} still employed three years after hire",
        f"  accounts:       {demo.users}: province, bureau-<city code> for each city, "
        "firm-<firm id> for each firm; all take the --password given",
        "  log in:         curl -d grant_type=password -d username=bureau-440300 "
        "-d password=<the password> http://127.0.0.1:8000/v1/auth/token",
        f"                  (or username=province, or username=firm-{story.row.id} "
        "for the story firm)",
    ]
