"""The rejected rows of an import as a CSV people open in Excel: row, column, field, value, reason."""

import csv

from django.utils.translation import gettext as _

from core.spreadsheet import csv_text

REPORT_COLUMNS = ("row", "column", "field", "value", "reason")


def report_headers() -> list[str]:
    return [_("row"), _("column in the file"), _("field"), _("value"), _("reason")]


def write_report(run, handle) -> None:
    handle.write("\ufeff")  # Excel reads UTF-8 (æ, ø, å) only with the byte order mark
    writer = csv.writer(handle)
    writer.writerow(report_headers())
    for rejection in run.rejections:
        # the value and the column are the uploaded file's own text: never a live formula in Excel
        writer.writerow([csv_text(str(rejection.get(key, ""))) for key in REPORT_COLUMNS])
