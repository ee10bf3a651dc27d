"""Running an import: read the file, check every row, write all or nothing, keep the report.

The writes of an import happen in one transaction. It commits only when it is not a dry run
and either no row was rejected or the user asked for the valid rows only; otherwise it is
rolled back, so a dry run reports exactly what an import would create and update. The
ImportRun record is saved outside that transaction and survives whatever happens inside.
"""

import hashlib
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gis.validation import validate_geometries

from .columns import load_mapping_file, resolve_mapping
from .errors import FileRefused
from .files import check_claimed_format, read_table
from .kinds import KINDS
from .kinds.base import ImportKind, Prepared, WriteContext
from .models import ImportRun
from .numbers import numbers_written_in
from .uploads import discard_upload

logger = logging.getLogger(__name__)


@dataclass
class ImportOptions:
    kind: str
    layer: str = ""
    crs: str = ""
    mapping: dict = field(default_factory=dict)
    dry_run: bool = False
    valid_rows_only: bool = False
    number_locale: str = ""  # "da" or "en": how the file writes numbers; "" decides per column

    @classmethod
    def of_run(cls, run: ImportRun) -> "ImportOptions":
        """The options a run was started with, as start_run recorded them."""
        saved = run.options
        return cls(
            kind=run.kind,
            layer=saved.get("layer", ""),
            crs=saved.get("crs", ""),
            mapping=saved.get("mapping", {}),
            dry_run=run.dry_run,
            valid_rows_only=run.valid_rows_only,
            number_locale=saved.get("number_locale", ""),
        )

    def numbers(self) -> str:
        """The way numbers are written, as the import or its mapping file gives it ("" when neither does)."""
        return self.number_locale or self.mapping.get("number_locale", "")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def prepare(table, kind: ImportKind, mapping_content: dict, file_name: str) -> Prepared:
    """Parse every mapped column, apply defaults, validate geometry, and run the kind's own checks."""
    specs = kind.fields()
    mapping = resolve_mapping(table.frame.columns, specs, mapping_content)
    frame = table.frame.reset_index(drop=True)
    count = len(frame)
    prepared = Prepared(
        pd.DataFrame(index=range(count)), None, mapping, table.row_numbers, file_name, notices=list(table.notices)
    )
    for spec in specs:
        if spec.required and spec.name not in mapping.columns and spec.name not in mapping.defaults:
            raise FileRefused(
                _(
                    "The file has no column for %(field)s (looked for: %(names)s). Name its column, or give a "
                    "default, in a mapping file."
                )
                % {"field": spec.label, "names": ", ".join((spec.name, *spec.aliases))}
            )
    for spec in specs:
        column = mapping.columns.get(spec.name)
        if column is not None:
            raw = frame[column]
            translations = {str(k).strip(): v for k, v in (mapping.values.get(spec.name) or {}).items()}
            if translations:
                raw = raw.map(lambda value, found=translations: found.get(str(value).strip(), value))
            values, errors = spec.read(raw, mapping.scales.get(spec.name, 1.0))
        else:
            raw = pd.Series([None] * count, dtype=object)
            values, errors = raw.copy(), pd.Series([None] * count, dtype=object)
        if spec.name in mapping.defaults:
            default, default_error = spec.read(pd.Series([mapping.defaults[spec.name]], dtype=object))
            if default_error.iloc[0]:
                raise FileRefused(
                    _("The mapping's default for %(field)s is not valid: %(reason)s")
                    % {"field": spec.label, "reason": default_error.iloc[0]}
                )
            blank = values.isna() | (values.astype(str) == "")
            values = values.astype(object).where(~blank, default.iloc[0])
        prepared.values[spec.name] = values.to_numpy()
        for position in np.flatnonzero(errors.notna().to_numpy()):
            prepared.reject(position, spec.name, errors.iloc[position], raw.iloc[position])
        if spec.required:
            blank = (prepared.values[spec.name].isna() | (prepared.values[spec.name].astype(str) == "")).to_numpy()
            for position in np.flatnonzero(blank & errors.isna().to_numpy()):
                prepared.reject(position, spec.name, _("%(field)s is required.") % {"field": spec.label.capitalize()})
    _check_geometry(table, kind, prepared)
    kind.check(prepared)
    _reject_duplicates(kind, prepared)
    return prepared


def _check_geometry(table, kind, prepared) -> None:
    if table.geometry is None:
        if kind.geometry_required:
            raise FileRefused(
                _(
                    "The file has no geometry: neither a spatial format nor coordinate columns "
                    "(longitude/latitude, x/y, or a WKT column)."
                )
            )
        return
    prepared.mapping.columns.setdefault("geometry", table.geometry_columns)
    stored, messages = validate_geometries(table.geometry, table.crs, kind.allowed_geometry_types(prepared.values))
    missing = pd.isna(pd.Series(table.geometry, dtype=object)).to_numpy()
    unreadable = table.geometry_errors or [None] * len(messages)
    for position, message in enumerate(messages):
        if unreadable[position]:
            prepared.reject(position, "geometry", unreadable[position])
        elif message and (kind.geometry_required or not missing[position]):
            prepared.reject(position, "geometry", message)
    prepared.geometry = stored


def _reject_duplicates(kind, prepared) -> None:
    keys = kind.identity(prepared.values)
    repeated = (keys.notna() & (keys != "") & keys.duplicated(keep=False)).to_numpy()
    first_row = {}
    for position in np.flatnonzero(repeated):
        key = keys.iloc[position]
        if key in first_row:
            prepared.reject(
                position,
                kind.key_field,
                _("Duplicate in the file: row %(row)s has the same %(key)s.")
                % {"row": first_row[key], "key": kind.key_label()},
                key,
            )
        else:
            first_row[key] = int(prepared.rows[position])


class ProgressReporter:
    """Tells the command line (a bar) and the upload page (through a second connection) how far we are."""

    def __init__(self, run: ImportRun | None = None, live: bool = False, echo=None):
        self.run, self.live, self.echo = run, live, echo
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.echo:
            self.echo(phase, done, total)
        now = time.monotonic()
        if self.live and self.run and (now - self.last > 0.3 or done == total):
            self.last = now
            ImportRun.objects.using("import_progress").filter(pk=self.run.pk).update(
                phase=phase,
                rows_done=done,
                rows_total=total,
                heartbeat_at=timezone.now(),
                status=ImportRun.Status.RUNNING,
            )


def execute(run: ImportRun, path: Path, options: ImportOptions, progress: ProgressReporter | None = None) -> ImportRun:
    """Run one import to the end and record the outcome on `run`; never raises for a bad file."""
    progress = progress or ProgressReporter(run)
    run.status, run.heartbeat_at = ImportRun.Status.RUNNING, timezone.now()
    run.save()
    try:
        _execute(run, path, options, progress)
    except FileRefused as refused:
        run.status, run.error = ImportRun.Status.REFUSED, str(refused)
    except KeyboardInterrupt:
        run.status, run.error = ImportRun.Status.INTERRUPTED, _("Interrupted; nothing was written.")
        finish(run)
        raise
    except Exception as error:  # the run must say what happened; the traceback goes to the log
        logger.exception("import #%s failed", run.pk)
        run.status = ImportRun.Status.FAILED
        run.error = _("The import failed and nothing was written: %(error)s") % {"error": error}
    finish(run)
    return run


def finish(run: ImportRun) -> None:
    """Record the outcome already set on `run`; an upload that can never be imported leaves the disk."""
    run.finished_at = timezone.now()
    run.phase = "done"
    run.save()
    discard_unusable_upload(run)


def discard_unusable_upload(run: ImportRun) -> None:
    """A refused, failed or interrupted run can never be applied: its upload leaves the disk with it,
    unless a checked run of the same upload can still be applied (an apply that failed)."""
    if not run.stored_file or run.status not in ImportRun.UNUSABLE:
        return
    others = ImportRun.objects.filter(stored_file=run.stored_file).exclude(pk=run.pk)
    if others.filter(status__in=ImportRun.APPLICABLE).exists():
        return
    discard_upload(run.stored_file)
    run.stored_file = ""
    run.save(update_fields=["stored_file"])


def _execute(run: ImportRun, path: Path, options: ImportOptions, progress) -> None:
    kind = KINDS[options.kind]
    progress("reading", 0, 0)
    run.file_format = check_claimed_format(path, run.file_name)
    with numbers_written_in(options.numbers()):
        table = read_table(
            path,
            run.file_format,
            options.layer or options.mapping.get("layer", ""),
            options.crs or options.mapping.get("crs", ""),
        )
        run.layer, run.rows_total = table.layer, len(table)
        if not len(table):
            raise FileRefused(_("The file has no rows."))
        progress("checking", 0, len(table))
        prepared = prepare(table, kind, options.mapping, run.file_name)
    run.mapped_columns = dict(prepared.mapping.columns)
    commits = not options.dry_run and (not prepared.rejected.any() or options.valid_rows_only)
    context = WriteContext(run.created_by, run.change_reason, progress, commits)
    with transaction.atomic():
        counts = kind.write(prepared, context)
        # Rows rejected while writing (a record-by-record kind) decide too.
        rejected = bool(prepared.rejected.any())
        commit = not options.dry_run and (not rejected or options.valid_rows_only)
        if commit:  # the outcome commits with the rows: a worker dying in between leaves neither
            _record_outcome(run, prepared, counts, len(table), ImportRun.Status.APPLIED)
            finish(run)
        else:
            transaction.set_rollback(True)
    if not commit:
        outcome = ImportRun.Status.CHECKED if options.dry_run else ImportRun.Status.REJECTED
        _record_outcome(run, prepared, counts, len(table), outcome)


def _record_outcome(run: ImportRun, prepared: Prepared, counts, rows: int, status: str) -> None:
    run.created_count, run.updated_count, run.unchanged_count = counts.created, counts.updated, counts.unchanged
    run.rejected_count = int(prepared.rejected.sum())
    run.rejections = [asdict(r) for r in sorted(prepared.rejections, key=lambda r: r.row)]
    run.notices = prepared.notices + (
        [
            _("%(unused)s column(s) not imported: %(columns)s.")
            % {"unused": len(prepared.mapping.unused), "columns": ", ".join(prepared.mapping.unused)}
        ]
        if prepared.mapping.unused
        else []
    )
    run.rows_done, run.status = rows, status


def start_run(path: Path, file_name: str, options: ImportOptions, user=None, stored_file: str = "") -> ImportRun:
    """Record a new run for a file already on disk (the command's argument or a kept upload)."""
    return ImportRun.objects.create(
        language=translation.get_language() or settings.LANGUAGE_CODE,
        kind=options.kind,
        file_name=file_name,
        stored_file=stored_file,
        file_sha256=sha256_of(path),
        layer=options.layer,
        dry_run=options.dry_run,
        valid_rows_only=options.valid_rows_only,
        options={
            "layer": options.layer,
            "crs": options.crs,
            "mapping": options.mapping,
            "number_locale": options.number_locale,
        },
        created_by=user,
    )


def options_from_mapping_file(kind: str, mapping_file: Path | None, **options) -> ImportOptions:
    return ImportOptions(kind=kind, mapping=load_mapping_file(mapping_file), **options)
