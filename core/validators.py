"""Validators for Danish identifiers and domain ranges."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)
# Years a measure, signature or report can plausibly belong to.
MIN_YEAR = 2000
MAX_YEAR = 2050


def normalise_cvr(value: str) -> str:
    """'DK 1234 5678' -> '12345678'; other text is left for validate_cvr to reject."""
    cleaned = re.sub(r"[\s-]", "", value or "")
    if cleaned.upper().startswith("DK"):
        cleaned = cleaned[2:]
    return cleaned


def validate_cvr(value: str) -> None:
    """A CVR number is 8 digits whose weighted sum (2,7,6,5,4,3,2,1) is divisible by 11."""
    # [0-9], not \d: \d also matches other scripts' digits ("２９４０３４７３"), which would slip past uniqueness
    if not re.fullmatch(r"[0-9]{8}", value or ""):
        raise ValidationError(
            _("A CVR number has exactly 8 digits; got %(value)r."), code="cvr_format", params={"value": value}
        )
    if value[0] == "0":
        raise ValidationError(
            _("A CVR number cannot start with 0; got %(value)s."), code="cvr_format", params={"value": value}
        )
    if sum(int(d) * w for d, w in zip(value, CVR_WEIGHTS)) % 11:
        raise ValidationError(
            _("%(value)s is not a valid CVR number: the modulus-11 check fails (mistyped digit?)."),
            code="cvr_checksum",
            params={"value": value},
        )


def validate_year(value: int) -> None:
    if value is not None and not MIN_YEAR <= value <= MAX_YEAR:
        raise ValidationError(
            _("The year must be between %(min)s and %(max)s; got %(value)s."),
            code="year_range",
            params={"min": MIN_YEAR, "max": MAX_YEAR, "value": value},
        )


# Plants in the national registers date back to the 1970s; a commissioning year is not a climate-plan year.
MIN_COMMISSIONING_YEAR = 1900


def validate_commissioning_year(value: int) -> None:
    if value is not None and not MIN_COMMISSIONING_YEAR <= value <= MAX_YEAR:
        raise ValidationError(
            _("The year must be between %(min)s and %(max)s; got %(value)s."),
            code="year_range",
            params={"min": MIN_COMMISSIONING_YEAR, "max": MAX_YEAR, "value": value},
        )


# ASCII digits only: str.isdigit() also accepts "²", which int() then refuses.
ASCII_DIGITS = re.compile(r"[0-9]+")


def small_whole_number(text: str, max_digits: int = 9) -> int | None:
    """The number `text` writes in at most `max_digits` ASCII digits (leading zeros aside), else None: what a
    query parameter such as ?page_size= or ?srid= may be, checked before int() (which refuses over 4,300 digits)."""
    if not ASCII_DIGITS.fullmatch(text) or len(text.lstrip("0")) > max_digits:
        return None
    return int(text)
