import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from imports.errors import FileRefused
from imports.kinds import KINDS
from imports.models import ImportRun
from imports.numbers import NUMBER_LOCALES
from imports.report import write_report
from imports.service import ProgressReporter, execute, options_from_mapping_file, start_run

PHASES = {"reading": "Reading", "checking": "Checking", "writing": "Writing"}


class ProgressBar:
    """A one-line bar on stderr (plain phase lines when stderr is not a terminal)."""

    def __init__(self, stream):
        self.stream, self.phase = stream, None
        self.tty = stream.isatty()

    def __call__(self, phase, done, total):
        label = PHASES.get(phase, phase)
        if not self.tty:
            if phase != self.phase:
                self.stream.write(f"{label} {total:,} rows...\n" if total else f"{label}...\n")
            self.phase = phase
            return
        if total:
            filled = int(30 * done / total)
            self.stream.write(f"\r{label:<9} [{'#' * filled}{'.' * (30 - filled)}] {done:>9,}/{total:,}")
        else:
            self.stream.write(f"\r{label}...")
        self.phase = phase
        self.stream.flush()

    def close(self):
        if self.tty:
            self.stream.write("\n")


class Command(BaseCommand):
    help = (
        "Import energy sites, partnerships or symbioses from GeoPackage, zipped Shapefile, GeoJSON, KML, CSV "
        "or Excel. All or nothing: one bad row rejects the file unless --valid-rows-only."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=sorted(KINDS))
        parser.add_argument(
            "--layer", default="", help="Layer (GeoPackage, KML), Shapefile name (zip) or sheet (Excel)."
        )
        parser.add_argument("--mapping", type=Path, help="YAML: columns, defaults, values, crs.")
        parser.add_argument(
            "--crs", default="", help="The CRS of coordinate columns when the file does not say, e.g. EPSG:25832."
        )
        parser.add_argument(
            "--number-locale",
            default="",
            choices=sorted(NUMBER_LOCALES),
            help="How the file writes numbers: da (1.234,5) or en (1,234.5); by default decided per column.",
        )
        parser.add_argument(
            "--default",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="A value for rows (or files) without one, e.g. --default site_type=wind.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument(
            "--valid-rows-only",
            action="store_true",
            help="Import the valid rows and report the rest, instead of rejecting the file.",
        )
        parser.add_argument("--user", default="", help="Username recorded as the author in the history.")
        parser.add_argument("--report", type=Path, help="Write the rejected rows to this CSV file.")

    def handle(
        self, *args, file, kind, layer, mapping, crs, dry_run, valid_rows_only, user, report, default, **options
    ):
        """Import one file and print its report; a refused or rejected file ends with an error status."""
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"No user called {user}.")
        try:
            import_options = options_from_mapping_file(
                kind,
                mapping,
                layer=layer,
                crs=crs,
                dry_run=dry_run,
                valid_rows_only=valid_rows_only,
                number_locale=options["number_locale"],
            )
        except FileRefused as refused:
            raise CommandError(str(refused)) from refused
        for pair in default:
            field, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(f"--default takes FIELD=VALUE; got {pair!r}.")
            import_options.mapping.setdefault("defaults", {})[field.strip()] = value.strip()
        run = start_run(file, file.name, import_options, author)
        bar = ProgressBar(sys.stderr) if options["verbosity"] else None
        execute(run, file, import_options, ProgressReporter(run, echo=bar))
        if bar:
            bar.close()
        self._print(run)
        if report:
            with open(report, "w", newline="", encoding="utf-8") as handle:
                write_report(run, handle)
            self.stdout.write(f"Report of rejected rows: {report}")
        if run.status not in (ImportRun.Status.APPLIED, ImportRun.Status.CHECKED):
            raise CommandError(
                f"Import #{run.pk} {run.get_status_display().lower()}: {run.error or 'see the rows above'}"
            )

    def _print(self, run):
        write = self.stdout.write
        for notice in run.notices:
            write(f"Note: {notice}")
        if run.rejections:
            write(f"{run.rejected_count:,} row(s) rejected:")
            for rejection in run.rejections[:50]:
                column = f" [{rejection['column']}]" if rejection["column"] else ""
                value = f" ({rejection['value']!r})" if rejection["value"] else ""
                write(f"  row {rejection['row']}, {rejection['field']}{column}{value}: {rejection['reason']}")
            if len(run.rejections) > 50:
                write(f"  ... and {len(run.rejections) - 50:,} more (use --report FILE for all).")
        verb = "would be" if run.dry_run else ""
        write(
            f"Import #{run.pk} ({run.file_name}, {run.rows_total:,} rows): {run.get_status_display()}. "
            f"{run.created_count:,} {verb} created, {run.updated_count:,} {verb} updated, "
            f"{run.unchanged_count:,} unchanged, {run.rejected_count:,} rejected.".replace("  ", " ")
        )
