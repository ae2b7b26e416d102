"""The value lists and rank scales of the enumerated facts, in their declared order.

Value lists come from the enums the tables store, lowest first, so every stored value has a place
and a rank; labels come from the one table of labels (``reference/labels.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

from talent_service.reference import labels
from talent_service.reference.enums import (
    CenterStatus,
    Education,
    FirmTier,
    SchoolStage,
    TitleLevel,
)

EDUCATION_LEVELS: tuple[str, ...] = tuple(e.value for e in Education)
EDUCATION_RANK: Mapping[str, int] = {v: i for i, v in enumerate(EDUCATION_LEVELS)}
EDUCATION_ZH = labels.zh(labels.EDUCATION)
EDUCATION_EN = labels.en(labels.EDUCATION)

TITLE_LEVELS: tuple[str, ...] = tuple(t.value for t in TitleLevel)
TITLE_RANK: Mapping[str, int] = {v: i for i, v in enumerate(TITLE_LEVELS)}
TITLE_ZH = labels.zh(labels.TITLE)
TITLE_EN = labels.en(labels.TITLE)

# `none`: the firm is known to hold no tier certificate (distinct from a missing tier); the
# firms table stores it as NULL tier, the enum holds only real tiers.
FIRM_TIERS: tuple[str, ...] = ("none", *(t.value for t in FirmTier))
# The SME ladder ranks 0 (none), 1, 2, … in the enum's order. The single champion programme
# stands beside it; for threshold rules it ranks with the top rung (key little giant). Rules that
# must tell them apart compare `firm_tier` instead.
_LADDER = tuple(t for t in FIRM_TIERS if t != FirmTier.single_champion)
FIRM_TIER_RANK: Mapping[str, int] = {
    t: _LADDER.index(t) if t in _LADDER else len(_LADDER) - 1 for t in FIRM_TIERS
}
FIRM_TIER_ZH = labels.zh(labels.FIRM_TIER)
FIRM_TIER_EN = labels.en(labels.FIRM_TIER)

CENTER_STATUSES: tuple[str, ...] = tuple(s.value for s in CenterStatus)
CENTER_STATUS_ZH = {
    "pending": "待认定",
    "accredited": "已认定",
    "rejected": "未通过认定",
    "suspended": "暂停",
    "closed": "已关闭",
}
CENTER_STATUS_EN = {
    "pending": "pending",
    "accredited": "accredited",
    "rejected": "rejected",
    "suspended": "suspended",
    "closed": "closed",
}

SCHOOL_STAGES: tuple[str, ...] = tuple(s.value for s in SchoolStage)
SCHOOL_STAGE_ZH = {
    "kindergarten": "幼儿园",
    "primary": "小学",
    "junior_secondary": "初中",
    "senior_secondary": "高中",
}
SCHOOL_STAGE_EN = {
    "kindergarten": "kindergarten",
    "primary": "primary school",
    "junior_secondary": "junior secondary school",
    "senior_secondary": "senior secondary school",
}
