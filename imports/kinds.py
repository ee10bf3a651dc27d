"""What each kind of import reads, checks and writes.

Energy sites come in large files (a national turbine register), so they are checked on
whole columns and written with COPY and a few set-based statements, history included.
Partnerships and symbioses are tens of rows touching several records each; they go through
the models' own full_clean() row by row, so the lifecycle and date rules are the same as
in the forms and the API.
"""
import hashlib
from decimal import Decimal
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerships.models import ClimatePartnership, Measure, PartnershipOrganisation, Sector
from registry.models import EnergySite, HeatingNetwork, HeatSource, HeatSymbiosis, Organisation, OrganisationSite
from registry.models.sites import AREA_OR_POINT_TYPES, LINE_TYPES
from registry.validators import MAX_YEAR, MIN_COMMISSIONING_YEAR, MIN_YEAR

from .bulk import SITE_COLUMNS, Counts, write_sites
from .columns import (
    ColumnMapping, FieldSpec, parse_choice, parse_cvr, parse_date, parse_decimal, parse_text, parse_year,
)


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

    def present(self, field_name: str) -> bool:
        """The file (or the mapping's defaults) says something about this field: only those are updated."""
        return field_name in self.mapping.columns or field_name in self.mapping.defaults


def _short(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass
class WriteContext:
    user: object
    change_reason: str
    progress: object  # callable(phase, done, total)
    commits: bool = True  # False when the writes are to be rolled back (a dry run, or rows were rejected)


class RowRejected(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(problems)
        self.problems = problems


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


def text_field(name, label, max_length, aliases=(), required=False):
    return FieldSpec(name, label, parse_text(max_length), tuple(aliases), required)


def _external_id_field(*aliases):
    return text_field("external_id", _("external id"), 100,
                      ("id", "ekstern_id", "external_key", "noegle", "key", *aliases))


# ---------------------------------------------------------------------------------------------- sites

SITE_TYPE_SYNONYMS = {
    "vind": "wind", "vindmoelle": "wind", "vindmoeller": "wind", "vindkraft": "wind", "vindkraftanlaeg": "wind",
    "wind_turbine": "wind", "wind_turbines": "wind", "windturbine": "wind", "vindpark": "wind",
    "sol": "solar", "solcelle": "solar", "solceller": "solar", "solcellepark": "solar", "solcelleanlaeg": "solar",
    "pv": "solar", "solar_pv": "solar", "solar_park": "solar", "solpark": "solar",
    "biogasanlaeg": "biogas", "co2_fangst": "co2_capture", "ccs": "co2_capture", "carbon_capture": "co2_capture",
    "co2_fangst_og_lagring": "co2_capture", "ptx": "power_to_x", "p2x": "power_to_x", "power_to_x": "power_to_x",
    "biokul": "biochar", "pyrolyse": "biochar", "pyrolysis": "biochar", "graesprotein": "grass_protein",
    "brintroer": "hydrogen_pipe", "brintledning": "hydrogen_pipe", "hydrogen_pipeline": "hydrogen_pipe",
    "co2_roer": "co2_pipe", "co2_ledning": "co2_pipe", "co2_pipeline": "co2_pipe",
}
PLANNING_STATUS_SYNONYMS = {
    "ide": "idea", "screening": "screening", "lokalplan": "local_plan", "miljoevurdering": "environmental_assessment",
    "vvm": "environmental_assessment", "godkendt": "approved", "vedtaget": "approved", "under_opfoerelse": "under_construction",
    "i_drift": "operating", "drift": "operating", "in_operation": "operating", "existing": "operating",
    "eksisterende": "operating", "afvist": "rejected", "planned": "idea", "planlagt": "idea",
}


class SitesImport(ImportKind):
    name = "sites"
    geometry_required = True
    model = EnergySite
    # Columns the statements write, in the staging table's order.
    COLUMNS = SITE_COLUMNS

    def fields(self):
        return [
            _external_id_field("gsrn", "moellenummer", "moellenummer_gsrn", "anlaegs_id", "anlaeg_id", "site_id",
                               "gppd_idnr", "projekt_id", "project_id"),
            text_field("name", _("name"), 200, ("navn", "title", "titel", "anlaegsnavn", "projektnavn", "project",
                                                 "projekt", "site_name")),
            FieldSpec("site_type", _("type"), parse_choice(EnergySite.SiteType, SITE_TYPE_SYNONYMS),
                      ("type", "anlaegstype", "teknologi", "technology", "primary_fuel", "kind"), required=True),
            FieldSpec("planning_status", _("planning status"),
                      parse_choice(EnergySite.PlanningStatus, PLANNING_STATUS_SYNONYMS),
                      ("status", "planstatus", "planlaegningsstatus", "projektstatus")),
            FieldSpec("capacity", _("capacity"), parse_decimal(3, 14),
                      ("capacity_mw", "kapacitet", "kapacitet_mw", "effekt", "effekt_mw", "mw", "installed_mw"),
                      scaled_aliases={"capacity_kw": 0.001, "capacitykw": 0.001, "kapacitet_kw": 0.001,
                                      "effekt_kw": 0.001, "kw": 0.001, "installed_kw": 0.001}),
            FieldSpec("capacity_unit", _("capacity unit"), parse_choice(EnergySite.CapacityUnit),
                      ("unit", "enhed", "kapacitet_enhed")),
            FieldSpec("operator_cvr", _("operator CVR"), parse_cvr,
                      ("cvr", "cvr_nr", "cvr_nummer", "ejer_cvr", "owner_cvr", "operatoer_cvr")),
            FieldSpec("commissioning_year", _("commissioning year"), parse_year(MIN_COMMISSIONING_YEAR, MAX_YEAR),
                      ("idriftsat", "idriftsaettelsesaar", "idriftsaettelse", "commissioning_year", "year",
                       "aar", "dato_for_oprindelig_nettilslutning", "nettilslutning", "commissioned",
                       "tilslutningsdato")),
            text_field("description", _("description"), 10_000, ("beskrivelse", "note", "noter", "bemaerkning",
                                                                  "comment", "kommentar")),
            text_field("data_source", _("data source"), 300, ("source", "kilde", "datakilde")),
        ]

    def allowed_geometry_types(self, values):
        """Lines for pipes, areas or points for every other type (and any of them for a row without a type):
        one tuple for all rows where they share it, as a register of turbines or parks does."""
        both = AREA_OR_POINT_TYPES + LINE_TYPES
        kinds = values["site_type"] if "site_type" in values else pd.Series(None, index=values.index, dtype=object)
        pipes, typed = kinds.isin(EnergySite.PIPE_TYPES).to_numpy(), (kinds.notna() & (kinds != "")).to_numpy()
        if typed.all() and not pipes.any():
            return AREA_OR_POINT_TYPES
        return [LINE_TYPES if pipe else AREA_OR_POINT_TYPES if known else both for pipe, known in zip(pipes, typed)]

    def check(self, prepared):
        values = prepared.values
        if not prepared.present("name"):
            labels = dict(EnergySite.SiteType.choices)
            ids = values["external_id"].fillna("")
            keys = ids.where(ids != "", pd.Series(prepared.rows).astype(str))
            values["name"] = [f"{labels.get(t, '')} {k}".strip() for t, k in zip(values["site_type"], keys)]
            prepared.notices.append(_("The file has no name column; sites are named after their type and id."))
        if not prepared.present("data_source"):
            values["data_source"] = prepared.file_name[:300]
        if not prepared.present("external_id"):
            values["external_id"] = _fingerprints(values, prepared.geometry)
            prepared.notices.append(_("The file has no id column; a re-import recognises a site by its name, "
                                      "type and position."))
        cvrs = values["operator_cvr"].fillna("")
        values["operator_id"] = None
        if (cvrs != "").any():
            known = dict(Organisation.objects.filter(cvr__in=set(cvrs[cvrs != ""])).values_list("cvr", "id"))
            values["operator_id"] = cvrs.map(known)
            for position in np.flatnonzero(((cvrs != "") & values["operator_id"].isna()).to_numpy()):
                if not prepared.rejected[position]:
                    prepared.reject(position, "operator_cvr", _("No organisation with CVR %(cvr)s in the registry; "
                                                                "add it (or import partnerships) first.")
                                    % {"cvr": cvrs.iloc[position]}, cvrs.iloc[position])

    def write(self, prepared, context):
        keep = ~prepared.rejected
        values = prepared.values[keep].copy()
        for column in ("planning_status", "capacity_unit", "description"):
            default = EnergySite._meta.get_field(column).get_default()
            values[column] = values[column].fillna(default) if column in values else default
        for column in ("capacity", "operator_id", "commissioning_year"):
            if column not in values:
                values[column] = None
        updatable = [c for c in self.COLUMNS if c not in ("external_id", "municipality_code") and (
            prepared.present(c) or (c == "operator_id" and prepared.present("operator_cvr")))]
        if "geometry" in updatable:
            updatable.append("municipality_code")
        return write_sites(values, prepared.geometry[keep], updatable, context)


def _fingerprints(values: pd.DataFrame, geometry) -> list[str]:
    wkb = shapely.to_wkb(shapely.set_precision(geometry, 0.01), hex=True)
    return ["file:" + hashlib.sha1(f"{n}|{t}|{g}".encode()).hexdigest()[:20]
            for n, t, g in zip(values["name"], values["site_type"], wkb)]


# ------------------------------------------------------------------------------- record by record

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
        raise NotImplementedError


def assign(instance, prepared: Prepared, row, names, renames=None) -> bool:
    """Set the fields the file speaks about; True when any value differs from the stored one."""
    changed = instance._state.adding
    for name in names:
        if not prepared.present(name):
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


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and np.isnan(value)) and value != ""


SECTOR_SYNONYMS = {"industri": "industry", "erhverv": "industry", "virksomhed": "industry", "company": "industry",
                   "landbrug": "agriculture", "farm": "agriculture", "jordbrug": "agriculture"}
PARTNERSHIP_STATUS_SYNONYMS = {
    "dialog": "dialogue", "i_dialog": "dialogue", "underskrevet": "signed", "indgaaet": "signed", "aktiv": "active",
    "afsluttet": "completed", "gennemfoert": "completed", "annulleret": "cancelled", "opsagt": "cancelled",
    "canceled": "cancelled",
}
MEASURE_TYPE_SYNONYMS = {
    "energieffektivisering": "energy_efficiency", "energibesparelse": "energy_efficiency",
    "braendselsskift": "fuel_switch", "elektrificering": "electrification", "overskudsvarme": "surplus_heat",
    "vedvarende_energi": "renewable_energy", "ve": "renewable_energy", "co2_fangst": "carbon_capture",
    "lavbundsjord": "land_use", "udtagning_af_lavbundsjord": "land_use", "arealanvendelse": "land_use",
    "foderadditiv": "feed_additive", "fodertilsaetning": "feed_additive", "gylle": "manure_handling",
    "gyllehaandtering": "manure_handling", "biokul": "biochar", "transport": "transport", "andet": "other",
}
METHOD_SYNONYMS = {"beregnet": "calculated", "standardfaktor": "standard_factor", "standardfaktorer": "standard_factor",
                   "maalt": "measured", "maaling": "measured", "skoen": "expert_estimate",
                   "ekspertskoen": "expert_estimate", "estimate": "expert_estimate", "estimat": "expert_estimate"}
ORGANISATION_KIND_SYNONYMS = {"virksomhed": "company", "landbrug": "farm", "bedrift": "farm", "forsyning": "utility",
                              "offentlig": "public", "andet": "other"}

# Model field -> import field, so a model's complaint is reported against the file's column.
# (Fields with the same name on both sides need no entry.)
PARTNERSHIP_FIELD_NAMES = {"name": "organisation_name", "kind": "organisation_kind", "source": "measure_source",
                           "location": "geometry"}


class PartnershipsImport(RecordByRecordImport):
    name = "partnerships"

    def fields(self):
        return [
            _external_id_field("partnership_id", "partnerskab_id", "sagsnummer", "sagsnr", "journalnummer",
                               "aftale_id"),
            text_field("title", _("title"), 200, ("titel", "partnership", "partnerskab", "aftale", "partnership_title"),
                       required=True),
            FieldSpec("sector", _("sector"), parse_choice(Sector, SECTOR_SYNONYMS), ("sektor", "spor"), required=True),
            FieldSpec("status", _("status"), parse_choice(ClimatePartnership.Status, PARTNERSHIP_STATUS_SYNONYMS),
                      ("partnership_status", "partnerskabsstatus", "aftalestatus")),
            FieldSpec("dialogue_started_on", _("dialogue started on"), parse_date,
                      ("dialog_startet", "dialog_start", "dialogue_started", "foerste_kontakt")),
            FieldSpec("signed_on", _("signed on"), parse_date,
                      ("signed", "signing_date", "underskrevet", "underskrevet_dato", "dato_underskrift",
                       "underskriftsdato", "aftaledato", "indgaaet")),
            FieldSpec("completed_on", _("completed on"), parse_date, ("afsluttet", "afsluttet_dato", "completed")),
            FieldSpec("cancelled_on", _("cancelled on"), parse_date, ("annulleret", "annulleret_dato", "cancelled")),
            text_field("notes", _("notes"), 10_000, ("noter", "bemaerkninger", "bemaerkning", "note")),
            FieldSpec("cvr", _("CVR number"), parse_cvr, ("cvr_nr", "cvr_nummer", "cvrnr", "virksomhed_cvr")),
            text_field("organisation_name", _("organisation"), 200,
                       ("organisation", "organization", "virksomhed", "virksomhedsnavn", "company", "firma",
                        "bedrift", "landbrug", "navn", "name", "partner")),
            FieldSpec("organisation_kind", _("organisation kind"), parse_choice(Organisation.Kind,
                                                                                 ORGANISATION_KIND_SYNONYMS),
                      ("organisationstype", "virksomhedstype", "kind")),
            text_field("address", _("address"), 300, ("adresse", "addresse", "virksomhedsadresse")),
            text_field("chr_number", _("CHR herd number"), 20, ("chr", "chr_nr", "chr_nummer", "besaetningsnummer")),
            text_field("measure_title", _("measure"), 200, ("tiltag", "measure", "tiltagsnavn")),
            FieldSpec("measure_type", _("measure type"), parse_choice(Measure.MeasureType, MEASURE_TYPE_SYNONYMS),
                      ("tiltagstype", "type")),
            FieldSpec("annual_reduction_t", _("expected reduction (t CO2e/yr)"),
                      parse_decimal(2, 12, negative_message=_("Tonnes cannot be negative.")),
                      ("tons_co2e", "ton_co2e", "t_co2e", "ton_co2e_aar", "t_co2e_aar", "reduktion", "reduktion_t",
                       "forventet_reduktion", "co2e_reduktion", "reduction", "reduction_t", "tonnes", "tons",
                       "expected_reduction", "co2_reduktion_ton")),
            FieldSpec("first_year", _("first year in effect"), parse_year(MIN_YEAR, MAX_YEAR),
                      ("foerste_aar", "fra_aar", "virkningsaar", "aar", "year", "from_year")),
            FieldSpec("method", _("estimation method"), parse_choice(Measure.Method, METHOD_SYNONYMS),
                      ("metode", "beregningsmetode", "estimation_method")),
            text_field("measure_source", _("source of the estimate"), 300, ("kilde", "source", "datakilde")),
        ]

    def allowed_geometry_types(self, values):
        return ("Point",)

    def identity(self, values):
        # One row per partnership, unless rows list several measures of it.
        ids = values["external_id"].fillna("")
        keys = ids.where(ids != "", values["cvr"].fillna("") + "|" + values["title"].fillna(""))
        return keys + "|" + values["measure_title"].fillna("")

    def key_label(self):
        return _("partnership and measure")

    def check(self, prepared):
        values = prepared.values
        for position in range(len(values)):
            if prepared.rejected[position]:
                continue
            row = values.iloc[position]
            if not _present(row.get("external_id")) and not _present(row.get("cvr")):
                prepared.reject(position, "cvr", _("The row needs a CVR number or an id, so that a re-import "
                                                   "updates this partnership instead of adding it again."))
            elif not _present(row.get("cvr")) and not _present(row.get("organisation_name")):
                prepared.reject(position, "organisation_name", _("The row names no organisation (name or CVR)."))
            if _present(row.get("annual_reduction_t")):
                for needed in ("measure_type", "first_year", "method"):
                    if not _present(row.get(needed)):
                        prepared.reject(position, needed, _("A row with tonnes needs the measure's %(field)s "
                                                            "(a column, or a default in the mapping file).")
                                        % {"field": needed.replace("_", " ")})

    def write_row(self, row, geometry, prepared, context, row_number):
        organisation = self._organisation(row, prepared, context)
        partnership = self._partnership(row, organisation)
        created = partnership._state.adding
        changed = assign(partnership, prepared, row, ("external_id", "title", "sector", "status", "dialogue_started_on",
                                                      "signed_on", "completed_on", "cancelled_on", "notes"))
        if changed:
            save_checked(partnership, context)
        membership, joined = PartnershipOrganisation.objects.get_or_create(
            partnership=partnership, organisation=organisation,
            defaults={"role": PartnershipOrganisation.Role.LEAD if created else PartnershipOrganisation.Role.PARTNER})
        changed |= joined
        if _present(row.get("annual_reduction_t")):
            changed |= self._measure(row, partnership, prepared, context, row_number)
        if geometry is not None:
            changed |= self._site(row, organisation, geometry, context)
        return "created" if created else "updated" if changed else "unchanged"

    def _organisation(self, row, prepared, context):
        organisation = Organisation.objects.filter(cvr=row["cvr"]).first() if _present(row.get("cvr")) else None
        if organisation is None and not _present(row.get("cvr")):
            organisation = Organisation.objects.filter(name=row.get("organisation_name"), cvr="").first()
        if organisation is None:
            sector = row.get("sector")
            organisation = Organisation(kind=Organisation.Kind.FARM if sector == Sector.AGRICULTURE
                                        else Organisation.Kind.COMPANY, name=row.get("organisation_name") or "")
        renames = {"organisation_name": "name", "organisation_kind": "kind"}
        fields_ = [f for f in ("cvr", "organisation_name", "organisation_kind", "address", "chr_number")
                   if _present(row.get(f)) or organisation._state.adding]
        if assign(organisation, prepared, row, fields_, renames):
            if not organisation.name:
                raise RowRejected([("organisation_name", _("A new organisation needs a name."))])
            save_checked(organisation, context, PARTNERSHIP_FIELD_NAMES)
        return organisation

    def _partnership(self, row, organisation):
        if _present(row.get("external_id")):
            found = ClimatePartnership.objects.filter(external_id=row["external_id"]).first()
        else:
            found = ClimatePartnership.objects.filter(memberships__organisation=organisation,
                                                      title=row["title"]).first()
        return found or ClimatePartnership()

    def _measure(self, row, partnership, prepared, context, row_number) -> bool:
        title = row.get("measure_title") or row["title"]
        measure = (Measure.objects.filter(partnership=partnership, title=title).first()
                   or Measure(partnership=partnership, title=title, entered_by=context.user))
        changed = assign(measure, prepared, row, ("measure_type", "annual_reduction_t", "first_year", "method"))
        source = row.get("measure_source") or f"{prepared.file_name}, row {row_number}"
        if measure.source != source and (measure._state.adding or _present(row.get("measure_source"))):
            measure.source, changed = source[:300], True
        if changed:
            save_checked(measure, context, PARTNERSHIP_FIELD_NAMES)
        return changed

    def _site(self, row, organisation, geometry, context) -> bool:
        location = GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=settings.STORAGE_SRID)
        name = row.get("address") or organisation.name
        site = (OrganisationSite.objects.filter(organisation=organisation, name=name).first()
                or OrganisationSite(organisation=organisation, name=name, address=row.get("address") or ""))
        if not site._state.adding and site.location.equals_exact(location, 0.01):
            return False
        site.location = location
        save_checked(site, context, PARTNERSHIP_FIELD_NAMES)
        return True


# ------------------------------------------------------------------------------------------ symbioses

SYMBIOSIS_STATUS_SYNONYMS = {"ide": "idea", "forundersoegelse": "feasibility", "aftalt": "agreed",
                             "under_opfoerelse": "under_construction", "i_drift": "operating",
                             "annulleret": "cancelled", "canceled": "cancelled"}
NETWORK_KIND_SYNONYMS = {"fjernvarme": "heating", "district_heating": "heating", "fjernkoeling": "cooling",
                         "district_cooling": "cooling"}


class KeyedByIdOrName(RecordByRecordImport):
    """Records matched on their external id, or on their name when the file has no id column."""

    def no_id_notice(self) -> str:
        raise NotImplementedError

    def identity(self, values):
        ids = values["external_id"].fillna("")
        return ids.where(ids != "", values["name"])

    def check(self, prepared):
        if not prepared.present("external_id"):
            prepared.notices.append(self.no_id_notice())


class SymbiosesImport(KeyedByIdOrName):
    name = "symbioses"

    def fields(self):
        return [
            _external_id_field("symbiose_id", "symbiosis_id"),
            text_field("name", _("name"), 200, ("navn", "title", "titel", "symbiose"), required=True),
            FieldSpec("source_cvr", _("heat source CVR"), parse_cvr, ("cvr", "cvr_nr", "kilde_cvr", "leverandoer_cvr")),
            text_field("source_description", _("heat source"), 300,
                       ("heat_source", "varmekilde", "kilde", "overskudsvarmekilde", "source"), required=True),
            text_field("receiving_network", _("receiving network"), 200,
                       ("network", "net", "fjernvarmenet", "modtager", "fjernvarmeselskab", "aftager"), required=True),
            FieldSpec("network_kind", _("network kind"), parse_choice(HeatSymbiosis.NetworkKind, NETWORK_KIND_SYNONYMS),
                      ("nettype", "network_type")),
            FieldSpec("status", _("status"), parse_choice(HeatSymbiosis.Status, SYMBIOSIS_STATUS_SYNONYMS), ()),
            FieldSpec("capacity_mw", _("capacity (MW)"), parse_decimal(3, 10),
                      ("capacity", "kapacitet", "kapacitet_mw", "effekt_mw", "mw"), required=True,
                      scaled_aliases={"capacity_kw": 0.001, "kapacitet_kw": 0.001, "effekt_kw": 0.001}),
            FieldSpec("heat_mwh_per_yr", _("heat delivered (MWh/yr)"), parse_decimal(1, 14),
                      ("heat_mwh", "varme_mwh", "mwh", "mwh_aar", "varmemaengde", "varmemaengde_mwh", "leveret_mwh"),
                      required=True, scaled_aliases={"varme_gj": 1 / 3.6, "gj": 1 / 3.6, "gj_aar": 1 / 3.6}),
            FieldSpec("supply_temperature_c", _("supply temperature (°C)"), parse_decimal(1, 5, allow_negative=True),
                      ("temperatur", "temperature", "fremloebstemperatur", "temp_c", "temperatur_c")),
            text_field("description", _("description"), 10_000, ("beskrivelse", "note", "noter")),
        ]

    def allowed_geometry_types(self, values):
        return ("Point", "LineString", "MultiLineString")

    def no_id_notice(self):
        return _("The file has no id column; a re-import recognises a symbiosis by its name.")

    def write_row(self, row, geometry, prepared, context, row_number):
        key = row.get("external_id")
        found = (HeatSymbiosis.objects.filter(external_id=key).first() if _present(key)
                 else HeatSymbiosis.objects.filter(name=row["name"]).first())
        symbiosis = found or HeatSymbiosis()
        created = symbiosis._state.adding
        changed = assign(symbiosis, prepared, row, ("external_id", "name", "source_description", "receiving_network",
                                                    "network_kind", "status", "capacity_mw", "heat_mwh_per_yr",
                                                    "supply_temperature_c", "description"))
        changed |= _link_organisation(symbiosis, "source_organisation", row, "source_cvr")
        if geometry is not None:
            changed |= _place_symbiosis(symbiosis, geometry)
        if changed:
            save_checked(symbiosis, context, {"source_location": "geometry", "pipe_route": "geometry"})
        return "created" if created else "updated" if changed else "unchanged"


def _link_organisation(instance, attribute: str, row, cvr_field: str) -> bool:
    """Point instance.<attribute> at the organisation with the row's CVR; True when that changed it."""
    if not _present(row.get(cvr_field)):
        return False
    organisation = Organisation.objects.filter(cvr=row[cvr_field]).first()
    if organisation is None:
        raise RowRejected([(cvr_field, _("No organisation with CVR %(cvr)s in the registry; add it "
                                         "(or import partnerships) first.") % {"cvr": row[cvr_field]})])
    if getattr(instance, f"{attribute}_id") == organisation.pk:
        return False
    setattr(instance, attribute, organisation)
    return True


def _geos(geometry) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=settings.STORAGE_SRID)


def _place(instance, attribute: str, geometry) -> bool:
    geos = _geos(geometry)
    current = getattr(instance, attribute)
    if current is not None and current.geom_type == geos.geom_type and current.equals_exact(geos, 0.01):
        return False
    setattr(instance, attribute, geos)
    return True


def _find(model, row, **natural_key):
    """The record a row speaks about: by external id when the file has one, else by its natural key."""
    key = row.get("external_id")
    return (model.objects.filter(external_id=key).first() if _present(key)
            else model.objects.filter(**natural_key).first())


def _place_symbiosis(symbiosis, geometry) -> bool:
    """A point is the heat source; a line is the pipe route (its start is the source when none is given)."""
    if geometry.geom_type == "MultiLineString":
        geometry = shapely.line_merge(geometry)
    geos = _geos(geometry)
    attribute = "source_location" if geos.geom_type == "Point" else "pipe_route"
    current = getattr(symbiosis, attribute)
    if current is not None and current.equals_exact(geos, 0.01):
        return False
    setattr(symbiosis, attribute, geos)
    if attribute == "pipe_route" and symbiosis.source_location is None and geos.geom_type == "LineString":
        symbiosis.source_location = GEOSGeometry(f"POINT ({geos.coords[0][0]} {geos.coords[0][1]})",
                                                 srid=settings.STORAGE_SRID)
    return True


# ---------------------------------------------------------------------------------------------- heat

class HeatSourcesImport(KeyedByIdOrName):
    """Places with surplus heat (a consultant's mapping, the energy audit of a company): the opportunities' sources."""

    name = "heat-sources"
    geometry_required = True

    def fields(self):
        return [
            _external_id_field("kilde_id", "source_id"),
            text_field("name", _("name"), 200, ("navn", "title", "titel", "varmekilde", "heat_source", "kilde"),
                       required=True),
            FieldSpec("organisation_cvr", _("CVR number"), parse_cvr, ("cvr", "cvr_nr", "cvr_nummer", "virksomhed_cvr")),
            FieldSpec("surplus_heat_mwh_per_yr", _("surplus heat (MWh/yr)"), parse_decimal(1, 14),
                      ("surplus_heat", "overskudsvarme", "overskudsvarme_mwh", "varme_mwh", "mwh", "mwh_aar",
                       "heat_mwh", "potentiale_mwh"), required=True,
                      scaled_aliases={"overskudsvarme_gj": 1 / 3.6, "varme_gj": 1 / 3.6, "gj": 1 / 3.6}),
            FieldSpec("temperature_c", _("temperature (°C)"), parse_decimal(1, 5, allow_negative=True),
                      ("temperatur", "temperature", "temp_c", "temperatur_c", "temp"), required=True),
            FieldSpec("capacity_mw", _("capacity (MW)"), parse_decimal(3, 10),
                      ("capacity", "kapacitet", "kapacitet_mw", "effekt_mw", "mw"),
                      scaled_aliases={"capacity_kw": 0.001, "kapacitet_kw": 0.001, "effekt_kw": 0.001}),
            text_field("description", _("description"), 10_000, ("beskrivelse", "note", "noter")),
            text_field("data_source", _("data source"), 300, ("kilde_data", "datakilde", "source_of_data")),
        ]

    def allowed_geometry_types(self, values):
        return ("Point",)

    def no_id_notice(self):
        return _("The file has no id column; a re-import recognises a heat source by its name.")

    def write_row(self, row, geometry, prepared, context, row_number):
        source = _find(HeatSource, row, name=row["name"]) or HeatSource()
        created = source._state.adding
        changed = assign(source, prepared, row, ("external_id", "name", "surplus_heat_mwh_per_yr", "temperature_c",
                                                 "capacity_mw", "description", "data_source"))
        changed |= _link_organisation(source, "organisation", row, "organisation_cvr")
        changed |= _place(source, "location", geometry)
        if changed:
            save_checked(source, context, {"location": "geometry", "organisation": "organisation_cvr"})
        return "created" if created else "updated" if changed else "unchanged"


class HeatingNetworksImport(KeyedByIdOrName):
    """District heating supply areas (polygons) or pipes (lines), e.g. the utility's own GIS layer."""

    name = "heating-networks"
    geometry_required = True

    def fields(self):
        return [
            _external_id_field("net_id", "network_id", "omraade_id", "forsyningsomraade_id"),
            text_field("name", _("name"), 200, ("navn", "title", "titel", "omraade", "forsyningsomraade",
                                                "fjernvarmeomraade", "network", "net"), required=True),
            FieldSpec("operator_cvr", _("CVR number"), parse_cvr, ("cvr", "cvr_nr", "selskab_cvr", "operator")),
            FieldSpec("network_kind", _("network kind"), parse_choice(HeatSymbiosis.NetworkKind, NETWORK_KIND_SYNONYMS),
                      ("nettype", "network_type", "type")),
            FieldSpec("supply_temperature_c", _("supply temperature (°C)"), parse_decimal(1, 5, allow_negative=True),
                      ("temperatur", "temperature", "fremloebstemperatur", "fremloeb", "temp_c")),
            text_field("description", _("description"), 10_000, ("beskrivelse", "note", "noter")),
            text_field("data_source", _("data source"), 300, ("datakilde", "source")),
        ]

    def allowed_geometry_types(self, values):
        return ("Polygon", "MultiPolygon", "LineString", "MultiLineString")

    def no_id_notice(self):
        return _("The file has no id column; a re-import recognises a network by its name.")

    def write_row(self, row, geometry, prepared, context, row_number):
        network = _find(HeatingNetwork, row, name=row["name"]) or HeatingNetwork()
        created = network._state.adding
        changed = assign(network, prepared, row, ("external_id", "name", "network_kind", "supply_temperature_c",
                                                  "description", "data_source"))
        changed |= _link_organisation(network, "operator", row, "operator_cvr")
        changed |= _place(network, "geometry", geometry)
        if changed:
            save_checked(network, context, {"operator": "operator_cvr"})
        return "created" if created else "updated" if changed else "unchanged"


KINDS = {kind.name: kind for kind in (SitesImport(), PartnershipsImport(), SymbiosesImport(), HeatSourcesImport(),
                                      HeatingNetworksImport())}
