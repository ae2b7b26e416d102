from __future__ import annotations

from talent_service.core.types import ResponseModel
from talent_service.reference.enums import Region


class CityRead(ResponseModel):
    code: str
    name_zh: str
    name_en: str
    region: Region
