"""Numbers in files written the Danish way (1.234,5) or the English way (1,234.5), read column by column.

One cell cannot always say which way it is written: "12.000" is twelve thousand to a Danish reader and twelve
to an English one. So the way is decided per column from all its values ("3,6" or "1.234.567" settles Danish,
"1,234.5" or "3.6" English) and a value that could be read both ways, in a column that does not settle it, is
refused, unless the import is told the way (`number_locale: da|en` in the mapping file, on the upload page or
the command line). One way's rules are core.formats.parse_number's: the decimal mark once, the other mark only
between groups of three digits. Cells that are numbers already (Excel, GeoPackage) are taken as they are.
"""

import re
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# locale -> (decimal mark, thousands mark)
NUMBER_LOCALES = {"da": (",", "."), "en": (".", ",")}
NUMBER_LOCALE_LABELS = {"da": gettext_lazy("Danish, 1.234,5"), "en": gettext_lazy("English, 1,234.5")}

_given_locale: ContextVar[str] = ContextVar("number_locale", default="")


@contextmanager
def numbers_written_in(locale: str):
    """Read the numbers of the files parsed inside as `locale` ("da" or "en"); "" decides per column."""
    token = _given_locale.set(locale or "")
    try:
        yield
    finally:
        _given_locale.reset(token)


def _pattern(locale: str) -> str:
    decimal, thousands = (re.escape(mark) for mark in NUMBER_LOCALES[locale])
    return rf"[-+]?(?:\d+|\d{{1,3}}(?:{thousands}\d{{3}})+)?(?:{decimal}\d*)?(?:[eE][-+]?\d+)?"  # 1e3, as scripts write


def _settled(fits: dict[str, pd.Series]) -> str:
    """The one way the column's values show, or "" when they show neither or both."""
    only = [locale for locale, other in (("da", "en"), ("en", "da")) if (fits[locale] & ~fits[other]).any()]
    return only[0] if len(only) == 1 else ""


def read_numbers(series: pd.Series, blank: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The column's values as floats (NaN where blank or unreadable) and one error message (or None) per row."""
    errors = pd.Series([None] * len(series), index=series.index, dtype=object)
    typed = series.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool)) & ~blank
    values = pd.Series(np.nan, index=series.index, dtype=float)
    values[typed] = series[typed].astype(float)
    written = ~blank & ~typed
    text = series.where(written, "").astype(str).str.strip().str.replace(r"[\s\u00a0\u202f']", "", regex=True)
    text = text.str.replace("\u2212", "-", regex=False)
    has_digit = text.str.contains(r"\d")
    fits = {loc: text.str.fullmatch(_pattern(loc)).fillna(False) & has_digit & written for loc in NUMBER_LOCALES}
    two_ways = fits["da"] & fits["en"] & text.str.contains(r"[.,]")
    given = _given_locale.get()
    locale = given or _settled(fits)
    chosen = pd.Series("", index=series.index, dtype=object)
    for loc in NUMBER_LOCALES:
        chosen[fits[loc] & (loc == locale if locale else ~two_ways)] = loc
    for loc, (decimal, thousands) in NUMBER_LOCALES.items():
        rows = chosen == loc
        plain = text[rows].str.replace(thousands, "", regex=False).str.replace(decimal, ".", regex=False)
        values[rows] = pd.to_numeric(plain, errors="coerce")
    for index in series.index[(written & (chosen == "")).to_numpy()]:
        errors[index] = _why_not(series[index], two_ways[index], given, any(fits[loc][index] for loc in fits))
    return values, errors


def _why_not(value, two_ways: bool, given: str, fits_a_way: bool) -> str:
    if given and fits_a_way:
        return _("“%(value)s” is not a number in the format given for this import (%(format)s).") % {
            "value": value,
            "format": NUMBER_LOCALE_LABELS[given],
        }
    if two_ways:
        return _(
            "“%(value)s” can be read two ways (Danish or English number format) and the column's other values do "
            "not settle which. Give number_locale: da or en in the mapping file, or choose the number format "
            "when you import."
        ) % {"value": value}
    return _("“%(value)s” is not a number.") % {"value": value}
