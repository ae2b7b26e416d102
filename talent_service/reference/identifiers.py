"""Identifier validation, masking and synthetic generators (pure: no I/O beyond stdnum's data).

Covers the firm's unified social credit code (统一社会信用代码, GB 32100-2015), the resident ID
(居民身份证号码, GB 11643-1999), the 2023-12 foreign permanent resident ID (外国人永久居留身份证)
and passports with an ISO 3166-1 alpha-3 nationality.

Every refusal is an ``IdentifierError``: a ``ValueError`` (so pydantic validators turn it into a
field error) with a stable machine ``code`` and English and Chinese messages.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Literal

from stdnum import numdb
from stdnum.cn import uscc as _stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from talent_service.reference.enums import Sex

__all__ = [
    "ISO3166_ALPHA3",
    "ErrorCode",
    "IdKind",
    "Identity",
    "IdentifierError",
    "ResidentId",
    "Sex",
    "known_region_codes_for",
    "mask_id",
    "mask_name",
    "synthetic_foreign_permanent_id",
    "synthetic_resident_id",
    "synthetic_uscc",
    "validate_foreign_permanent_id",
    "validate_identity",
    "validate_passport",
    "validate_resident_id",
    "validate_uscc",
]

ErrorCode = Literal["length", "format", "checksum", "birth_date", "region", "nationality", "kind"]


class IdentifierError(ValueError):
    """An identifier was refused; ``code`` is stable for clients, the messages are for people."""

    def __init__(self, code: ErrorCode, message: str, message_zh: str | None = None) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message
        self.message_zh = message_zh


class IdKind(StrEnum):
    resident_id = "resident_id"
    foreign_permanent_id = "foreign_permanent_id"
    passport = "passport"


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str
    birth_date: date
    sex: Sex


@dataclass(frozen=True, slots=True)
class Identity:
    kind: IdKind
    number: str
    nationality: str
    birth_date: date | None = None
    sex: Sex | None = None


# --- shared helpers -----------------------------------------------------------

_DIGITS = frozenset("0123456789")
_ASCII_ALNUM = _DIGITS | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_EARLIEST_BIRTH = date(1900, 1, 1)


def _compact(value: object, what: str) -> str:
    """Fold what people paste (full-width IME characters, spaces, hyphens) into the bare code."""
    if not isinstance(value, str):
        # Spreadsheet imports hand over ints/floats that have already lost leading zeros or an 'X'.
        raise IdentifierError(
            "format", f"{what} must be text, not {type(value).__name__}", f"{what}必须为文本"
        )
    text = unicodedata.normalize("NFKC", value)
    # Upper-case ASCII only: str.upper() would turn 'ß' into 'SS' and smuggle it past the checks.
    return "".join(
        ch.upper() if ch.isascii() else ch for ch in text if not ch.isspace() and ch != "-"
    )


# ISO 7064 MOD 11-2 as GB 11643 uses it: body position i (0-based) weighs 2**(17-i) mod 11.
_MOD11_2_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def _mod11_2_check(body17: str) -> str:
    """Check character for a 17-digit body; shared by the resident and foreign permanent IDs."""
    total = sum(int(d) * w for d, w in zip(body17, _MOD11_2_WEIGHTS, strict=True))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _check_mod11_2_shape(number: str, what: str, what_zh: str) -> None:
    if len(number) != 18:
        raise IdentifierError(
            "length",
            f"{what} must be 18 characters, got {len(number)}",
            f"{what_zh}应为18位，实际为{len(number)}位",
        )
    if not (set(number[:17]) <= _DIGITS and (number[17] in _DIGITS or number[17] == "X")):
        raise IdentifierError(
            "format",
            f"{what} must be 17 digits followed by a digit or X",
            f"{what_zh}应为17位数字加1位数字或X",
        )
    if _mod11_2_check(number[:17]) != number[17]:
        raise IdentifierError(
            "checksum",
            f"{what} check digit does not match; the number probably has a typo",
            f"{what_zh}校验位不符，号码可能有误",
        )


# --- unified social credit code -----------------------------------------------

# GB 32100 leaves out I, O, S, V and Z so they cannot be mistaken for 1, 0, 5, U and 2.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def validate_uscc(value: str) -> str:
    """Return the normalised 18-character USCC or raise ``IdentifierError``.

    stdnum is the authority for the rules (first 8 digits, then the GB 32100 alphabet, then the
    MOD 31 check). It does not check the embedded GB 11714 organisation code, and neither do we:
    the outer check already catches typos and refusing a real firm on a stricter reading is worse.
    """
    number = _compact(value, "USCC")
    try:
        return _stdnum_uscc.validate(number)
    # InvalidLength subclasses InvalidFormat, so it must be caught first.
    except InvalidLength:
        raise IdentifierError(
            "length",
            f"USCC must be 18 characters, got {len(number)}",
            f"统一社会信用代码应为18位，实际为{len(number)}位",
        ) from None
    except InvalidFormat:
        raise IdentifierError(
            "format",
            "USCC characters 1-8 must be digits and 9-18 digits or capital letters "
            "other than I, O, S, V, Z",
            "统一社会信用代码前8位应为数字，后10位为数字或除I、O、S、V、Z外的大写字母",
        ) from None
    except InvalidChecksum:
        raise IdentifierError(
            "checksum",
            "USCC check character does not match; the code probably has a typo",
            "统一社会信用代码校验位不符，代码可能有误",
        ) from None


# --- resident ID --------------------------------------------------------------

# GB/T 2260 province-level codes, plus 83 which GB 11643-format residence permits for Taiwan
# residents use (Hong Kong 81 and Macao 82 are already provinces in GB/T 2260).
_PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"}
    | {"65", "71", "81", "82", "83"}
)


def validate_resident_id(value: str, *, today: date) -> ResidentId:
    """Return the normalised resident ID with birth date and sex, or raise ``IdentifierError``.

    Checked: 18 characters, 17 digits then a digit or X (lower-case x accepted), the MOD 11-2
    check digit, a real birth date between 1900-01-01 and ``today``, and a province-level prefix.

    Region codes, decided deliberately: only the first two digits (the province) are checked, not
    whether the six-digit county code existed in the birth year, which ``stdnum.cn.ric.validate``
    insists on. A number keeps the code of the place it was first issued in, for life. Codes are
    assigned when the ID is issued, often years after birth (first cards were issued from 1984, or
    at 16), and counties are later merged, renamed or abolished — Shantou's 金园区 (440508) existed
    1991-2003, so a person born there in 1985 who got a card in 2001 holds a real ``440508 1985...``
    number that stdnum refuses. Refusing such people because their county was reorganised would be
    wrong, and stdnum's table (from Wikipedia) also has gaps (an unknown county even makes it raise
    ``KeyError``). The check digit already catches single-digit typos and swapped neighbours, so a
    stricter region check would add little protection at a real cost to real people.
    """
    number = _compact(value, "resident ID")
    _check_mod11_2_shape(number, "resident ID", "居民身份证号码")
    if number[:2] not in _PROVINCE_CODES:
        hint = ""
        if number[0] == "9":
            hint = " (numbers starting with 9 are foreign permanent resident IDs)"
        raise IdentifierError(
            "region",
            f"resident ID starts with {number[:2]}, which is not a province code{hint}",
            f"居民身份证号码前两位{number[:2]}不是省级行政区划代码",
        )
    birth = _birth_date(number[6:14], today=today)
    # The 17th digit is the order code's last digit: odd for men, even for women (GB 11643).
    sex = Sex.male if int(number[16]) % 2 else Sex.female
    return ResidentId(number=number, birth_date=birth, sex=sex)


def _birth_date(yyyymmdd: str, *, today: date) -> date:
    try:
        birth = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        raise IdentifierError(
            "birth_date",
            f"resident ID birth date {yyyymmdd} is not a real date",
            f"居民身份证号码中的出生日期{yyyymmdd}不是有效日期",
        ) from None
    if birth > today:
        raise IdentifierError(
            "birth_date",
            f"resident ID birth date {birth.isoformat()} is in the future",
            f"居民身份证号码中的出生日期{birth.isoformat()}晚于今天",
        )
    if birth < _EARLIEST_BIRTH:
        raise IdentifierError(
            "birth_date",
            f"resident ID birth date {birth.isoformat()} is before 1900",
            f"居民身份证号码中的出生日期{birth.isoformat()}早于1900年",
        )
    return birth


# --- foreign permanent resident ID --------------------------------------------


def validate_foreign_permanent_id(value: str) -> str:
    """Return the normalised 2023-12 foreign permanent resident ID or raise ``IdentifierError``.

    18 digits starting with 9 with a MOD 11-2 check (stdnum does not know this format).
    """
    number = _compact(value, "foreign permanent resident ID")
    _check_mod11_2_shape(number, "foreign permanent resident ID", "外国人永久居留身份证号码")
    if number[0] != "9":
        raise IdentifierError(
            "format",
            "foreign permanent resident ID must start with 9",
            "外国人永久居留身份证号码应以9开头",
        )
    return number


# --- passport and nationality -------------------------------------------------

# Current ISO 3166-1 alpha-3 codes (249).
ISO3166_ALPHA3: frozenset[str] = frozenset(
    """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE
    BDI BEL BEN BES BFA BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA
    CAF CAN CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE
    DEU DJI DMA DNK DOM DZA
    ECU EGY ERI ESH ESP EST ETH
    FIN FJI FLK FRA FRO FSM
    GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY
    HKG HMD HND HRV HTI HUN
    IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA
    JAM JEY JOR JPN
    KAZ KEN KGZ KHM KIR KNA KOR KWT
    LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA
    MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT
    NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL
    OMN
    PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF
    QAT
    REU ROU RUS RWA
    SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR
    TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA
    UGA UKR UMI URY USA UZB
    VAT VCT VEN VGB VIR VNM VUT
    WLF WSM
    YEM
    ZAF ZMB ZWE
    """.split()  # noqa: SIM905 - 249 quoted literals would hide the table
)

# China and its regions are in ISO 3166-1 but are not a foreign nationality: Chinese citizens use
# the resident ID, and Hong Kong, Macao and Taiwan residents the 81/82/83 residence permit number.
_CHINESE_CODES = frozenset({"CHN", "HKG", "MAC", "TWN"})


def _foreign_nationality(value: object) -> str:
    code = _compact(value, "nationality") if value is not None else ""
    if not code:
        raise IdentifierError("nationality", "nationality is required", "缺少国籍")
    if code not in ISO3166_ALPHA3:
        raise IdentifierError(
            "nationality",
            f"nationality {code!r} is not an ISO 3166-1 alpha-3 country code",
            f"国籍{code!r}不是ISO 3166-1三字母国家代码",
        )
    if code in _CHINESE_CODES:
        raise IdentifierError(
            "nationality",
            f"nationality {code} is Chinese; use the resident ID (or residence permit number)",
            f"国籍{code}属于中国，请使用居民身份证号码（或居住证号码）",
        )
    return code


def validate_passport(number: str, nationality: str | None) -> tuple[str, str]:
    """Return ``(number, nationality)`` normalised, or raise ``IdentifierError``.

    Passports carry no check digit outside the machine-readable zone, so only the shape is checked.
    """
    code = _compact(number, "passport number")
    if not 5 <= len(code) <= 20:
        raise IdentifierError(
            "length",
            f"passport number must be 5-20 characters, got {len(code)}",
            f"护照号码应为5至20位，实际为{len(code)}位",
        )
    if not set(code) <= _ASCII_ALNUM:
        raise IdentifierError(
            "format",
            "passport number may contain only letters A-Z and digits 0-9",
            "护照号码只能包含字母A-Z和数字0-9",
        )
    return code, _foreign_nationality(nationality)


# --- dispatch -----------------------------------------------------------------


def validate_identity(
    kind: IdKind | str, number: str, nationality: str | None, *, today: date
) -> Identity:
    """Validate a talent's identifier by kind and return it normalised.

    A resident ID implies nationality CHN (given as ``None`` or ``"CHN"``); the other kinds need a
    foreign nationality, because the talent record always stores one.
    """
    try:
        id_kind = IdKind(kind)
    except ValueError:
        raise IdentifierError(
            "kind", f"unknown identifier kind {kind!r}", f"未知的证件类型{kind!r}"
        ) from None
    if id_kind is IdKind.resident_id:
        if nationality is not None and _compact(nationality, "nationality") not in ("", "CHN"):
            raise IdentifierError(
                "nationality",
                "a resident ID belongs to a Chinese citizen; nationality must be CHN or empty",
                "居民身份证号码属于中国公民，国籍应为CHN或留空",
            )
        rid = validate_resident_id(number, today=today)
        return Identity(id_kind, rid.number, "CHN", rid.birth_date, rid.sex)
    if id_kind is IdKind.foreign_permanent_id:
        fpid = validate_foreign_permanent_id(number)
        return Identity(id_kind, fpid, _foreign_nationality(nationality))
    passport, country = validate_passport(number, nationality)
    return Identity(id_kind, passport, country)


# --- masking ------------------------------------------------------------------


def mask_id(number: str) -> str:
    """Keep up to 4 characters at each end, but never show more than half of the number."""
    text = number.strip()
    keep = min(4, len(text) // 4)
    if keep == 0:
        return "*" * len(text)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


def _is_cjk(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY"))


def mask_name(name: str) -> str:
    """Chinese names keep the surname (first character); other names the initial of each word."""
    words = name.split()
    if not words:
        return ""
    text = " ".join(words)
    if any(_is_cjk(ch) for ch in text):
        return text[0] + "*" * (len(text) - 1)
    return " ".join(word[0] + "*" * (len(word) - 1) for word in words)


# --- region codes from stdnum's table -----------------------------------------


@lru_cache(maxsize=1)
def _region_db() -> numdb.NumDB:
    return numdb.get("cn/loc")


# Keyed by prefecture so callers scanning a city (and the synthetic generators) hit the cache.
@lru_cache(maxsize=1024)
def _prefecture_entries(prefix4: str) -> Mapping[str, str]:
    """stdnum's raw county entries by code, e.g. '440511': '[1984-1991]郊区,[2003-]金平区'."""
    entries: dict[str, str] = {}
    for suffix in range(100):
        code = f"{prefix4}{suffix:02d}"
        for _part, props in _region_db().info(code)[1:]:
            if "county" in props:
                entries[code] = props["county"]
    # Read-only view: the cached object is shared between callers.
    return MappingProxyType(entries)


def _names_in_year(entry: str, year: int) -> list[str]:
    """Names an entry had in ``year``; '[start-end]' bounds are inclusive, as stdnum reads them."""
    names = []
    for item in entry.split(","):
        if not item.startswith("["):
            names.append(item)
            continue
        span, name = item[1:].split("]", 1)
        start, end = span.split("-")
        if (not start or int(start) <= year) and (not end or year <= int(end)):
            names.append(name)
    return names


def _is_digits(text: str, length: int) -> bool:
    return len(text) == length and set(text) <= _DIGITS


# Grouping rows in GB/T 2260 ("the city's districts", "the city's counties"), not places.
_GROUPING_NAMES = frozenset({"市辖区", "县"})


def known_region_codes_for(city_prefix4: str, year: int) -> list[str]:
    """County-level codes of a prefecture (e.g. '4405' Shantou) that stdnum knows as valid in year.

    For prefectures without counties (Dongguan 4419, Zhongshan 4420) the prefecture code itself is
    returned, since that is what their residents' IDs carry.
    """
    if not _is_digits(city_prefix4, 4):
        raise IdentifierError("format", "city prefix must be 4 digits", "城市代码前缀应为4位数字")
    counties: list[str] = []
    own: list[str] = []
    for code, entry in _prefecture_entries(city_prefix4).items():
        names = _names_in_year(entry, year)
        if code.endswith("00"):
            own = [code] if names else []
        elif any(n not in _GROUPING_NAMES for n in names):
            counties.append(code)
    return counties or own


def _region_known_in(code6: str, year: int) -> bool:
    entry = _prefecture_entries(code6[:4]).get(code6) if _is_digits(code6, 6) else None
    return entry is not None and bool(_names_in_year(entry, year))


# --- synthetic generators -----------------------------------------------------


def synthetic_resident_id(rng: random.Random, region_code: str, birth_date: date, sex: Sex) -> str:
    """A resident ID that both ``validate_resident_id`` and ``stdnum.cn.ric.validate`` accept.

    ``region_code`` must be one stdnum knows in the birth year (see ``known_region_codes_for``).
    """
    if not _region_known_in(region_code, birth_date.year):
        raise IdentifierError(
            "region",
            f"region code {region_code!r} is not known for {birth_date.year}",
            f"行政区划代码{region_code!r}在{birth_date.year}年无效",
        )
    if birth_date < _EARLIEST_BIRTH:
        raise IdentifierError("birth_date", "birth date is before 1900", "出生日期早于1900年")
    # Order code 001-999 whose last digit's parity encodes sex; 000 is never issued.
    order = rng.randrange(1 if sex is Sex.male else 2, 1000, 2)
    body = f"{region_code}{birth_date:%Y%m%d}{order:03d}"
    return body + _mod11_2_check(body)


# GB 11714 organisation code: 8 body characters weighted, then a check digit or X.
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code_check(body8: str) -> str:
    # int(ch, 36) gives digits their value and A=10 ... Z=35, as GB 11714 counts them.
    check = 11 - sum(int(ch, 36) * w for ch, w in zip(body8, _GB11714_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def synthetic_uscc(rng: random.Random, region_code: str) -> str:
    """A USCC for an enterprise ('91') registered in ``region_code``, valid by stdnum's rules.

    The organisation code part carries a correct GB 11714 check too (stdnum does not require it,
    but real codes have it). Half look like pre-2015 numeric codes, half like newer 'MA...' ones.
    """
    if not _is_digits(region_code, 6):
        raise IdentifierError("format", "region code must be 6 digits", "行政区划代码应为6位数字")
    if rng.random() < 0.5:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    else:
        body = "MA" + "".join(rng.choice(_USCC_ALPHABET) for _ in range(6))
    head = f"91{region_code}{body}{_org_code_check(body)}"
    return head + _stdnum_uscc.calc_check_digit(head)


def synthetic_foreign_permanent_id(rng: random.Random) -> str:
    """An 18-digit foreign permanent resident ID starting with 9 with a valid MOD 11-2 check."""
    body = "9" + "".join(rng.choice("0123456789") for _ in range(16))
    return body + _mod11_2_check(body)
