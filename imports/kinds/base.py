"""What every kind of import shares: the parsed rows, the kind's interface, and writing row by row.

Energy sites come in large files (a national turbine register), so they are checked on whole
columns and written in bulk (imports.bulk). The other kinds are tens of rows touching a record or
a few each; they go through the models' own full_clean() row by row, so the rules are the same as
in the forms and the API.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from registry.models import Organisation

from ..bulk import Counts
from ..columns import ColumnMapping, FieldSpec, parse_text
from ..errors import RowRejected


@dataclass
class Rejection:
    row: int
    field: str
    column: str
    value: str
    reason: str


@dataclass
class Prepared:
    """A file's rows after parsing: our fields' values, geometry in the storage CRS, and what was wrong."""

    values: pd.DataFrame
    geometry: np.ndarray | None
    mapping: ColumnMapping
    rows: np.ndarray
    file_name: str
    rejections: list[Rejection] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.rejected = np.zeros(len(self.values), bool)

    def reject(self, position: int, field_name: str, reason: str, value="") -> None:
        column = self.mapping.columns.get(field_name, "")
        self.rejections.append(Rejection(int(self.rows[position]), field_name, column, _short(value), reason))
        self.rejected[position] = True

    def has_field(self, field_name: str) -> bool:
        """The file (or the mapping's defaults) says something about this field: only those are updated."""
        return field_name in self.mapping.columns or field_name in self.mapping.defaults


def _short(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def has_value(value) -> bool:
    """A row's value that is there: not None, NaN or blank."""
    return value is not None and not (isinstance(value, float) and np.isnan(value)) and value != ""


@dataclass
class WriteContext:
    user: object
    change_reason: str
    progress: object  # callable(phase, done, total)
    commits: bool = True  # False when the writes are to be rolled back (a dry run, or rows were rejected)


class ImportKind:
    name = ""
    key_field = "external_id"
    geometry_required = False

    def fields(self) -> list[FieldSpec]:
        raise NotImplementedError

    def identity(self, values: pd.DataFrame) -> pd.Series:
        """What makes two rows the same record (a duplicate in the file; the match on re-import)."""
        return values["external_id"]

    def key_label(self) -> str:
        return _("id")

    def allowed_geometry_types(self, values: pd.DataFrame):
        raise NotImplementedError

    def check(self, prepared: Prepared) -> None:
        """Rules across fields and against the registry, after every column is parsed."""

    def write(self, prepared: Prepared, context: WriteContext) -> Counts:
        raise NotImplementedError


def text_spec(name, label, max_length, aliases=(), required=False) -> FieldSpec:
    """One of our text fields, as the file's columns may name it."""
    return FieldSpec(name, label, parse_text(max_length), tuple(aliases), required)


def external_id_spec(*aliases) -> FieldSpec:
    return text_spec(
        "external_id", _("external id"), 100, ("id", "ekstern_id", "external_key", "noegle", "key", *aliases)
    )


class RecordByRecordImport(ImportKind):
    """Rows saved through the models (full_clean), each in a savepoint so one bad row can be left out."""

    def write(self, prepared, context):
        counts = Counts()
        positions = np.flatnonzero(~prepared.rejected)
        for done, position in enumerate(positions, start=1):
            row = prepared.values.iloc[position]
            geometry = prepared.geometry[position] if prepared.geometry is not None else None
            try:
                with transaction.atomic():
                    outcome = self.write_row(row, geometry, prepared, context, int(prepared.rows[position]))
            except RowRejected as rejected:
                for field_name, reason in rejected.problems:
                    prepared.reject(position, field_name, reason, row.get(field_name, ""))
                continue
            setattr(counts, outcome, getattr(counts, outcome) + 1)
            if done % 25 == 0 or done == len(positions):
                context.progress("writing", done, len(positions))
        return counts

    def write_row(self, row, geometry, prepared, context, row_number) -> str:
        """Write one row; "created", "updated" or "unchanged"."""
        raise NotImplementedError


class KeyedByIdOrName(RecordByRecordImport):
    """Records matched on their external id, or on their name when the file has no id column.

    One write_row serves them all, driven by the class attributes: the fields the file sets, the organisation
    (by CVR) the record points at, where its geometry goes, and the file field each model complaint names.
    """

    model = None
    assigned_fields: tuple[str, ...] = ()
    organisation_attribute = ""  # the record's link to an organisation...
    organisation_cvr_field = ""  # ...and the file's field with that organisation's CVR
    geometry_attribute = ""
    field_names: dict[str, str] = {}  # model field -> import field, for full_clean's complaints

    def no_id_notice(self) -> str:
        raise NotImplementedError

    def identity(self, values):
        ids = values["external_id"].fillna("")
        return ids.where(ids != "", values["name"])

    def check(self, prepared):
        if not prepared.has_field("external_id"):
            prepared.notices.append(self.no_id_notice())

    def write_row(self, row, geometry, prepared, context, row_number):
        record = find_record(self.model, row, name=row["name"]) or self.model()
        created = record._state.adding
        changed = assign(record, prepared, row, self.assigned_fields)
        changed |= link_organisation(record, self.organisation_attribute, row, self.organisation_cvr_field)
        changed |= self.place_geometry(record, geometry)
        if changed:
            save_checked(record, context, self.field_names)
        return "created" if created else "updated" if changed else "unchanged"

    def place_geometry(self, record, geometry) -> bool:
        """Put the row's geometry on the record; True when that changed it."""
        return place(record, self.geometry_attribute, geometry)


def assign(instance, prepared: Prepared, row, names, renames=None) -> bool:
    """Set the fields the file speaks about; True when any value differs from the stored one."""
    changed = instance._state.adding
    for name in names:
        if not prepared.has_field(name):
            continue
        value = row.get(name)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            value = None
        attribute = (renames or {}).get(name, name)
        field_object = instance._meta.get_field(attribute)
        if value is None and not field_object.null:
            value = field_object.get_default()
        if hasattr(field_object, "decimal_places") and value is not None:
            value = round(Decimal(str(value)), field_object.decimal_places)
        if getattr(instance, attribute) != value:
            setattr(instance, attribute, value)
            changed = True
    return changed


def save_checked(instance, context, field_names: dict[str, str] | None = None) -> None:
    """full_clean, then save with the import as the history's author; problems named by the file's field."""
    try:
        instance.full_clean()
    except ValidationError as error:
        problems = []
        for model_field, messages in error.message_dict.items():
            problems += [((field_names or {}).get(model_field, model_field), message) for message in messages]
        raise RowRejected(problems) from error
    instance._history_user = context.user
    instance._change_reason = context.change_reason
    instance.save()


def find_record(model, row, **natural_key):
    """The record a row speaks about: by external id when the file has one, else by its natural key."""
    key = row.get("external_id")
    return (
        model.objects.filter(external_id=key).first() if has_value(key) else model.objects.filter(**natural_key).first()
    )


def link_organisation(instance, attribute: str, row, cvr_field: str) -> bool:
    """Point instance.<attribute> at the organisation with the row's CVR; True when that changed it."""
    if not has_value(row.get(cvr_field)):
        return False
    organisation = Organisation.objects.filter(cvr=row[cvr_field]).first()
    if organisation is None:
        raise RowRejected(
            [
                (
                    cvr_field,
                    _("No organisation with CVR %(cvr)s in the registry; add it (or import partnerships) first.")
                    % {"cvr": row[cvr_field]},
                )
            ]
        )
    if getattr(instance, f"{attribute}_id") == organisation.pk:
        return False
    setattr(instance, attribute, organisation)
    return True


def to_geos(geometry) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=settings.STORAGE_SRID)


def place(instance, attribute: str, geometry) -> bool:
    """Set instance.<attribute> to the geometry; True when it differs from the stored one."""
    geos = to_geos(geometry)
    current = getattr(instance, attribute)
    if current is not None and current.geom_type == geos.geom_type and current.equals_exact(geos, 0.01):
        return False
    setattr(instance, attribute, geos)
    return True
