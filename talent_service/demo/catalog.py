"""Fixed tables for the demo: enclave spaces, PRD addresses, positions, decision notes, and the
mixes the generator draws from (tiers, education, attrition, where people come from)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from talent_service.reference.enums import (
    CenterKind,
    DepartureReason,
    Education,
    FirmTier,
    Region,
)
from talent_service.reference.identifiers import IdKind

# The data's horizon: hires run 2021-2025; no departure, closure or decision is later.
AS_OF = date(2026, 6, 30)

SHENZHEN, GUANGZHOU, DONGGUAN, FOSHAN = "440300", "440100", "441900", "440600"
ZHUHAI, HUIZHOU, ZHONGSHAN, JIANGMEN, ZHAOQING = "440400", "441300", "442000", "440700", "441200"
SHANTOU, SHANWEI, CHAOZHOU, JIEYANG = "440500", "441500", "445100", "445200"
ZHANJIANG, MAOMING, YANGJIANG = "440800", "440900", "441700"
SHAOGUAN, MEIZHOU, HEYUAN, QINGYUAN, YUNFU = "440200", "441400", "441600", "441800", "445300"


@dataclass(frozen=True)
class EnclaveSpec:
    host: str
    district: str
    name: str
    operator: str
    address: str
    partners: tuple[str, ...]
    # A fixed floor area; None means sized to the centers placed in it (with room to spare).
    area_m2: float | None = None


# About a dozen spaces; every home city is partnered by at least one (the pairings follow the
# province's 对口帮扶 pattern loosely). The first is the design brief's example, exactly.
ENCLAVES: tuple[EnclaveSpec, ...] = (
    EnclaveSpec(
        SHENZHEN,
        "福田区",
        "深圳福田·汕尾研发飞地",
        "深圳市福田区产业园区运营有限公司",
        "深圳市福田区深南大道6008号深汕科创大厦",
        (SHANWEI,),
        2300.0,
    ),
    EnclaveSpec(
        SHENZHEN,
        "南山区",
        "深圳南山·汕头科技创新飞地",
        "深圳湾科技发展有限公司",
        "深圳市南山区科技园科苑路15号汕头科创中心",
        (SHANTOU,),
    ),
    EnclaveSpec(
        SHENZHEN,
        "龙岗区",
        "深圳龙岗·河源研发飞地",
        "深圳市龙岗区产业投资服务有限公司",
        "深圳市龙岗区坂田街道雪岗北路2018号深河人才港",
        (HEYUAN,),
    ),
    EnclaveSpec(
        GUANGZHOU,
        "天河区",
        "广州天河·梅州人才飞地",
        "广州天河智慧城运营有限公司",
        "广州市天河区高普路1033号梅州科创中心",
        (MEIZHOU,),
    ),
    EnclaveSpec(
        GUANGZHOU,
        "黄埔区",
        "广州黄埔·湛江清远研发飞地",
        "广州开发区人才工作集团有限公司",
        "广州市黄埔区科学大道182号创新大厦",
        (ZHANJIANG, QINGYUAN),
    ),
    EnclaveSpec(
        GUANGZHOU,
        "南沙区",
        "广州南沙·粤东科创飞地",
        "广州南沙科技创新产业园有限公司",
        "广州市南沙区海滨路171号粤东科创中心",
        (SHANTOU, CHAOZHOU, JIEYANG),
    ),
    EnclaveSpec(
        DONGGUAN,
        "松山湖",
        "东莞松山湖·韶关揭阳科创飞地",
        "东莞松山湖高新区产业服务有限公司",
        "东莞市松山湖高新区工业北路6号科技四路创新园",
        (SHAOGUAN, JIEYANG),
    ),
    EnclaveSpec(
        FOSHAN,
        "南海区",
        "佛山南海·云浮清远人才飞地",
        "佛山市南海区粤港澳合作发展有限公司",
        "佛山市南海区桂城街道三山新城科创大厦",
        (YUNFU, QINGYUAN),
    ),
    EnclaveSpec(
        ZHUHAI,
        "香洲区",
        "珠海香洲·茂名阳江研发飞地",
        "珠海高新技术产业园运营有限公司",
        "珠海市香洲区唐家湾镇港湾大道科技五路8号",
        (MAOMING, YANGJIANG),
    ),
    EnclaveSpec(
        ZHONGSHAN,
        "火炬开发区",
        "中山火炬·潮州科创飞地",
        "中山火炬开发区创新服务有限公司",
        "中山市火炬开发区康乐大道47号中山科创园",
        (CHAOZHOU,),
    ),
    EnclaveSpec(
        HUIZHOU,
        "仲恺高新区",
        "惠州仲恺·汕尾河源人才飞地",
        "惠州仲恺高新区人才发展有限公司",
        "惠州市仲恺高新区和畅五路西16号",
        (HEYUAN, SHANWEI),
    ),
    EnclaveSpec(
        JIANGMEN,
        "蓬江区",
        "江门蓬江·阳江湛江研发飞地",
        "江门市蓬江区创新创业服务有限公司",
        "江门市蓬江区建设三路88号江门人才岛",
        (YANGJIANG, ZHANJIANG),
    ),
)

# Centers outside an enclave space: where they go (weight) and sample districts and roads.
STANDALONE_HOSTS: dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]] = {
    SHENZHEN: (4, ("南山区", "宝安区", "龙华区"), ("科技南路", "创业二路", "观澜大道")),
    GUANGZHOU: (4, ("番禺区", "黄埔区", "海珠区"), ("科韵路", "开创大道", "新港东路")),
    DONGGUAN: (3, ("松山湖", "长安镇", "滨海湾新区"), ("工业南路", "振安中路", "湾区大道")),
    FOSHAN: (3, ("顺德区", "南海区", "禅城区"), ("北滘大道", "狮山大道", "季华路")),
    ZHUHAI: (1, ("香洲区", "金湾区"), ("情侣路", "珠海大道")),
    HUIZHOU: (1, ("仲恺高新区", "惠城区"), ("惠风东路", "江北大道")),
    ZHONGSHAN: (1, ("火炬开发区", "翠亨新区"), ("中山港大道", "兴中道")),
    JIANGMEN: (1, ("蓬江区", "江海区"), ("江海一路", "高新西路")),
    ZHAOQING: (1, ("端州区", "高要区"), ("星湖大道", "金渡大道")),
}

# fmt: off
POSITIONS: tuple[tuple[str, int], ...] = (
    ("研发工程师", 22), ("结构工程师", 8), ("工艺工程师", 8), ("软件工程师", 9),
    ("算法工程师", 5), ("电气工程师", 6), ("嵌入式工程师", 5), ("材料工程师", 6),
    ("测试工程师", 5), ("质量工程师", 4), ("项目经理", 4), ("研发主管", 3), ("技术总监", 1),
)
# fmt: on

NOTES = {
    "accredited": ("材料齐全，场地核验通过，予以认定", "符合反向飞地研发机构认定条件"),
    "rejected": ("申报场地与实际使用面积不符", "研发人员配备未达认定要求"),
    "suspended": ("年度运行报告逾期未报，暂停认定", "核查发现研发人员不足，暂停认定"),
    "closed": ("企业申请撤点，场地已交还", "研发业务并入总部，中心关闭"),
    "reinstated": ("整改完成，经复核恢复认定", "年度运行报告已补报，恢复认定"),
}


# Firms per home city, roughly by the size of each city's 专精特新 population (~140 in all).
# fmt: off
FIRMS_PER_CITY: dict[str, int] = {
    SHANTOU: 22, ZHANJIANG: 15, QINGYUAN: 14, JIEYANG: 13,
    MAOMING: 12, CHAOZHOU: 11, SHAOGUAN: 11, MEIZHOU: 10,
    HEYUAN: 9, YANGJIANG: 9, SHANWEI: 8, YUNFU: 7,
}
# fmt: on
BASE_TIERS = (
    (FirmTier.provincial_specialized, 0.62),
    (FirmTier.innovative_sme, 0.27),
    (FirmTier.little_giant, 0.11),
)
CERT_PREFIX = {
    FirmTier.innovative_sme: "GD-CXZX",
    FirmTier.provincial_specialized: "GD-ZJTX",
    FirmTier.little_giant: "MIIT-XJR",
    FirmTier.key_little_giant: "MIIT-ZDXJR",
    FirmTier.single_champion: "MIIT-DXGJ",
}
# Bigger firms hire more.
HIRING_WEIGHT = {
    FirmTier.innovative_sme: 0.7,
    FirmTier.provincial_specialized: 1.0,
    FirmTier.little_giant: 1.6,
    FirmTier.key_little_giant: 2.2,
    FirmTier.single_champion: 2.6,
}
CENTERS = (150, 170)  # inclusive range for the number of centers
CENTER_KINDS = (
    (CenterKind.rnd, 0.55),
    (CenterKind.technology, 0.27),
    (CenterKind.engineering, 0.18),
)
CENTER_AREA = {
    CenterKind.rnd: (120, 420),
    CenterKind.technology: (80, 300),
    CenterKind.engineering: (150, 480),
}
EDUCATION_MIX = (
    (Education.master, 0.54),
    (Education.bachelor, 0.30),
    (Education.doctor, 0.13),
    (Education.below_bachelor, 0.03),
)
MIN_AGE_AT_HIRE = {
    Education.below_bachelor: 20,
    Education.bachelor: 22,
    Education.master: 25,
    Education.doctor: 28,
}
ATTRITION = {  # hazard multiplier by education
    Education.below_bachelor: 1.15,
    Education.bachelor: 1.0,
    Education.master: 1.0,
    Education.doctor: 0.8,
}
DEPARTURE_REASONS = (
    (DepartureReason.resigned, 0.72),
    (DepartureReason.contract_ended, 0.12),
    (DepartureReason.dismissed, 0.05),
    (DepartureReason.transferred, 0.04),
    (DepartureReason.other, 0.07),
)
# Where talent born outside Guangdong come from (prefecture prefixes of nearby provinces).
OTHER_PROVINCES = ("4301", "4304", "4310", "3601", "3607", "4501", "4201", "4101", "5101", "3505")
# A prefecture that existed in every birth year, per region (stdnum's table lacks some counties
# before 1988, e.g. Meizhou and Jieyang did not exist as prefectures yet).
FALLBACK_PREFIX = {Region.east: "4405", Region.west: "4408", Region.north: "4402"}
# fmt: off
FOREIGN_TALENT = (
    ("USA", IdKind.foreign_permanent_id), ("DEU", IdKind.foreign_permanent_id),
    ("SGP", IdKind.foreign_permanent_id), ("CAN", IdKind.foreign_permanent_id),
    ("JPN", IdKind.passport), ("KOR", IdKind.passport),
    ("GBR", IdKind.passport), ("RUS", IdKind.passport),
)
# fmt: on
RANDOM_TALENTS = (620, 640)  # Chinese talent besides the story group, inclusive range
TRANSFERS = 30  # home site → the firm's own center (two spells, one firm)
MOVERS = 30  # left one firm, joined another (two spells, two firms, one person)

# What a bureau checked when it verified a declaration, and why it refused one.
EVIDENCE = {
    "education": "学信网《教育部学历证书电子注册备案表》在线验证码 {code}",
    "title": "职称证书（广东省人力资源和社会保障厅）编号 {code}",
    "hukou_city": "居民户口簿本人页，{city}公安局户籍信息核验",
    "no_hukou": "居民身份证及户籍所在地公安机关证明（非广东户籍）",
    "hukou_move": "{city}人才引进准予迁入通知书 编号 {code}",
}
REJECTIONS = (
    ("学信网无此学位证书记录", "申报学历与学信网记录不符，请提交学位证书原件后重新申报"),
    ("学位证书复印件与学信网信息不一致", "学位授予信息无法核实，不予确认"),
)
