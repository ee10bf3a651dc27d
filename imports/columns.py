"""Matching a file's columns to our fields, and parsing their values column by column.

Headers are compared in a normalised form (lower case, æ/ø/å spelt out, punctuation as
underscores), so "Kapacitet (kW)" and "kapacitet_kw" are the same column. A mapping file
(YAML) can name columns, translate values and give defaults where automatic matching
is not enough. Parsers work on whole columns (pandas), not row by row, and return the
parsed values with one error message (or None) per row.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.validators import normalise_cvr, validate_cvr

from .errors import FileRefused
from .numbers import NUMBER_LOCALES, read_numbers

TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def normalise(text) -> str:
    """'Kapacitet (kW)' -> 'kapacitet_kw'; 'Møllenummer' -> 'moellenummer'."""
    text = str(text).strip().lower().translate(TRANSLITERATE)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


Parsed = tuple[pd.Series, pd.Series]  # values, error message per row (None where fine)


def _no_errors(index) -> pd.Series:
    return pd.Series([None] * len(index), index=index, dtype=object)


def is_blank(series: pd.Series) -> pd.Series:
    return series.isna() | series.astype(str).str.strip().isin(["", "nan", "NaN", "None", "NaT"])


def parse_text(max_length: int) -> Callable[[pd.Series], Parsed]:
    def parse(series: pd.Series) -> Parsed:
        blank = is_blank(series)
        if pd.api.types.is_numeric_dtype(series):
            # Spreadsheets turn ids into floats: 12345.0 is the id 12345.
            values = series.map(lambda v: "" if pd.isna(v) else str(int(v)) if float(v).is_integer() else str(v))
        else:
            values = series.astype(str).str.strip().where(~blank, "")
            values = (
                values.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
                if series.dtype == object and series.map(type).eq(float).any()
                else values
            )
        errors = _no_errors(series.index)
        too_long = values.str.len() > max_length
        errors[too_long] = _("The text is longer than %(max)s characters.") % {"max": max_length}
        return values, errors

    return parse


def parse_number_series(series: pd.Series) -> Parsed:
    """Numbers as people type them, the Danish or the English way, decided per column (see imports.numbers)."""
    if pd.api.types.is_numeric_dtype(series):
        return series.astype(float), _no_errors(series.index)
    return read_numbers(series, is_blank(series))


def parse_decimal(
    places: int, max_digits: int, scale: float = 1.0, negative_message: str | None = None, allow_negative: bool = False
) -> Callable[[pd.Series], Parsed]:
    def parse(series: pd.Series, scale: float = scale) -> Parsed:
        values, errors = parse_number_series(series)
        values = (values * scale).round(places)
        negative = (values < 0) & (not allow_negative)
        errors[negative & errors.isna()] = negative_message or _("The value cannot be negative.")
        too_big = values.abs() >= 10 ** (max_digits - places)
        errors[too_big & errors.isna()] = _("The value is too large.")
        return values, errors

    return parse


def parse_year(minimum: int, maximum: int) -> Callable[[pd.Series], Parsed]:
    """A year, or the year of a date (a commissioning date in a register)."""

    def parse(series: pd.Series) -> Parsed:
        dates, errors = by_unique_value(series, lambda s: parse_date_series(s, years_allowed=True))
        years = pd.Series([d.year if d is not None else None for d in dates], index=series.index, dtype=object)
        out_of_range = years.map(lambda y: y is not None and not minimum <= y <= maximum) & errors.isna()
        errors[out_of_range] = [
            _("The year must be between %(min)s and %(max)s; got %(value)s.")
            % {"min": minimum, "max": maximum, "value": y}
            for y in years[out_of_range]
        ]
        return years, errors

    return parse


def by_unique_value(series: pd.Series, parse: Callable[[pd.Series], Parsed]) -> Parsed:
    """Parse each distinct value once: a register's 100,000 rows hold a few hundred distinct years or types."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values, errors = parse(pd.Series(uniques, dtype=object))
    if not len(uniques):
        empty = pd.Series([None] * len(series), index=series.index, dtype=object)
        return empty, empty.copy()
    missing = codes < 0
    safe = np.where(missing, 0, codes)
    picked_values = np.where(missing, None, values.to_numpy(dtype=object)[safe])
    picked_errors = np.where(missing, None, errors.to_numpy(dtype=object)[safe])
    return (
        pd.Series(picked_values, index=series.index, dtype=object),
        pd.Series(picked_errors, index=series.index, dtype=object),
    )


DATE_FORMATS = (
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%d-%m-%Y %H:%M:%S",
)


def _one_date(value, years_allowed: bool):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float, np.integer, np.floating)) and years_allowed and float(value).is_integer():
        return date(int(value), 1, 1)
    text = str(value).strip()
    if years_allowed and re.fullmatch(r"\d{4}(\.0)?", text):
        return date(int(text[:4]), 1, 1)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_date_series(series: pd.Series, years_allowed: bool = False) -> Parsed:
    errors = _no_errors(series.index)
    blank = is_blank(series)
    parsed = []
    for index, value, empty in zip(series.index, series.to_numpy(), blank.to_numpy()):
        if empty:
            parsed.append(None)
            continue
        try:
            parsed.append(_one_date(value.to_pydatetime() if isinstance(value, pd.Timestamp) else value, years_allowed))
        except (ValueError, OverflowError):
            parsed.append(None)
            errors[index] = _("“%(value)s” is not a date (expected e.g. 2025-03-31 or 31-03-2025).") % {"value": value}
    return pd.Series(parsed, index=series.index, dtype=object), errors


def parse_date(series: pd.Series) -> Parsed:
    return parse_date_series(series)


def parse_cvr(series: pd.Series) -> Parsed:
    values, errors = parse_text(20)(series)
    values = values.map(normalise_cvr)
    for index, value in values[values != ""].items():
        try:
            validate_cvr(value)
        except ValidationError as error:
            errors[index] = error.messages[0]
    return values, errors


def parse_choice(choices, aliases: dict[str, str] | None = None) -> Callable[[pd.Series], Parsed]:
    """A choice matched by its code, its English or Danish label, or a common synonym."""

    def parse_distinct(series: pd.Series) -> Parsed:
        lookup = choice_lookup(choices, aliases)
        blank = is_blank(series)
        values = series.astype(str).map(normalise).map(lookup)
        errors = _no_errors(series.index)
        unknown = values.isna() & ~blank
        expected = ", ".join(choices.values)
        errors[unknown] = [
            _("Unknown value “%(value)s”; expected one of: %(expected)s.") % {"value": value, "expected": expected}
            for value in series[unknown]
        ]
        return values.where(~blank, None), errors

    def parse(series: pd.Series) -> Parsed:
        return by_unique_value(series, parse_distinct)

    return parse


def choice_lookup(choices, aliases: dict[str, str] | None = None) -> dict[str, str]:
    lookup = {}
    for value, label in choices.choices:
        lookup[normalise(value)] = value
        for language in ("en", "da"):
            with override(language):
                lookup[normalise(str(label))] = value
    for alias, value in (aliases or {}).items():
        lookup[normalise(alias)] = value
    return lookup


@dataclass
class FieldSpec:
    """One of our fields as an import sees it: the names a file may give it and how to read its values."""

    name: str
    label: str
    parse: Callable[[pd.Series], Parsed]
    aliases: tuple[str, ...] = ()
    required: bool = False
    # Alternative column names whose values need scaling, e.g. {"kapacitet_kw": 0.001} into MW.
    scaled_aliases: dict[str, float] = field(default_factory=dict)

    def read(self, series: pd.Series, scale: float = 1.0) -> Parsed:
        return self.parse(series, scale=scale) if scale != 1.0 else self.parse(series)


@dataclass
class ColumnMapping:
    """Which file column feeds which field, plus defaults and value translations."""

    columns: dict[str, str]
    scales: dict[str, float]
    defaults: dict[str, object]
    values: dict[str, dict[str, str]]
    unused: list[str]
    crs: str = ""
    layer: str = ""


MAPPING_SECTIONS = ("columns", "defaults", "values", "crs", "layer", "number_locale")


def load_mapping_file(path: Path | None) -> dict:
    return parse_mapping(Path(path).read_bytes()) if path else {}


def parse_mapping(raw: bytes) -> dict:
    """A mapping file's content (YAML), checked: read in memory, so an upload's mapping is never kept on disk."""
    try:
        content = yaml.safe_load(raw.decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise FileRefused(_("The mapping file is not valid YAML: %(error)s") % {"error": error}) from error
    if content is None:
        return {}
    if not isinstance(content, dict) or not set(content) <= set(MAPPING_SECTIONS):
        raise FileRefused(
            _("The mapping file may only have the sections %(sections)s.") % {"sections": ", ".join(MAPPING_SECTIONS)}
        )
    if content.get("number_locale", "da") not in NUMBER_LOCALES:
        raise FileRefused(
            _("The mapping file's number_locale must be da (1.234,5) or en (1,234.5); got %(value)s.")
            % {"value": content["number_locale"]}
        )
    return content


def resolve_mapping(file_columns, specs: list[FieldSpec], mapping: dict) -> ColumnMapping:
    """Match columns: the mapping file first, then our field names and their Danish/English synonyms."""
    known = {spec.name: spec for spec in specs}
    columns, scales = {}, {}
    file_columns = [str(c) for c in file_columns]
    for field_name, given in (mapping.get("columns") or {}).items():
        if field_name not in known:
            raise FileRefused(
                _("The mapping names an unknown field %(field)s; known fields: %(fields)s.")
                % {"field": field_name, "fields": ", ".join(known)}
            )
        column, scale = (given.get("column"), float(given.get("scale", 1))) if isinstance(given, dict) else (given, 1.0)
        if str(column) not in file_columns:
            raise FileRefused(
                _(
                    "The mapping names the column %(column)s, which the file does not have; "
                    "its columns are: %(columns)s."
                )
                % {"column": column, "columns": ", ".join(file_columns)}
            )
        columns[field_name], scales[field_name] = str(column), scale
    by_normal = {}
    for column in file_columns:
        by_normal.setdefault(normalise(column), column)
    taken = set(columns.values())
    for spec in specs:
        if spec.name in columns:
            continue
        for alias in (spec.name, *spec.aliases):
            column = by_normal.get(normalise(alias))
            if column and column not in taken:
                columns[spec.name], scales[spec.name] = column, 1.0
                break
        else:
            for alias, scale in spec.scaled_aliases.items():
                column = by_normal.get(normalise(alias))
                if column and column not in taken:
                    columns[spec.name], scales[spec.name] = column, scale
                    break
        if spec.name not in columns:
            # A Shapefile (dBase) cuts column names to 10 characters: 'projektnavn' arrives as 'projektnav'.
            for alias in (spec.name, *spec.aliases):
                column = by_normal.get(normalise(alias)[:10])
                if column and len(column) == 10 and column not in taken:
                    columns[spec.name], scales[spec.name] = column, 1.0
                    break
        if spec.name in columns:
            taken.add(columns[spec.name])
    defaults = mapping.get("defaults") or {}
    for field_name in defaults:
        if field_name not in known:
            raise FileRefused(_("The mapping gives a default for an unknown field %(field)s.") % {"field": field_name})
    values = mapping.get("values") or {}
    unused = [column for column in file_columns if column not in taken]
    return ColumnMapping(
        columns, scales, defaults, values, unused, str(mapping.get("crs") or ""), str(mapping.get("layer") or "")
    )
