import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from progress.api import AsOfSerializer
from progress.reports import CONTENT_TYPES, COUNCIL_LANGUAGE, build


class Command(BaseCommand):
    help = "Write the half-yearly status report (Excel and/or PDF) for Aalborg Erhvervsråd."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=[*CONTENT_TYPES, "both"], default="both")
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="YYYY-MM-DD; default today")
        parser.add_argument("--output", type=Path, default=Path("."), help="directory to write to")
        parser.add_argument("--language", default=COUNCIL_LANGUAGE, help=f"da or en (default {COUNCIL_LANGUAGE})")

    def handle(self, *args, format, as_of, output, language, **options):
        # the API's own rule: not after today in Copenhagen (TIME_ZONE), whatever the server's clock zone
        query = AsOfSerializer(data={"as_of": as_of} if as_of else {})
        if not query.is_valid():
            raise CommandError(f"--as-of: {' '.join(query.errors['as_of'])}")
        output.mkdir(parents=True, exist_ok=True)
        formats = list(CONTENT_TYPES) if format == "both" else [format]
        with translation.override(language):
            for fmt in formats:
                report = build(fmt, as_of=as_of)
                path = output / report.filename
                path.write_bytes(report.content)
                self.stdout.write(str(path))
