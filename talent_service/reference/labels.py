"""The bilingual names of stored values, in one table: explanations, the fact registry, retention
groups and exports, and the demo all read them from here, so a value is called the same
everywhere.

English names are written as they read inside a sentence ("master's", "innovative SME");
``heading`` gives the form that starts a label or a column ("Master's").
"""

from __future__ import annotations

from collections.abc import Mapping

from talent_service.reference.enums import CenterKind, Education, FirmTier, Region, TitleLevel

Names = Mapping[str, tuple[str, str]]  # value -> (zh, en)

EDUCATION: Names = {
    Education.below_bachelor: ("本科以下", "below bachelor's"),
    Education.bachelor: ("本科", "bachelor's"),
    Education.master: ("硕士研究生", "master's"),
    Education.doctor: ("博士研究生", "doctorate"),
}
TITLE: Names = {
    TitleLevel.none: ("无职称", "none"),
    TitleLevel.junior: ("初级", "junior"),
    TitleLevel.intermediate: ("中级", "intermediate"),
    TitleLevel.associate_senior: ("副高级", "associate senior"),
    TitleLevel.senior: ("正高级", "senior"),
}
# `none`: a firm known to hold no tier certificate (not a member of FirmTier).
FIRM_TIER: Names = {
    "none": ("无梯度资质", "no tier"),
    FirmTier.innovative_sme: ("创新型中小企业", "innovative SME"),
    FirmTier.provincial_specialized: ("省级专精特新中小企业", "provincial specialized SME"),
    FirmTier.little_giant: ("专精特新“小巨人”企业", "national little giant"),
    FirmTier.key_little_giant: ("重点“小巨人”企业", "key little giant"),
    FirmTier.single_champion: ("制造业单项冠军企业", "manufacturing single champion"),
}
CENTER_KIND: Names = {
    CenterKind.rnd: ("研发中心", "R&D center"),
    CenterKind.technology: ("技术中心", "technology center"),
    CenterKind.engineering: ("工程中心", "engineering center"),
}
REGION: Names = {
    Region.prd: ("珠三角", "Pearl River Delta"),
    Region.east: ("粤东", "Eastern Guangdong"),
    Region.west: ("粤西", "Western Guangdong"),
    Region.north: ("粤北", "Northern Guangdong"),
}


def zh(names: Names) -> dict[str, str]:
    return {str(value): pair[0] for value, pair in names.items()}


def en(names: Names) -> dict[str, str]:
    return {str(value): pair[1] for value, pair in names.items()}


def heading(text: str) -> str:
    """The English name as it starts a label: its first letter in capitals."""
    return text[:1].upper() + text[1:]
