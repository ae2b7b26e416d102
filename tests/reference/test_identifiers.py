"""Behaviour of identifier validation, masking and the synthetic generators.

Check digits in test numbers come from stdnum (an implementation independent of ours), so these
tests also cross-check our MOD 11-2 code.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from importlib import resources

import pytest
from stdnum import numdb
from stdnum.cn import ric, uscc

from talent_service.reference.identifiers import (
    ISO3166_ALPHA3,
    IdentifierError,
    Identity,
    IdKind,
    ResidentId,
    Sex,
    known_region_codes_for,
    mask_id,
    mask_name,
    synthetic_foreign_permanent_id,
    synthetic_resident_id,
    synthetic_uscc,
    validate_foreign_permanent_id,
    validate_identity,
    validate_passport,
    validate_resident_id,
    validate_uscc,
)

TODAY = date(2025, 6, 1)


def with_check(body17: str) -> str:
    """Append the MOD 11-2 check digit as stdnum computes it (its helper wants a placeholder)."""
    return body17 + ric.calc_check_digit(body17 + "0")


def wrong_check(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def refusal(call: object, *args: object, **kwargs: object) -> IdentifierError:
    assert callable(call)
    with pytest.raises(IdentifierError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- IdentifierError ---------------------------------------------------------------------------


def test_identifier_error_is_a_value_error_with_code_and_both_languages() -> None:
    err = refusal(validate_uscc, "123")
    assert isinstance(err, ValueError)
    assert err.code == "length"
    assert str(err) == err.message
    assert err.message_zh and "统一社会信用代码" in err.message_zh


# --- USCC --------------------------------------------------------------------------------------

VALID_USCC = "91110000600037341L"


def test_uscc_valid_code_is_returned_stripped_and_upper_cased() -> None:
    assert validate_uscc(f"  {VALID_USCC.lower()} ") == VALID_USCC


def test_uscc_with_wrong_check_character_is_refused() -> None:
    assert refusal(validate_uscc, VALID_USCC[:-1] + "M").code == "checksum"


@pytest.mark.parametrize("value", ["", "9111000060003734", VALID_USCC + "0"])
def test_uscc_of_wrong_length_is_refused(value: str) -> None:
    assert refusal(validate_uscc, value).code == "length"


@pytest.mark.parametrize(
    "value",
    [
        "A1110000600037341L",  # letter in the first eight characters
        "91110000I00037341L",  # I is not in the GB 32100 alphabet
        "9111000060003734#L",
    ],
)
def test_uscc_with_invalid_characters_is_refused(value: str) -> None:
    assert refusal(validate_uscc, value).code == "format"


def test_uscc_that_is_not_text_is_refused() -> None:
    assert refusal(validate_uscc, 911100006000373410).code == "format"


# --- resident ID -------------------------------------------------------------------------------

MALE_ID = with_check("44052319900506013")
FEMALE_ID = with_check("44052319900506024")


@pytest.mark.parametrize(("number", "sex"), [(MALE_ID, Sex.male), (FEMALE_ID, Sex.female)])
def test_resident_id_yields_birth_date_and_sex_from_17th_digit(number: str, sex: Sex) -> None:
    assert validate_resident_id(number, today=TODAY) == ResidentId(number, date(1990, 5, 6), sex)


def test_resident_id_with_wrong_check_digit_is_refused() -> None:
    assert refusal(validate_resident_id, wrong_check(MALE_ID), today=TODAY).code == "checksum"


def test_resident_id_lower_case_x_check_digit_is_normalised_to_upper_case() -> None:
    assert validate_resident_id("44052319900506018x", today=TODAY).number == "44052319900506018X"


def test_resident_id_typed_with_full_width_digits_and_spaces_is_folded() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in MALE_ID)
    typed = f" {full_width[:6]} {full_width[6:]} "
    assert validate_resident_id(typed, today=TODAY).number == MALE_ID


@pytest.mark.parametrize("value", [MALE_ID[:15], MALE_ID + "1", ""])
def test_resident_id_of_wrong_length_is_refused(value: str) -> None:
    assert refusal(validate_resident_id, value, today=TODAY).code == "length"


@pytest.mark.parametrize("value", ["4405231990050601A3", "X40523199005060133"])
def test_resident_id_with_letters_in_the_body_is_refused(value: str) -> None:
    assert refusal(validate_resident_id, value, today=TODAY).code == "format"


def test_resident_id_with_birth_date_after_today_is_refused() -> None:
    tomorrow = TODAY + timedelta(days=1)
    number = with_check(f"440523{tomorrow:%Y%m%d}013")
    assert refusal(validate_resident_id, number, today=TODAY).code == "birth_date"


def test_resident_id_born_today_is_accepted() -> None:
    number = with_check(f"440523{TODAY:%Y%m%d}013")
    assert validate_resident_id(number, today=TODAY).birth_date == TODAY


@pytest.mark.parametrize("yyyymmdd", ["19900230", "19901301", "19900000", "18991231"])
def test_resident_id_with_impossible_or_pre_1900_birth_date_is_refused(yyyymmdd: str) -> None:
    number = with_check(f"440523{yyyymmdd}013")
    assert refusal(validate_resident_id, number, today=TODAY).code == "birth_date"


@pytest.mark.parametrize("province", ["00", "99", "40", "90"])
def test_resident_id_with_unknown_province_prefix_is_refused(province: str) -> None:
    number = with_check(f"{province}0523199005060133"[:17])
    assert refusal(validate_resident_id, number, today=TODAY).code == "region"


@pytest.mark.parametrize(
    "body",
    [
        # Shantou 金园区 440508 existed 1991-2003 (merged into 金平区): someone born in 1985
        # received the code with their first card, after the district was created.
        "44050819850101123",
        # 440511 was 郊区 1984-1991 and is 金平区 from 2003: a 1995 birth first registered
        # there after 2003 holds it, though the code existed in neither form in 1995.
        "44051119950101123",
        # Beijing 房山区 110111 exists from 1986; people born earlier got it with their card.
        "11011119600101123",
    ],
)
def test_resident_id_with_county_code_not_current_in_birth_year_is_accepted(body: str) -> None:
    number = with_check(body)
    assert not ric.is_valid(number)  # stdnum's birth-year rule would refuse this real number
    assert validate_resident_id(number, today=TODAY).number == number


def test_resident_id_with_county_code_missing_from_stdnum_is_accepted_on_its_province() -> None:
    number = with_check("44999919850101123")
    assert validate_resident_id(number, today=TODAY).number == number


def test_resident_id_accepts_every_province_in_stdnum_table() -> None:
    db = numdb.get("cn/loc")
    provinces = [p for p in range(10, 100) if "province" in db.info(f"{p}0000")[0][1]]
    assert len(provinces) >= 34
    for province in provinces:
        number = with_check(f"{province}000019900506013")
        assert validate_resident_id(number, today=TODAY).number == number


@pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
def test_residence_permit_numbers_of_hong_kong_macao_taiwan_are_accepted(prefix: str) -> None:
    number = with_check(f"{prefix}19900506013")
    assert validate_resident_id(number, today=TODAY).number == number


def test_foreign_permanent_id_given_as_resident_id_is_refused_with_region() -> None:
    err = refusal(validate_resident_id, "90000000000000008X", today=TODAY)
    assert err.code == "region"
    assert "foreign permanent" in err.message


# --- foreign permanent resident ID -------------------------------------------------------------

FOREIGN_ID = with_check("93484019800101001")


def test_foreign_permanent_id_with_valid_check_digit_is_accepted() -> None:
    assert validate_foreign_permanent_id(f" {FOREIGN_ID} ") == FOREIGN_ID


def test_foreign_permanent_id_with_wrong_check_digit_is_refused() -> None:
    assert refusal(validate_foreign_permanent_id, wrong_check(FOREIGN_ID)).code == "checksum"


def test_foreign_permanent_id_lower_case_x_is_normalised() -> None:
    assert validate_foreign_permanent_id("90000000000000008x") == "90000000000000008X"


def test_foreign_permanent_id_not_starting_with_9_is_refused() -> None:
    assert refusal(validate_foreign_permanent_id, MALE_ID).code == "format"


def test_old_15_character_foreign_permanent_card_number_is_refused() -> None:
    assert refusal(validate_foreign_permanent_id, "USA110075100001").code == "length"


# --- passport and nationality ------------------------------------------------------------------


def test_iso_alpha3_table_has_the_249_current_codes() -> None:
    assert len(ISO3166_ALPHA3) == 249
    assert all(len(c) == 3 and c.isascii() and c.isupper() for c in ISO3166_ALPHA3)
    assert {"USA", "DEU", "JPN", "GBR", "SSD", "BES"} <= ISO3166_ALPHA3


def test_passport_number_and_nationality_are_normalised() -> None:
    assert validate_passport(" e1234567 ", "usa") == ("E1234567", "USA")


@pytest.mark.parametrize("number", ["E123/4567", "E12345_7", "E1234567é", "Е1234567", "E12.345"])
def test_passport_with_characters_outside_a_z_0_9_is_refused(number: str) -> None:
    # "Е1234567" starts with a Cyrillic Е that looks Latin.
    assert refusal(validate_passport, number, "USA").code == "format"


@pytest.mark.parametrize("number", ["E123", "A" * 21])
def test_passport_shorter_than_5_or_longer_than_20_is_refused(number: str) -> None:
    assert refusal(validate_passport, number, "USA").code == "length"


def test_passport_lengths_5_and_20_are_accepted() -> None:
    assert validate_passport("A1234", "DEU")[0] == "A1234"
    assert validate_passport("A" * 20, "JPN")[0] == "A" * 20


@pytest.mark.parametrize("nationality", ["XXX", "US", "UK", "USAA", "", "   "])
def test_passport_with_unknown_nationality_is_refused(nationality: str) -> None:
    assert refusal(validate_passport, "E1234567", nationality).code == "nationality"


@pytest.mark.parametrize("nationality", ["CHN", "chn", "HKG", "MAC", "TWN"])
def test_passport_with_chinese_nationality_is_refused(nationality: str) -> None:
    err = refusal(validate_passport, "E1234567", nationality)
    assert err.code == "nationality"
    assert "resident ID" in err.message


# --- validate_identity -------------------------------------------------------------------------


@pytest.mark.parametrize("nationality", [None, "CHN", "chn", ""])
def test_identity_for_resident_id_is_chinese_with_birth_date_and_sex(
    nationality: str | None,
) -> None:
    identity = validate_identity("resident_id", MALE_ID, nationality, today=TODAY)
    assert identity == Identity(IdKind.resident_id, MALE_ID, "CHN", date(1990, 5, 6), Sex.male)


def test_identity_for_resident_id_with_foreign_nationality_is_refused() -> None:
    err = refusal(validate_identity, IdKind.resident_id, MALE_ID, "USA", today=TODAY)
    assert err.code == "nationality"


def test_identity_for_foreign_permanent_id_keeps_nationality_and_has_no_birth_date() -> None:
    identity = validate_identity(IdKind.foreign_permanent_id, FOREIGN_ID, "deu", today=TODAY)
    assert identity == Identity(IdKind.foreign_permanent_id, FOREIGN_ID, "DEU")


def test_identity_for_foreign_permanent_id_without_nationality_is_refused() -> None:
    err = refusal(validate_identity, IdKind.foreign_permanent_id, FOREIGN_ID, None, today=TODAY)
    assert err.code == "nationality"


def test_identity_for_passport_is_normalised() -> None:
    identity = validate_identity("passport", "x9876543", "jpn", today=TODAY)
    assert identity == Identity(IdKind.passport, "X9876543", "JPN", None, None)


def test_identity_errors_of_the_underlying_validator_pass_through() -> None:
    err = refusal(validate_identity, "resident_id", wrong_check(MALE_ID), None, today=TODAY)
    assert err.code == "checksum"


def test_identity_of_unknown_kind_is_refused() -> None:
    assert refusal(validate_identity, "driver_licence", "X", None, today=TODAY).code == "kind"


# --- masking -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("440523199005061234", "4405**********1234"),
        ("E12345678", "E1*****78"),
        ("E1234567", "E1****67"),
        ("AB123", "A***3"),
        ("ABCD", "A**D"),
        ("ABC", "***"),
        ("", ""),
    ],
)
def test_mask_id_keeps_at_most_four_each_end_and_hides_at_least_half(
    number: str, masked: str
) -> None:
    assert mask_id(number) == masked


@pytest.mark.parametrize("length", range(21))
def test_mask_id_never_shows_more_than_half(length: int) -> None:
    masked = mask_id("A" * length)
    assert len(masked) == length
    assert masked.count("*") * 2 >= length


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张**"),
        ("李四", "李*"),
        ("欧阳娜娜", "欧***"),
        ("阿依古丽·买买提", "阿*******"),
        ("王", "王"),
        ("John Smith", "J*** S****"),
        ("  John   Smith ", "J*** S****"),
        ("Jean-Luc Picard", "J******* P*****"),
        ("", ""),
    ],
)
def test_mask_name_keeps_chinese_surname_or_latin_initials(name: str, masked: str) -> None:
    assert mask_name(name) == masked


# --- region codes and generators ---------------------------------------------------------------


def guangdong_prefixes() -> list[str]:
    source = resources.files("talent_service.reference").joinpath("guangdong_cities.csv")
    with source.open(encoding="utf-8") as handle:
        return [row["code"][:4] for row in csv.DictReader(handle)]


def test_known_region_codes_for_shantou_follow_the_2003_reorganisation() -> None:
    before = known_region_codes_for("4405", 1995)
    after = known_region_codes_for("4405", 2020)
    assert "440508" in before and "440508" not in after  # 金园区 abolished in 2003
    assert "440513" in after and "440513" not in before  # 潮阳区 created in 2003
    assert "440500" not in after and "440501" not in after  # the city and its 市辖区 grouping


def test_known_region_codes_for_city_without_counties_is_the_city_code() -> None:
    assert known_region_codes_for("4419", 2020) == ["441900"]  # Dongguan
    assert known_region_codes_for("4419", 1980) == []  # before it became a prefecture city


def test_every_guangdong_city_has_region_codes_today() -> None:
    prefixes = guangdong_prefixes()
    assert len(prefixes) == 21
    for prefix in prefixes:
        codes = known_region_codes_for(prefix, 2020)
        assert codes and all(code.startswith(prefix) and len(code) == 6 for code in codes)


@pytest.mark.parametrize("prefix", ["440", "44055", "44a5"])
def test_known_region_codes_for_refuses_a_malformed_prefix(prefix: str) -> None:
    assert refusal(known_region_codes_for, prefix, 2000).code == "format"


def test_synthetic_resident_ids_are_accepted_by_stdnum_and_our_validator() -> None:
    rng = random.Random(20250601)
    prefixes = guangdong_prefixes()
    made = 0
    while made < 1000:
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
        codes = known_region_codes_for(rng.choice(prefixes), birth.year)
        if not codes:  # e.g. Dongguan before 1988
            continue
        sex = rng.choice([Sex.male, Sex.female])
        number = synthetic_resident_id(rng, rng.choice(codes), birth, sex)
        assert ric.validate(number) == number
        assert validate_resident_id(number, today=TODAY) == ResidentId(number, birth, sex)
        made += 1


def test_synthetic_resident_id_refuses_a_region_unknown_in_the_birth_year() -> None:
    # Shantou 龙湖区 (440507) exists from 1991.
    err = refusal(synthetic_resident_id, random.Random(1), "440507", date(1990, 1, 1), Sex.male)
    assert err.code == "region"


def test_synthetic_generators_are_deterministic_for_a_seed() -> None:
    def batch(seed: int) -> list[str]:
        rng = random.Random(seed)
        return [
            synthetic_resident_id(rng, "440523", date(1990, 5, 6), Sex.female),
            synthetic_uscc(rng, "440300"),
            synthetic_foreign_permanent_id(rng),
        ]

    assert batch(7) == batch(7)
    assert batch(7) != batch(8)


def gb11714_check(body8: str) -> str:
    """Organisation code check, written out here independently of the module under test."""
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    values = [ord(c) - ord("0") if c.isdigit() else ord(c) - ord("A") + 10 for c in body8]
    remainder = 11 - sum(v * w for v, w in zip(values, weights, strict=True)) % 11
    return "X" if remainder == 10 else "0" if remainder == 11 else str(remainder)


def test_gb11714_reference_check_matches_a_real_code() -> None:
    assert gb11714_check(VALID_USCC[8:16]) == VALID_USCC[16]


def test_synthetic_usccs_are_accepted_by_stdnum_and_carry_a_valid_organisation_code() -> None:
    rng = random.Random(11714)
    for _ in range(1000):
        region = rng.choice(["440300", "440106", "440507", "445202"])
        code = synthetic_uscc(rng, region)
        assert uscc.validate(code) == code
        assert validate_uscc(code) == code
        assert code.startswith("91" + region)
        assert gb11714_check(code[8:16]) == code[16]


def test_synthetic_uscc_refuses_a_malformed_region_code() -> None:
    assert refusal(synthetic_uscc, random.Random(1), "4403").code == "format"


def test_synthetic_foreign_permanent_ids_pass_our_validator_and_stdnum_check_digit() -> None:
    rng = random.Random(202312)
    for _ in range(1000):
        number = synthetic_foreign_permanent_id(rng)
        assert validate_foreign_permanent_id(number) == number
        assert number.startswith("9")
        assert ric.calc_check_digit(number) == number[-1]
