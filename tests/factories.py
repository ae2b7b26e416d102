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
    Employment,
    Enclave,
    EnclavePartner,
    Firm,
    Talent,
    TalentFirm,
)
from talent_service.reference.enums import CenterKind, CenterStatus, Education, FirmTier, Role, Sex
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
    def firm(self, home: str = SHANTOU, **kw: Any) -> Firm:
        values: dict[str, Any] = {
            "uscc": synthetic_uscc(self.rng, home),
            "name": f"Firm {self.rng.randrange(10**6)}",
            "home_city_code": home,
            "tier": FirmTier.provincial_specialized,
            "tier_certificate_no": "GD-2024-0001",
            "tier_expires_on": date(2027, 12, 31),
        }
        return self._save(Firm(**(values | kw)))

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

    def center(self, firm: Firm, host: str = SHENZHEN, **kw: Any) -> Center:
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
        return self._save(Center(**(values | kw)))

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
        self._save(TalentFirm(talent_id=talent.id, firm_id=firm.id))
        return talent

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
