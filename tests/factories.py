"""Factories for firms, enclave spaces, centers, talent and spells, and tokens for each caller."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from talent_service.auth.principal import ROLE_SCOPES, Principal
from talent_service.core.security import encrypt_field, issue_token
from talent_service.models import (
    Center,
    CenterStatusEvent,
    Declaration,
    Employment,
    Enclave,
    EnclavePartner,
    Firm,
    FirmTierPeriod,
    Talent,
    TalentFirm,
)
from talent_service.models.base import utcnow
from talent_service.reference.enums import (
    CenterKind,
    CenterStatus,
    DeclaredFact,
    Education,
    FirmTier,
    Role,
    Sex,
    SignUpState,
    Source,
    TierState,
    Verification,
)
from talent_service.reference.identifiers import (
    Identity,
    IdKind,
    known_region_codes_for,
    mask_id,
    synthetic_resident_id,
    synthetic_uscc,
)
from talent_service.talents.service import identity_key

SHANTOU, SHANWEI, MEIZHOU = "440500", "441500", "441400"
SHENZHEN, GUANGZHOU, DONGGUAN = "440300", "440100", "441900"


def bearer(principal: Principal) -> dict[str, str]:
    token, _ = issue_token(principal.claims())
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Factory:
    session: Session
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def _save(self, row: Any) -> Any:
        self.session.add(row)
        self.session.flush()
        return row

    # --- callers -------------------------------------------------------------
    def province(self) -> dict[str, str]:
        return bearer(Principal("user:900001", Role.province, scopes=ROLE_SCOPES[Role.province]))

    def bureau(self, city: str) -> dict[str, str]:
        return bearer(
            Principal("user:900002", Role.bureau, city_code=city, scopes=ROLE_SCOPES[Role.bureau])
        )

    def firm_user(self, firm: Firm) -> dict[str, str]:
        return bearer(
            Principal("user:900003", Role.firm, firm_id=firm.id, scopes=ROLE_SCOPES[Role.firm])
        )

    def client(self, *scopes: str, city: str | None = None) -> dict[str, str]:
        return bearer(
            Principal("client:test", Role.client, city_code=city, scopes=frozenset(scopes))
        )

    # --- registry ------------------------------------------------------------
    def firm(
        self,
        home: str = SHANTOU,
        *,
        tier: FirmTier | None = FirmTier.provincial_specialized,
        tier_certificate_no: str = "GD-2024-0001",
        tier_expires_on: date = date(2027, 12, 31),
        tier_valid_from: date | None = None,
        **kw: Any,
    ) -> Firm:
        """A firm; with ``tier``, an approved certificate period (``tier_valid_from`` None: valid
        since before the records, as migrated tiers are)."""
        values: dict[str, Any] = {
            "uscc": synthetic_uscc(self.rng, home),
            "name": f"Firm {self.rng.randrange(10**6)}",
            "home_city_code": home,
            "sign_up_state": SignUpState.approved,
        }
        firm = self._save(Firm(**(values | kw)))
        if tier is not None:
            self.tier(firm, tier, tier_certificate_no, tier_valid_from, tier_expires_on)
        return firm

    def tier(
        self,
        firm: Firm,
        tier: FirmTier,
        certificate_no: str = "GD-2024-0001",
        valid_from: date | None = None,
        valid_to: date = date(2027, 12, 31),
        state: TierState = TierState.approved,
    ) -> FirmTierPeriod:
        return self._save(
            FirmTierPeriod(
                firm_id=firm.id,
                tier=tier,
                certificate_no=certificate_no,
                valid_from=valid_from,
                valid_to=valid_to,
                state=state,
                source=Source.province,
                submitted_by="user:900001",
                decided_by=None if state is TierState.submitted else "user:900001",
                decided_at=None if state is TierState.submitted else utcnow(),
            )
        )

    def enclave(
        self, host: str = SHENZHEN, partners: tuple[str, ...] = (SHANTOU,), **kw: Any
    ) -> Enclave:
        values: dict[str, Any] = {
            "name": "Test enclave space",
            "host_city_code": host,
            "district": "Nanshan",
            "operator": "Operator Ltd",
            "total_floor_area_m2": 2300.0,
        }
        enclave = self._save(Enclave(**(values | kw)))
        for code in partners:
            self._save(EnclavePartner(enclave_id=enclave.id, city_code=code))
        return enclave

    def center(
        self, firm: Firm, host: str = SHENZHEN, *, status_since: date | None = None, **kw: Any
    ) -> Center:
        values: dict[str, Any] = {
            "firm_id": firm.id,
            "kind": CenterKind.rnd,
            "host_city_code": host,
            "name": "Test R&D center",
            "address": "1 Test Road",
            "floor_area_m2": 200.0,
            "opened_on": date(2021, 1, 1),
            "status": CenterStatus.accredited,
        }
        center = self._save(Center(**(values | kw)))
        # Its history: pending from the opening, then the status (from the opening unless
        # ``status_since`` says otherwise; a closed center closes on its closed_on).
        self.status_event(center, CenterStatus.pending, center.opened_on, Source.firm)
        if center.status is CenterStatus.closed:
            self.status_event(center, CenterStatus.closed, center.closed_on or center.opened_on)
        elif center.status is not CenterStatus.pending:
            self.status_event(center, center.status, status_since or center.opened_on)
        return center

    def status_event(
        self,
        center: Center,
        status: CenterStatus,
        effective_on: date,
        source: Source = Source.bureau,
    ) -> CenterStatusEvent:
        return self._save(
            CenterStatusEvent(
                center_id=center.id,
                status=status,
                effective_on=effective_on,
                source=source,
                authority=f"firm:{center.firm_id}"
                if source is Source.firm
                else center.host_city_code,
                recorded_by="user:900002",
            )
        )

    def resident_id(self, birth: date = date(1990, 5, 17), region: str = "4405") -> str:
        code = known_region_codes_for(region, birth.year)[0]
        return synthetic_resident_id(self.rng, code, birth, Sex.female)

    def talent(self, firm: Firm, *, number: str | None = None, **kw: Any) -> Talent:
        number = number or self.resident_id()
        identity = Identity(IdKind.resident_id, number, "CHN", date(1990, 5, 17), Sex.female)
        values: dict[str, Any] = {
            "id_kind": IdKind.resident_id,
            "id_lookup": identity_key(identity),
            "id_ciphertext": encrypt_field(number),
            "id_masked": mask_id(number),
            "nationality": "CHN",
            "birth_date": date(1990, 5, 17),
            "sex": Sex.female,
            "name": "张三",
            "education": Education.master,
        }
        talent = self._save(Talent(**(values | kw)))
        self.registration(firm, talent)
        return talent

    def registration(self, firm: Firm, talent: Talent) -> TalentFirm:
        """``firm`` registers ``talent`` with the talent's profile as its own declarations (of
        unknown date: true since before the records, as migrated ones are). No hukou city: no
        hukou declaration (unknown); ``make.declaration`` with None declares one outside
        Guangdong."""
        profile = {
            "name": talent.name,
            "education": talent.education,
            "title_level": talent.title_level,
            "title_field": talent.title_field,
            "hukou_city_code": talent.hukou_city_code,
        }
        registration = self._save(TalentFirm(talent_id=talent.id, firm_id=firm.id, **profile))
        for fact, value, detail in (
            (DeclaredFact.education, talent.education.value, None),
            (DeclaredFact.professional_title, talent.title_level.value, talent.title_field),
            (DeclaredFact.hukou_city, talent.hukou_city_code, None),
        ):
            if fact is DeclaredFact.hukou_city and value is None:
                continue  # unknown, as migration 0003 leaves a hukou that was never given
            self.declaration(talent, fact, value, detail=detail, firm=firm)
        return registration

    def declaration(
        self,
        talent: Talent,
        fact: DeclaredFact,
        value: str | None,
        *,
        detail: str | None = None,
        effective_on: date | None = None,
        firm: Firm | None = None,
        verified_by: str | None = None,
    ) -> Declaration:
        """A declaration by ``firm`` (else by the province), verified when ``verified_by``."""
        return self._save(
            Declaration(
                talent_id=talent.id,
                fact=fact,
                value=value,
                detail=detail,
                effective_on=effective_on,
                source=Source.firm if firm else Source.province,
                source_firm_id=firm.id if firm else None,
                recorded_by="user:900003" if firm else "user:900001",
                verification=Verification.verified if verified_by else Verification.declared,
                reviewed_by=verified_by,
                reviewed_at=utcnow() if verified_by else None,
            )
        )

    def employment(
        self, talent: Talent, firm: Firm, center: Center | None = None, **kw: Any
    ) -> Employment:
        values: dict[str, Any] = {
            "talent_id": talent.id,
            "firm_id": firm.id,
            "center_id": center.id if center else None,
            "position": "Engineer",
            "hired_on": date(2022, 3, 1),
            "si_city_code": center.host_city_code if center else firm.home_city_code,
            "recruited_via_program": True,
        }
        return self._save(Employment(**(values | kw)))
