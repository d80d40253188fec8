"""Personal data in free text is masked by one function (dashboard.masking), on by default."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard.masking import is_china_id_number, mask_frame, mask_record, mask_text, passes_luhn
from dashboard.settings import get_settings


def m(text: str) -> str:
    return mask_text(text, True)


@pytest.mark.parametrize(("text", "expected"), [
    # mobile inside Chinese text: first 3 and last 4 digits stay
    ("请致电13812345678谢谢", "请致电138****5678谢谢"),
    # with spaces and dashes: separators stay, digits go
    ("call 138 1234 5678 now", "call 138 **** 5678 now"),
    ("call 138-1234-5678", "call 138-****-5678"),
    # country code kept, then 3 + 4 of the national number
    ("+86 138-1234-5678", "+86 138-****-5678"),
    ("0086 138 1234 5678", "0086 138 **** 5678"),
    # Beijing landline with area code
    ("座机010-62345678", "座机010-****5678"),
    # an international (US) number
    ("tel +1 650-253-0000", "tel +1 650-***-0000"),
    # full-width digits are read like ASCII ones; the masked text keeps its own characters
    ("电话１３８１２３４５６７８", "电话１３８****５６７８"),
])
def test_phone_numbers_are_masked_wherever_they_sit_in_the_text(text, expected):
    assert m(text) == expected


def test_email_keeps_its_first_letter_and_domain():
    assert m("mail zhang.san@example.com please") == "mail z***@example.com please"
    # an address made of a phone number is an e-mail, not a phone
    assert m("13812345678@qq.com") == "1***@qq.com"
    # full-width @
    assert m("a.b＠example.com") == "a***@example.com"


def test_chinese_id_card_numbers_are_masked_but_only_with_a_valid_check_digit():
    # 11010519491231002X is the standard's worked example: weights give check digit X
    assert is_china_id_number("11010519491231002X")
    assert m("身份证11010519491231002X") == "身份证110***********002X"
    assert m("ID 110105 19491231 002X") == "ID 110*** ******** 002X"
    # the same digits with a wrong check character are not an ID (and fail Luhn): kept
    assert not is_china_id_number("110105194912310021")
    assert m("no 110105194912310021") == "no 110105194912310021"


def test_first_generation_15_digit_id_numbers_are_masked_when_province_and_date_hold():
    from dashboard.masking import is_china_id_number_15

    # 110105 (Beijing, Chaoyang) 491231 (born 31 Dec 1949) 002: the 18-digit example's
    # old form; it fails Luhn, so only the ID rule can hide it
    assert is_china_id_number_15("110105491231002")
    assert m("老身份证110105491231002") == "老身份证110********1002"
    assert m("ID 110105 491231 002") == "ID 110*** *****1 002"
    # no month 13, no 30 February, no province 99: not an ID number, left alone
    assert not is_china_id_number_15("110105491331002")
    assert not is_china_id_number_15("110105490230002")
    assert not is_china_id_number_15("990105491231002")
    assert m("ref 110105491331002") == "ref 110105491331002"
    assert m("ref 990105491231002") == "ref 990105491231002"


def test_bank_card_numbers_pass_luhn_and_keep_first_and_last_four():
    # 4111 1111 1111 1111 is the classic Luhn-valid test card
    assert passes_luhn("4111111111111111")
    assert m("card 4111 1111 1111 1111 thanks") == "card 4111 **** **** 1111 thanks"
    assert m("卡号6222021234567890128") == "卡号6222***********0128"
    # one digit off: not a card number, left alone
    assert not passes_luhn("4111111111111112")
    assert m("ref 4111111111111112") == "ref 4111111111111112"


@pytest.mark.parametrize("text", [
    "ticket T00276418 reopened",          # ticket id: digits glued to a letter
    "order T20240501123456",
    "refund 13,800.00 yuan",               # amounts with separators / decimals
    "amount 13812345678.50 CNY",           # 11 digits but an amount, not a phone
    "price 1234567890123456.00",
    "created 2024-05-01 10:00",            # dates and times
    "waited 45 minutes, 3 calls",
    "account 12345678901",                 # 11 digits, not a valid mobile (no 12x prefix)
])
def test_things_that_only_look_like_personal_numbers_stay(text):
    assert m(text) == text


def test_several_kinds_in_one_text_are_all_masked():
    text = "张三 13812345678, z@x.cn, 卡 4111-1111-1111-1111"
    assert m(text) == "张三 138****5678, z***@x.cn, 卡 4111-****-****-1111"


def test_masking_is_on_by_default_and_a_setting_turns_it_off(monkeypatch):
    assert get_settings().mask_personal_data is True
    assert mask_text("13812345678") == "138****5678"
    monkeypatch.setenv("CXDASH_MASK_PERSONAL_DATA", "false")
    get_settings.cache_clear()
    assert mask_text("13812345678") == "13812345678"
    assert mask_record({"subject": "13812345678"}) == {"subject": "13812345678"}


def test_empty_and_missing_text_come_back_as_they_are():
    assert mask_text(None, True) is None
    assert mask_text("", True) == ""


def test_a_frame_has_only_its_free_text_columns_masked():
    frame = pl.DataFrame({"ticket_id": ["13812345678"], "subject": ["13812345678"],
                          "comment": [None]})
    out = mask_frame(frame, True)
    # the id column is data, not free text: it is never touched
    assert out.row(0) == ("13812345678", "138****5678", None)


def test_numbers_separated_by_chinese_commas_are_each_masked():
    # the zh-CN demo writes "（021）5888 1234，010-…": the full-width comma was read as an
    # ASCII one, so "1234，010" looked like a grouped amount and nothing was masked
    text = "联系电话：(021) 5888 1234，010-6552 8899，139-0011-2233"
    assert m(text) == "联系电话：(021) **** 1234，010-**** 8899，139-****-2233"


def test_british_national_numbers_of_the_english_demo_are_masked():
    # "0161 496 0754" is not a Chinese number; read as a UK one it is valid: the trunk 0
    # and the first two digits of 161 kept, the last four kept
    assert m("Please call me back on 0161 496 0754.") == "Please call me back on 016* *** 0754."
    assert m("mobile 07700 900123") == "mobile 077** **0123"
