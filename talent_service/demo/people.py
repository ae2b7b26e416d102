"""Synthetic talent, stored exactly as ``talents.service.register_talent`` stores a person:
the identifier normalised by ``validate_identity``, its keyed look-up hash, ciphertext and mask.

Resident IDs carry birthplace codes that stdnum knows for the birth year, so they pass
``stdnum.cn.ric.validate`` too, not only our own (more lenient) check.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from talent_service.core.security import encrypt_field
from talent_service.demo.catalog import (
    AS_OF,
    FALLBACK_PREFIX,
    MIN_AGE_AT_HIRE,
    OTHER_PROVINCES,
)
from talent_service.demo.names import FOREIGN_NAMES, person_name
from talent_service.models import Talent
from talent_service.reference.enums import Education, Region, Sex, TitleLevel
from talent_service.reference.identifiers import (
    IdKind,
    known_region_codes_for,
    mask_id,
    synthetic_foreign_permanent_id,
    synthetic_resident_id,
    validate_identity,
)
from talent_service.talents.service import identity_key

_OTHER_FIELDS = ("机械工程", "电子信息", "材料工程", "计算机技术", "自动化")
_TITLE_BONUS = {
    Education.below_bachelor: -0.5,
    Education.bachelor: 0.0,
    Education.master: 0.7,
    Education.doctor: 1.5,
}


class People:
    """Makes people one at a time; every ID number is unique within one load."""

    def __init__(self, rng: random.Random, regions: dict[str, Region]) -> None:
        self.rng = rng
        self.regions = regions  # city code -> region, for all 21 cities
        self.talents: list[Talent] = []
        # Where each resident was born (a Guangdong city code; None: another province), by
        # id(talent): the hukou's "since" date reads it. Foreign talent are not in it.
        self.origins: dict[int, str | None] = {}
        self._numbers: set[str] = set()

    def resident(
        self,
        *,
        home: str,
        host: str | None,
        hired: date,
        education: Education,
        title_field: str,
    ) -> Talent:
        """A Chinese citizen hired on ``hired`` by a firm of ``home`` (at a center in ``host``).

        Most were born in the home city and hold its hukou; others come from elsewhere in
        Guangdong or from neighbouring provinces.
        """
        rng = self.rng
        age = MIN_AGE_AT_HIRE[education] + int(rng.gammavariate(2.0, 4.0))
        birth_year = min(2000, max(1970, hired.year - age))
        birth = date(birth_year, 1, 1) + timedelta(days=rng.randrange(365))
        sex = Sex.male if rng.random() < 0.66 else Sex.female
        origin = rng.random()
        origin_city: str | None
        if origin < 0.58:
            prefix, origin_city = home[:4], home
        elif origin < 0.82:
            origin_city = rng.choice(sorted(self.regions))
            prefix = origin_city[:4]
        else:
            prefix, origin_city = rng.choice(OTHER_PROVINCES), None
        codes = known_region_codes_for(prefix, birth_year)
        if not codes:
            codes = known_region_codes_for(FALLBACK_PREFIX[self.regions[home]], birth_year)
        while True:
            number = synthetic_resident_id(rng, rng.choice(codes), birth, sex)
            if number not in self._numbers:
                break
        hukou = self._hukou(home, host, origin_city)
        level = self._title(education, birth_year)
        field = None
        if level is not TitleLevel.none:
            field = title_field if rng.random() < 0.8 else rng.choice(_OTHER_FIELDS)
        talent = self._store(
            IdKind.resident_id,
            number,
            None,
            name=person_name(rng, sex),
            education=education,
            title_level=level,
            title_field=field,
            hukou_city_code=hukou,
        )
        self.origins[id(talent)] = origin_city
        return talent

    def foreign(self, nationality: str, kind: IdKind, education: Education) -> Talent:
        """Foreign talent: a foreign permanent resident ID (9…, MOD 11-2) or a passport."""
        rng = self.rng
        while True:
            if kind is IdKind.foreign_permanent_id:
                number = synthetic_foreign_permanent_id(rng)
            else:
                letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
                number = letters + "".join(rng.choice("0123456789") for _ in range(7))
            if number not in self._numbers:
                break
        return self._store(
            kind,
            number,
            nationality,
            name=rng.choice(FOREIGN_NAMES[nationality]),
            education=education,
            title_level=TitleLevel.none,
            title_field=None,
            hukou_city_code=None,
        )

    def _hukou(self, home: str, host: str | None, origin_city: str | None) -> str | None:
        roll = self.rng.random()
        choices: tuple[tuple[str | None, float], ...]
        if origin_city == home:
            choices = ((home, 0.8), (host or home, 0.1), (None, 0.1))
        elif origin_city is not None:
            choices = ((origin_city, 0.4), (home, 0.3), (host or home, 0.15), (None, 0.15))
        else:  # from another province: often no Guangdong hukou at all
            choices = ((None, 0.55), (home, 0.25), (host or home, 0.2))
        for value, weight in choices:
            if roll < weight:
                return value
            roll -= weight
        return None

    def _title(self, education: Education, birth_year: int) -> TitleLevel:
        """Older and better-educated people hold higher professional titles, with some noise."""
        score = (AS_OF.year - birth_year - 24) / 6 + _TITLE_BONUS[education]
        score += self.rng.gauss(0, 0.8)
        levels = list(TitleLevel)
        return levels[min(len(levels) - 1, max(0, int(score)))]

    def _store(self, kind: IdKind, number: str, nationality: str | None, **profile: Any) -> Talent:
        identity = validate_identity(kind, number, nationality, today=AS_OF)
        self._numbers.add(identity.number)
        talent = Talent(
            id_kind=identity.kind,
            id_lookup=identity_key(identity),
            id_ciphertext=encrypt_field(identity.number),
            id_masked=mask_id(identity.number),
            nationality=identity.nationality,
            birth_date=identity.birth_date,
            sex=identity.sex,
            **profile,
        )
        self.talents.append(talent)
        return talent
