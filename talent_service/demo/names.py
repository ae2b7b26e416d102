"""Synthetic names for demo data: people and firms. Pure functions of a ``random.Random``.

No name here belongs to a real person or firm on purpose; any likeness is chance.
"""

from __future__ import annotations

import random

from talent_service.reference.enums import Sex

# Common surnames, weighted roughly as in Guangdong (陈, 黄, 林, 李 and 张 lead there).
# fmt: off
_SURNAMES: tuple[tuple[str, int], ...] = (
    ("陈", 14), ("黄", 10), ("林", 9), ("李", 9), ("张", 7), ("刘", 5), ("吴", 5), ("郑", 5),
    ("蔡", 4), ("杨", 4), ("谢", 4), ("许", 4), ("梁", 4), ("罗", 3), ("钟", 3), ("何", 3),
    ("曾", 3), ("王", 3), ("邱", 2), ("周", 2), ("卢", 2), ("徐", 2), ("赖", 2), ("叶", 2),
    ("朱", 2), ("余", 2), ("马", 1), ("郭", 1), ("潘", 1), ("庄", 1), ("方", 1), ("彭", 1),
    ("欧阳", 1), ("冯", 1), ("邓", 1), ("苏", 1), ("温", 1), ("詹", 1), ("肖", 1), ("戴", 1),
)
# fmt: on
_SURNAME_VALUES = tuple(s for s, _ in _SURNAMES)
_SURNAME_WEIGHTS = tuple(w for _, w in _SURNAMES)

_GIVEN_COMMON = "文华明伟志建国立嘉俊宇浩晓晨子思佳泽海鸿振锦永正新宏少家"
_GIVEN_MALE = "强军涛斌勇毅杰峰鹏辉刚磊凯彬锋坤钊豪翔健松威骏铭瀚桐然"
_GIVEN_FEMALE = "丽婷娜敏静燕芳琳颖倩雪玲莹慧淑洁霞妍雯璇欣怡珊蓉薇琪"


def person_name(rng: random.Random, sex: Sex) -> str:
    """A Chinese name: surname plus one or two given-name characters."""
    surname = rng.choices(_SURNAME_VALUES, weights=_SURNAME_WEIGHTS)[0]
    pool = _GIVEN_COMMON + (_GIVEN_MALE if sex is Sex.male else _GIVEN_FEMALE)
    length = 1 if rng.random() < 0.25 else 2
    return surname + "".join(rng.choice(pool) for _ in range(length))


# Foreign talent: (nationality, names) — invented combinations of common given and family names.
FOREIGN_NAMES: dict[str, tuple[str, ...]] = {
    "USA": ("David Miller", "Emily Carter", "Michael Brooks"),
    "DEU": ("Jonas Becker", "Anna Hoffmann", "Lukas Wagner"),
    "SGP": ("Tan Wei Ming", "Lim Hui Min"),
    "MYS": ("Ahmad Faiz", "Ong Mei Ling"),
    "JPN": ("Sato Kenji", "Takahashi Yui"),
    "KOR": ("Park Jisoo", "Kim Minjun"),
    "GBR": ("Oliver Hughes", "Grace Turner"),
    "RUS": ("Ivan Petrov", "Olga Smirnova"),
    "CAN": ("Liam Roy", "Chloe Martin"),
}


# --- firms --------------------------------------------------------------------

# Two-character trade names (字号), the part of a Chinese firm name that is its own.
_BRAND_FIRST = "华金宏恒鑫瑞泰盛德新海达联信明宇博创凯源汇科立远嘉兴隆丰伟峰"
_BRAND_SECOND = "锐泰辉源达成业通峰祥智博创宇展扬科晟昌腾信诺骏翔越航芯"

# Each home city's typical 专精特新 industries: (industry in the name, short form, field).
CITY_INDUSTRIES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "440500": (  # Shantou: toys, textiles, packaging and printing machinery, chemicals
        ("精密机械", "精密机械", "机械工程"),
        ("智能装备", "智能装备", "机械工程"),
        ("玩具创意", "玩具", "工业设计"),
        ("纺织科技", "纺织", "纺织工程"),
        ("包装材料", "包装材料", "材料工程"),
        ("印刷机械", "印刷机械", "机械工程"),
        ("化工新材料", "化工材料", "化学工程与工艺"),
    ),
    "445100": (  # Chaozhou: ceramics, food, wedding dress
        ("陶瓷科技", "陶瓷", "材料工程"),
        ("先进陶瓷", "先进陶瓷", "材料工程"),
        ("食品科技", "食品", "食品工程"),
        ("不锈钢制品", "不锈钢", "材料工程"),
    ),
    "445200": (  # Jieyang: hardware, stainless steel, pharmaceuticals, petrochemicals
        ("五金科技", "五金", "机械工程"),
        ("金属制品", "金属制品", "材料工程"),
        ("生物医药", "医药", "生物医药"),
        ("石化装备", "石化装备", "化学工程与工艺"),
    ),
    "441500": (  # Shanwei: electronic information, offshore wind
        ("电子科技", "电子", "电子信息"),
        ("海上风电装备", "风电装备", "新能源技术"),
        ("光电科技", "光电", "电子信息"),
    ),
    "440800": (  # Zhanjiang: marine, home appliances, feed, steel
        ("海洋生物", "海洋生物", "海洋工程"),
        ("家电科技", "家电", "电气工程"),
        ("水产饲料", "饲料", "食品工程"),
        ("钢铁新材料", "钢材", "材料工程"),
    ),
    "440900": (  # Maoming: petrochemicals, new materials
        ("石化新材料", "石化材料", "化学工程与工艺"),
        ("精细化工", "精细化工", "化学工程与工艺"),
        ("氢能科技", "氢能", "新能源技术"),
    ),
    "441700": (  # Yangjiang: knives and hardware, alloy materials, wind power
        ("刀剪科技", "刀剪", "机械工程"),
        ("合金材料", "合金", "材料工程"),
        ("风电科技", "风电", "新能源技术"),
    ),
    "440200": (  # Shaoguan: steel, machinery, precision castings
        ("机械制造", "机械", "机械工程"),
        ("特钢材料", "特钢", "材料工程"),
        ("精密铸造", "铸造", "材料工程"),
    ),
    "441800": (  # Qingyuan: new materials, auto parts, biomedicine
        ("新材料", "新材料", "材料工程"),
        ("汽车零部件", "汽车零部件", "机械工程"),
        ("生物科技", "生物", "生物医药"),
    ),
    "441400": (  # Meizhou: electronics, PCB
        ("电子电路", "电路板", "电子信息"),
        ("电声科技", "电声", "电子信息"),
        ("智能制造", "智能制造", "自动化"),
    ),
    "441600": (  # Heyuan: electronic information, mobile devices, water
        ("电子信息", "电子信息", "电子信息"),
        ("智能终端", "智能终端", "计算机技术"),
        ("精密模具", "模具", "机械工程"),
    ),
    "445300": (  # Yunfu: stone, hydrogen energy, alloys
        ("石材科技", "石材", "材料工程"),
        ("氢能装备", "氢能装备", "新能源技术"),
        ("不锈钢科技", "不锈钢", "材料工程"),
    ),
}


def brand(rng: random.Random) -> str:
    first = rng.choice(_BRAND_FIRST)
    second = rng.choice(_BRAND_SECOND)
    while second == first:
        second = rng.choice(_BRAND_SECOND)
    return first + second


def firm_name(city_zh: str, trade_name: str, industry: str, *, joint_stock: bool) -> str:
    """E.g. '汕头市华锐精密机械有限公司' or, for larger firms, '广东华锐精密机械股份有限公司'."""
    if joint_stock:
        return f"广东{trade_name}{industry}股份有限公司"
    return f"{city_zh}{trade_name}{industry}有限公司"
