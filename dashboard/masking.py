"""Personal data in free text, masked: the one function every surface uses.

Subjects, descriptions and survey comments may hold what a customer typed: a phone
number, an e-mail address, a Chinese resident ID-card number, a bank-card number. The
page, the CLI and the exports all pass free text through :func:`mask_text` (or
:func:`mask_frame`), so a value hidden in one place is hidden everywhere. Masking is on by
default; the setting ``mask_personal_data`` (``CXDASH_MASK_PERSONAL_DATA=false``) turns it
off (roles that may see the data come in a later issue).

What is found, on a copy of the text where full-width characters (``１３８``, ``＠``,
``－``) are read as their ASCII forms, so the positions still match the original:

- e-mail addresses -> first character, ``***``, the domain: ``z***@example.com``;
- Chinese ID-card numbers (18 characters: 17 digits and a digit or X, with a valid check
  digit and birth date; spaces or dashes between groups allowed) -> first 3 and last 4
  kept: ``110***********1234``; the first-generation 15-digit cards (issued until 2004,
  still seen in old records: a province code, a 19YYMMDD birth date written YYMMDD, a
  3-digit sequence, no check digit) the same way: ``110********3002``;
- bank-card numbers (13-19 digits, spaces or dashes allowed, passing the Luhn check) ->
  first 4 and last 4 kept: ``6222 **** **** ***0 123``-style, separators kept;
- phone numbers: Chinese mobile and landline, and international numbers with a country
  code, found by Google's ``phonenumbers`` (leniency VALID, default region CN) -> the
  country code and the first 3 and last 4 digits of the rest kept: ``138****5678``,
  ``+86 138-****-5678``, ``010-****5678``.

What is left alone: a digit run glued to letters (ticket ids like ``T00276418``), amounts
with decimals or thousands separators (``13,800.00``), dates, and numbers no rule above
accepts (an 11-digit number that is not a valid phone number, a 16-digit number failing
the Luhn check).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import phonenumbers
import polars as pl
from phonenumbers import Leniency, PhoneNumberMatcher

# Numbers written without a country code are read as Chinese first, then as British
# national numbers (0161 496 0754, 07700 900123: the English demo's customers write their
# number as they know it). Not US: "12345678901" would read as 1-234-567-8901.
PHONE_REGIONS = ("CN", "GB")
# The text columns of tickets and surveys that hold what people typed.
FREE_TEXT_COLUMNS = ("subject", "description", "comment")

_BLOCK = "\x00"  # marks a found span so later rules do not find it again
# Full-width digits, letters and the characters numbers and addresses are written with
# (＋ － （ ） ． ＠ ＿, the ideographic space) read as ASCII. Not the full-width comma or
# other punctuation: "5888 1234，010-6552 8899" would read as a grouped amount "1234,010".
_FULLWIDTH = ({cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                          *range(0xFF41, 0xFF5B))}
              | {ord(c): ord(c) - 0xFEE0 for c in "＋－（）．＠＿"} | {0x3000: 0x20})

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
# 13-19 digits, single spaces or dashes between them, an optional final X (ID cards);
# not glued to letters or digits, and not the whole part of a decimal or grouped amount.
_DIGIT_RUN = re.compile(
    r"(?<![A-Za-z0-9])(?<!\d[.,])(\d(?:[ \-]?\d){12,18}(?:[Xx])?)(?![A-Za-z0-9])(?![.,]\d)")
_AMOUNT_BEFORE = re.compile(r"\d[.,]$")
_AMOUNT_AFTER = re.compile(r"[.,]\d")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _setting_enabled() -> bool:
    from dashboard.settings import get_settings

    return bool(getattr(get_settings(), "mask_personal_data", True))


def is_china_id_number(digits: str) -> bool:
    """An 18-character resident ID number: valid birth date and check character."""
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    try:
        born = date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return False
    if born.year < 1900:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == digits[17].upper()


# GB/T 2260 province-level codes: the first two digits of every resident ID number.
_PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42,
                        43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82})


def is_china_id_number_15(digits: str) -> bool:
    """A first-generation (15-digit) resident ID number: a province code, then after the
    6-digit area code a valid birth date YYMMDD of the 1900s, then a 3-digit sequence.
    These numbers have no check digit, so the province and date are all there is to test."""
    if len(digits) != 15 or not digits.isdigit() or int(digits[:2]) not in _PROVINCES:
        return False
    try:
        date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    except ValueError:
        return False
    return True


def passes_luhn(digits: str) -> bool:
    """The Luhn check every payment-card number passes."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _is_phone(digits: str) -> bool:
    """Whether a digit run is a valid phone number (with or without its country code)."""
    for candidate, region in ((digits, "CN"), ("+" + digits, None)):
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(candidate, region)):
                return True
        except phonenumbers.NumberParseException:
            pass
    return False


def _mask_digits(original: str, keep_first: int, keep_last: int) -> str:
    """Replace the digits of `original` by '*' except the first/last few; separators stay."""
    positions = [i for i, ch in enumerate(original) if ch.translate(_FULLWIDTH).isdigit()
                 or ch in "Xx"]
    masked = set(positions[keep_first:len(positions) - keep_last] if keep_last else
                 positions[keep_first:])
    return "".join("*" if i in masked else ch for i, ch in enumerate(original))


def _phone_replacement(original: str, match: phonenumbers.PhoneNumberMatch) -> str:
    digits = sum(ch.translate(_FULLWIDTH).isdigit() for ch in original)
    national = len(str(match.number.national_number))
    raw = match.raw_string.translate(_FULLWIDTH).lstrip()
    # a written country code (+86 / 0086) is kept; so are the trunk '0' of a landline
    prefix = digits - national if raw.startswith(("+", "00")) else 0
    keep_last = 4 if national >= 7 else 2
    keep_first = prefix + (3 if national >= 9 else 2)
    return _mask_digits(original, keep_first, keep_last)


def mask_text(text: str | None, enabled: bool | None = None) -> str | None:
    """`text` with phone numbers, e-mails, ID-card and bank-card numbers masked.

    enabled: None = the setting `mask_personal_data` (default true); False returns the
    text unchanged. None and empty text come back as they are. The result has the same
    characters as the input except the masked ones (an e-mail's local part becomes
    its first character and ``***``).
    """
    if text is None or text == "" or not isinstance(text, str):
        return text
    if enabled is None:
        enabled = _setting_enabled()
    if not enabled:
        return text
    norm = text.translate(_FULLWIDTH)
    found: list[tuple[int, int, str]] = []

    def block(start: int, end: int, replacement: str) -> None:
        nonlocal norm
        found.append((start, end, replacement))
        norm = norm[:start] + _BLOCK * (end - start) + norm[end:]

    for m in list(_EMAIL.finditer(norm)):
        local = text[m.start(1):m.end(1)]
        block(m.start(), m.end(), f"{local[:1]}***@{text[m.start(2):m.end(2)]}")
    for m in list(_DIGIT_RUN.finditer(norm)):
        digits = re.sub(r"[ \-]", "", m.group(1))
        span = text[m.start(1):m.end(1)]
        if is_china_id_number(digits) or is_china_id_number_15(digits):
            block(m.start(1), m.end(1), _mask_digits(span, 3, 4))
        elif (digits.isdigit() and 13 <= len(digits) <= 19 and passes_luhn(digits)
              and not norm[:m.start(1)].endswith("+") and not _is_phone(digits)):
            block(m.start(1), m.end(1), _mask_digits(span, 4, 4))
    for region in PHONE_REGIONS:
        # each region reads what the previous ones left (found spans are blocked out)
        for match in list(PhoneNumberMatcher(norm, region, leniency=Leniency.VALID)):
            if (_AMOUNT_BEFORE.search(norm[:match.start])
                    or _AMOUNT_AFTER.match(norm[match.end:])):
                continue  # 13812345678.50 is an amount, not a phone number
            span = text[match.start:match.end]
            block(match.start, match.end, _phone_replacement(span, match))

    if not found:
        return text
    out, pos = [], 0
    for start, end, replacement in sorted(found):
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def mask_frame(frame: pl.DataFrame, enabled: bool | None = None,
               columns: Iterable[str] = FREE_TEXT_COLUMNS) -> pl.DataFrame:
    """The frame with its free-text columns (those of `columns` it has) masked."""
    if enabled is None:
        enabled = _setting_enabled()
    present = [c for c in columns if c in frame.columns]
    if not enabled or not present or frame.height == 0:
        return frame
    return frame.with_columns(
        pl.col(c).map_elements(lambda v: mask_text(v, True), return_dtype=pl.String)
        for c in present
    )


def mask_record(record: dict, enabled: bool | None = None,
                columns: Iterable[str] = FREE_TEXT_COLUMNS) -> dict:
    """A dict (one ticket or survey) with its free-text values masked."""
    if enabled is None:
        enabled = _setting_enabled()
    if not enabled:
        return record
    return {k: (mask_text(v, True) if k in columns else v) for k, v in record.items()}
