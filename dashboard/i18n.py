"""One translation layer for every user-facing text: pages, charts, CLI, report.

Strings are written in English in the code and marked for extraction:

- ``_("Overview")`` translates now, in the current language;
- ``N_("Tickets")`` only marks a string kept in a table (the registry, a dict of labels)
  that is translated later with ``_(value)``;
- ``ngettext("{n} ticket", "{n} tickets", n)`` for plurals.

Placeholders are named and filled after translation: ``_("{n} tickets").format(n=...)``.

Catalogs are gettext ``.po`` files under ``dashboard/locale/<locale>/LC_MESSAGES/`` kept
with Babel (``make catalogs`` extracts and updates them; see the README). They are read
with Babel at run time, so there is no compile step to forget. Numbers, percentages,
dates, ISO weeks and durations are formatted for the current locale with Babel.

The current language lives in a context variable: the app sets it at the start of each
script run (from the URL, the setting, or the browser), the CLI from ``--lang``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"

# Language tags as the URL and settings spell them -> Babel locale identifiers.
LANGUAGES: dict[str, str] = {"en": "en", "zh-CN": "zh_CN"}
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "zh-CN": "中文"}
DEFAULT_LANGUAGE = "en"
NA_REASON_SEP = ": "

_current: ContextVar[str] = ContextVar("cxdash_language", default=DEFAULT_LANGUAGE)


def normalise_language(tag: str | None) -> str | None:
    """'zh-CN', 'zh_CN', 'zh', 'zh-Hans-CN', 'EN-us' -> a supported tag, else None."""
    if not tag:
        return None
    text = tag.strip().replace("_", "-").lower()
    if text.startswith("zh"):
        return "zh-CN"
    if text.startswith("en"):
        return "en"
    return None


def set_language(tag: str | None) -> str:
    """Make `tag` the current language (unknown -> the default); returns the tag used."""
    lang = normalise_language(tag) or DEFAULT_LANGUAGE
    _current.set(lang)
    return lang


def get_language() -> str:
    return _current.get()


def babel_locale(lang: str | None = None) -> str:
    return LANGUAGES[lang or get_language()]


@cache
def _catalog(locale: str) -> dict[str, str | tuple[str, ...]]:
    """msgid -> translation of one locale's catalog (empty translations left out)."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    out: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
        if isinstance(message.string, (tuple, list)):
            if all(message.string):
                out[key] = tuple(message.string)
        elif message.string:
            out[key] = message.string
    return out


def gettext(message: str) -> str:
    """`message` in the current language (itself when untranslated or English)."""
    lang = get_language()
    if lang == DEFAULT_LANGUAGE:
        return message
    found = _catalog(LANGUAGES[lang]).get(message)
    if isinstance(found, tuple):
        return found[0]
    return found or message


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a string for extraction without translating it (translate later with _)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    lang = get_language()
    if lang != DEFAULT_LANGUAGE:
        found = _catalog(LANGUAGES[lang]).get(singular)
        if isinstance(found, tuple):
            return found[0]  # Chinese has one plural form
        if isinstance(found, str):
            return found
    return singular if n == 1 else plural


# --- locale formatting ---------------------------------------------------------------

NA = "n/a"


def na() -> str:
    """The word for an unknown value ("n/a" / "无数据")."""
    return _(NA)


def _is_missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | int | None, digits: int = 0, signed: bool = False) -> str:
    """1234.5 -> '1,234.5' (en and zh-CN group the same way); None -> n/a."""
    if _is_missing(value):
        return na()
    assert value is not None
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    value = round(value, digits) if digits > 0 else round(value)
    if signed and value != 0:  # a zero change has no sign
        pattern = f"+{pattern};-{pattern}"
    return format_decimal(abs(value) if value == 0 else value, format=pattern,
                          locale=babel_locale())


def format_percent_value(value: float | None, digits: int = 1, signed: bool = False) -> str:
    """A 0-100 percentage: 84.1 -> '84.1%'; signed changes are points: '+2.6 pts'."""
    if _is_missing(value):
        return na()
    assert value is not None
    if signed:
        return _("{value} pts").format(value=format_number(value, digits, signed=True))
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return format_percent(value / 100.0, format=pattern, locale=babel_locale())


def format_date(value: date | datetime | None, style: str = "medium") -> str:
    """A date for the locale: '20 Nov 2026' / '2026年11月20日' (style 'long' in zh)."""
    if value is None:
        return na()
    if isinstance(value, datetime):
        value = value.date()
    locale = babel_locale()
    if locale == "zh_CN" and style == "medium":
        style = "long"  # 2026年11月20日 reads better than 2026-11-20 in a sentence
    if locale == "en" and style == "medium":
        style = "d MMM y"  # 20 Nov 2026, as the app has always written dates
    return _babel_date(value, format=style, locale=locale)


def format_datetime(value: datetime | None) -> str:
    """'20 Nov 2026 14:05' / '2026年11月20日 14:05'."""
    if value is None:
        return na()
    if babel_locale() == "zh_CN":
        return _babel_datetime(value, format="y年M月d日 HH:mm", locale="zh_CN")
    return _babel_datetime(value, format="d MMM y HH:mm", locale="en")


def format_week(value: date | datetime | str | None) -> str:
    """The ISO week of a date (or 'YYYY-Www'): '2026-W47' / '2026年第47周'."""
    if value is None:
        return na()
    if isinstance(value, str):
        year, week = int(value[:4]), int(value.split("W")[-1])
    else:
        if isinstance(value, datetime):
            value = value.date()
        year, week, _day = value.isocalendar()
    if get_language() == "zh-CN":
        return f"{year}年第{week}周"
    return f"{year}-W{week:02d}"


# Units of a duration (days, hours, minutes). Chinese writes minutes 分钟: a bare 分 reads
# as a score ("30 分" = 30 points), and CSAT/NPS are scores on the same pages.
DURATION_UNITS: dict[str, tuple[str, str, str]] = {
    "en": ("d", "h", "min"),
    "zh-CN": ("天", "小时", "分钟"),
}


def format_duration_minutes(minutes: float | None) -> str:
    """Minutes as a reader says them: '45 min', '3 h 20 min', '2 d 4 h' / '3 小时 20 分钟'."""
    if _is_missing(minutes):
        return na()
    assert minutes is not None
    total = round(minutes)
    negative = total < 0
    total = abs(total)
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    units = DURATION_UNITS[get_language()]
    parts: list[str] = []
    if days:
        parts.append(f"{days:,} {units[0]}")
        if hours:
            parts.append(f"{hours} {units[1]}")
    elif hours:
        parts.append(f"{hours} {units[1]}")
        if mins:
            parts.append(f"{mins} {units[2]}")
    else:
        parts.append(f"{mins} {units[2]}")
    text = " ".join(parts)
    return f"-{text}" if negative else text


def language_display_name(tag: str) -> str:
    return LANGUAGE_NAMES.get(tag) or Locale.parse(LANGUAGES.get(tag, tag)).display_name or tag


# --- values: the product's own words vs. the data's ---------------------------------------

# The fixed vocabularies the product defines (spec/extracts.md; the loader accepts exactly
# these codes, dashboard/load/kinds.py) -> their words, translated for display. Every other
# value -- channel, region, branch, category, segment -- is data: shown as stored, never
# translated (a Chinese warehouse stores Chinese names, an English one English names).
VOCABULARIES: dict[str, dict[str, str]] = {
    "type": {"complaint": N_("Complaint"), "inquiry": N_("Inquiry"),
             "suggestion": N_("Suggestion"), "praise": N_("Praise")},
    "priority": {"urgent": N_("Urgent"), "high": N_("High"), "normal": N_("Normal"),
                 "low": N_("Low")},
    "status": {"open": N_("Open"), "in_progress": N_("In progress"),
               "resolved": N_("Resolved"), "closed": N_("Closed")},
    "sla_state": {"met": N_("Met"), "breached": N_("Breached"), "pending": N_("Pending")},
}


# dimensions stored lower-cased whose values the UI shows capitalised (extracts.md)
CAPITALISED = frozenset({"channel"})


def value_label(dimension: str, value: object) -> str:
    """How one value of `dimension` is shown, in tables, options and axes alike.

    A product vocabulary's code gets its word in the current language ('urgent' -> 'Urgent'
    / '紧急'); a channel, stored lower-cased, is shown capitalised ('app' -> 'App',
    'branch counter' -> 'Branch counter': extracts.md "the UI shows them capitalised");
    any other data value is returned as stored; a missing value reads 'unknown'.
    """
    if value is None:
        return _("unknown")
    text = str(value)
    word = VOCABULARIES.get(dimension, {}).get(text.strip().lower())
    if word:
        return _(word)
    if dimension in CAPITALISED:
        return text[:1].upper() + text[1:]
    return text


def list_text(items: Iterable[str]) -> str:
    """Words as a list in running text: 'Reopen count, Escalated' / '重开次数、是否升级'."""
    separator = "、" if get_language() == "zh-CN" else ", "
    return separator.join(items)


def format_values(dimension: str, values: Iterable[object]) -> str:
    """Several values of one dimension as a list: 'Urgent, High' / '紧急、高'."""
    return list_text(value_label(dimension, v) for v in values)


# Chinese sets a value apart with corner brackets: they exist only in CJK fonts, so they
# draw full width next to Latin text in any font stack (curly quotes come from the Latin
# font and squeeze against the Han characters), and they do not look like the “quotes”
# the app puts around free text a customer wrote.
VALUE_QUOTES: dict[str, tuple[str, str]] = {"zh-CN": ("「", "」")}


def quote_value(value: object) -> str:
    """A value set inside running text: 「app」, 「北京朝阳支行」 in Chinese; 'app' as it is
    in English, where the spaces around a word already set it apart."""
    text = str(value)
    marks = VALUE_QUOTES.get(get_language())
    return f"{marks[0]}{text}{marks[1]}" if marks else text


def named_value(label: str, value: object) -> str:
    """A dimension and one of its values inside running text: 'region Coast' /
    '区域「Coast」' -- so that "区域 Coast的渠道 app" reads "区域「Coast」的渠道「app」".
    `label` is the dimension's translated label; `value` what value_label gives."""
    if get_language() in VALUE_QUOTES:
        return f"{label}{quote_value(value)}"
    return f"{label} {value}"


# --- charts ----------------------------------------------------------------------------

# Plotly writes dates with English month names ("Sep 2026") whatever the page's language, and
# this Streamlit registers no plotly.js locale; Chinese date axes get explicit d3 formats.
_DAY_MS = 86_400_000
ZH_DATE_TICKFORMATSTOPS: tuple[dict, ...] = (
    {"dtickrange": [None, _DAY_MS], "value": "%-m月%-d日 %H:%M"},
    {"dtickrange": [_DAY_MS, 20 * _DAY_MS], "value": "%-m月%-d日\n%Y年"},
    {"dtickrange": ["M1", "M11"], "value": "%Y年%-m月"},
    {"dtickrange": ["M12", None], "value": "%Y年"},
)
ZH_HOVER_DATE = "%Y年%-m月%-d日"


def plotly_date_format() -> str:
    """The d3 format of a date in hover text: '%d %b %Y' / '%Y年%-m月%-d日'.

    Use it in a hovertemplate: ``"%{x|" + plotly_date_format() + "}"``.
    """
    return ZH_HOVER_DATE if get_language() == "zh-CN" else "%d %b %Y"


def _is_dates(values: object) -> bool:
    if values is None:
        return False
    try:
        first = next(iter(values), None)  # type: ignore[call-overload]
    except TypeError:
        return False
    if isinstance(first, (date, datetime)):
        return True
    kind = getattr(getattr(values, "dtype", None), "kind", "")
    if kind == "M":
        return True
    return isinstance(first, str) and len(first) >= 10 and first[4] == "-" and first[7] == "-" \
        and first[:4].isdigit()


def localise_figure(fig):  # noqa: ANN001, ANN201 - a plotly Figure in, the same out
    """Make a plotly figure read in the current language where plotly itself cannot.

    In zh-CN: every axis that shows dates gets Chinese tick formats (2026年9月, 9月14日) and
    the number separators are set explicitly; in English the figure is returned unchanged.
    Call it on a figure before showing or exporting it (chart modules call it in their
    common layout helper). Returns the figure, changed in place.
    """
    if get_language() != "zh-CN":
        return fig
    fig.update_layout(separators=".,")
    date_axes: set[str] = set()
    for trace in fig.data:
        for letter in ("x", "y"):
            if _is_dates(getattr(trace, letter, None)):
                ref = getattr(trace, f"{letter}axis", None) or letter
                date_axes.add(ref.replace(letter, f"{letter}axis", 1))
    layout = fig.layout.to_plotly_json()
    for name in sorted(date_axes):
        if (layout.get(name) or {}).get("tickformat"):
            continue  # the chart chose its own format
        fig.update_layout({name: {"tickformatstops": list(ZH_DATE_TICKFORMATSTOPS)}})
    return fig
