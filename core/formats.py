"""Numbers, money, tonnes and dates as the current language writes them, and numbers read the same way.

One place for the dashboard, the drill-down tables, the PDF, the workbook and the admin:

    number(12345.6)        "12.346"              "12,346"
    tonnes(12345)          "12.345 t CO2e/år"    "12,345 t CO2e/yr"
    money(27700000)        "27.700.000 kr."      "DKK 27,700,000"
    date("2026-12-03")     "3. december 2026"    "3 December 2026"
    short_date(...)        "03-12-2026"          "2026-12-03"
    parse_number("1.234,5")  Decimal("1234.5") in Danish; "1.5" is refused there (see parse_number)

Separators and date formats are Django's per language (config/formats/ adjusts them).
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.formats import number_format as _number_format
from django.utils.translation import gettext as _

DASH = "–"


def number(value, decimals: int = 0, *, trim: bool = False) -> str:
    """`value` grouped in thousands, with `decimals` decimals (fewer when `trim` and they are zeros)."""
    if value is None or value == "":
        return DASH
    value = Decimal(str(value))
    if trim:
        decimals = min(decimals, max(0, -value.normalize().as_tuple().exponent))
    return _number_format(round(value, decimals), decimals, force_grouping=True)


def tonnes(value, decimals: int = 0) -> str:
    """ "12.345 t CO2e/år"; decimals only where the value has them (up to `decimals`)."""
    return f"{number(value, decimals, trim=True)} {_('t CO2e/yr')}"


def money(value) -> str:
    """Whole kroner: "27.700.000 kr." in Danish, "DKK 27,700,000" in English."""
    return _("DKK %(amount)s") % {"amount": number(value)}


def percent(share, decimals: int = 0) -> str:
    """A share (0.42) as "42 %"."""
    return DASH if share is None else f"{number(Decimal(str(share)) * 100, decimals)} %"


def _as_date(value):
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value) if "T" in value or " " in value else dt.date.fromisoformat(value)
    return value


def date(value) -> str:
    """A date (or an ISO date string) written out: "3. december 2026", "3 December 2026"."""
    return DASH if not value else date_format(_as_date(value), "DATE_FORMAT")


def short_date(value) -> str:
    """A date in digits: "03-12-2026" in Danish, "2026-12-03" in English."""
    return DASH if not value else date_format(_as_date(value), "SHORT_DATE_FORMAT")


def datetime(value) -> str:
    """A moment in local time: "3. december 2026 16:46"."""
    if not value:
        return DASH
    value = _as_date(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "DATETIME_FORMAT")


class NumberFormatError(ValueError):
    """Text that is not a number as the current language writes numbers; the message says the rule."""


def number_rule() -> str:
    """The rule numbers are read by, in the current language, with an example."""
    decimal, thousands = get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR")
    return _(
        "Write decimals after “%(decimal)s” and group thousands with “%(thousands)s” or nothing, e.g. %(example)s."
    ) % {"decimal": decimal, "thousands": thousands, "example": f"1{thousands}234{decimal}5"}


def _refuse(message: str):
    raise NumberFormatError(f"{message} {number_rule()}")


def parse_number(text) -> Decimal:
    """Read a number as the current language writes it; refuse what could be read two ways.

    The decimal mark is the language's (Danish ",", English "."), and the other mark (Danish ".", English ",")
    or a space only groups thousands: each group after it has exactly three digits. So in Danish "850,5" is
    850.5, "105.000" is 105000 and "1.234,5" is 1234.5, while "1.5" or "1.2345" is refused: a Danish reader
    cannot tell whether the dot was meant as a decimal mark.
    """
    raw = str(text).strip()
    decimal, thousands = get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR")
    s = raw.replace("\u00a0", " ").replace("\u202f", " ")
    sign = ""
    if s[:1] in ("-", "+", "\u2212"):
        sign, s = ("" if s[0] == "+" else "-"), s[1:].strip()
    whole, _sep, fraction = s.partition(decimal)
    if not re.fullmatch(r"\d*", fraction) or not (whole or fraction):
        _refuse(_("“%(value)s” is not a number.") % {"value": raw})
    groups = re.split(f"[ {re.escape(thousands)}]", whole)
    if not all(re.fullmatch(r"\d*", g) for g in groups):
        _refuse(_("“%(value)s” is not a number.") % {"value": raw})
    if len(groups) > 1 and not (
        re.fullmatch(r"\d{1,3}", groups[0]) and all(re.fullmatch(r"\d{3}", g) for g in groups[1:])
    ):
        _refuse(
            _("“%(value)s” is ambiguous: “%(thousands)s” separates thousands and is followed by three digits.")
            % {"value": raw, "thousands": thousands}
        )
    digits = "".join(groups) or "0"
    try:
        return Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")
    except InvalidOperation:  # pragma: no cover - the patterns above let only digits through
        _refuse(_("“%(value)s” is not a number.") % {"value": raw})
