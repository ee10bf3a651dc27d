"""The half-yearly status report for Aalborg Erhvervsråd, as an Excel workbook or a PDF.

Both are built from progress.selectors, the same totals the dashboard and the API show.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from .. import selectors
from .workbook import build_workbook

COUNCIL_LANGUAGE = "da"  # the language of the report the business council reads
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


@dataclass
class Report:
    content: bytes
    content_type: str
    filename: str


class UnknownFormat(ValueError):
    """A report format other than those in CONTENT_TYPES."""


def build(fmt: str, *, as_of: dt.date | None = None) -> Report:
    if fmt not in CONTENT_TYPES:
        raise UnknownFormat(fmt)
    totals = selectors.progress_totals(as_of=as_of)
    generated = timezone.localtime()
    if fmt == "xlsx":
        content = build_workbook(totals, as_of=as_of, generated=generated)
    else:
        from .pdf import build_pdf  # matplotlib is slow to import: only when a PDF is asked for

        content = build_pdf(totals, generated=generated)
    return Report(content, CONTENT_TYPES[fmt], f"status-report-priority-4-{totals['as_of']}.{fmt}")
