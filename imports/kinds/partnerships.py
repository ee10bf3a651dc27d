"""Climate partnerships: a row is a partnership and its organisation, and perhaps a measure and a site.

Saved through the models' full_clean(), so the lifecycle and date rules are those of the forms and the API.
"""

from django.utils.translation import gettext as _

from core.validators import MAX_YEAR, MIN_YEAR
from partnerships.models import ClimatePartnership, Measure, PartnershipOrganisation, Sector
from registry.models import Organisation, OrganisationSite

from ..columns import FieldSpec, parse_choice, parse_cvr, parse_date, parse_decimal, parse_year
from ..errors import RowRejected
from .base import RecordByRecordImport, assign, external_id_spec, has_value, save_checked, text_spec, to_geos
from .synonyms import (
    MEASURE_TYPE_SYNONYMS,
    METHOD_SYNONYMS,
    ORGANISATION_KIND_SYNONYMS,
    PARTNERSHIP_STATUS_SYNONYMS,
    SECTOR_SYNONYMS,
)

# Model field -> import field, so a model's complaint is reported against the file's column.
# (Fields with the same name on both sides need no entry.)
PARTNERSHIP_FIELD_NAMES = {
    "name": "organisation_name",
    "kind": "organisation_kind",
    "source": "measure_source",
    "location": "geometry",
}


class PartnershipsImport(RecordByRecordImport):
    name = "partnerships"

    def fields(self):
        """In the order reports and templates show them."""
        return [*self._partnership_fields(), *self._organisation_fields(), *self._measure_fields()]

    def _partnership_fields(self):
        """The partnership itself: its key, title, sector and lifecycle dates."""
        return [
            external_id_spec("partnership_id", "partnerskab_id", "sagsnummer", "sagsnr", "journalnummer", "aftale_id"),
            text_spec(
                "title",
                _("title"),
                200,
                ("titel", "partnership", "partnerskab", "aftale", "partnership_title"),
                required=True,
            ),
            FieldSpec("sector", _("sector"), parse_choice(Sector, SECTOR_SYNONYMS), ("sektor", "spor"), required=True),
            FieldSpec(
                "status",
                _("status"),
                parse_choice(ClimatePartnership.Status, PARTNERSHIP_STATUS_SYNONYMS),
                ("partnership_status", "partnerskabsstatus", "aftalestatus"),
            ),
            FieldSpec(
                "dialogue_started_on",
                _("dialogue started on"),
                parse_date,
                ("dialog_startet", "dialog_start", "dialogue_started", "foerste_kontakt"),
            ),
            FieldSpec(
                "signed_on",
                _("signed on"),
                parse_date,
                (
                    "signed",
                    "signing_date",
                    "underskrevet",
                    "underskrevet_dato",
                    "dato_underskrift",
                    "underskriftsdato",
                    "aftaledato",
                    "indgaaet",
                ),
            ),
            FieldSpec("completed_on", _("completed on"), parse_date, ("afsluttet", "afsluttet_dato", "completed")),
            FieldSpec("cancelled_on", _("cancelled on"), parse_date, ("annulleret", "annulleret_dato", "cancelled")),
            text_spec("notes", _("notes"), 10_000, ("noter", "bemaerkninger", "bemaerkning", "note")),
        ]

    def _organisation_fields(self):
        """The organisation the partnership is with, matched by CVR or name."""
        return [
            FieldSpec("cvr", _("CVR number"), parse_cvr, ("cvr_nr", "cvr_nummer", "cvrnr", "virksomhed_cvr")),
            text_spec(
                "organisation_name",
                _("organisation"),
                200,
                (
                    "organisation",
                    "organization",
                    "virksomhed",
                    "virksomhedsnavn",
                    "company",
                    "firma",
                    "bedrift",
                    "landbrug",
                    "navn",
                    "name",
                    "partner",
                ),
            ),
            FieldSpec(
                "organisation_kind",
                _("organisation kind"),
                parse_choice(Organisation.Kind, ORGANISATION_KIND_SYNONYMS),
                ("organisationstype", "virksomhedstype", "kind"),
            ),
            text_spec("address", _("address"), 300, ("adresse", "addresse", "virksomhedsadresse")),
            text_spec("chr_number", _("CHR herd number"), 20, ("chr", "chr_nr", "chr_nummer", "besaetningsnummer")),
        ]

    def _measure_fields(self):
        """The measure it commits to, if the row has one, and its expected reduction."""
        return [
            text_spec("measure_title", _("measure"), 200, ("tiltag", "measure", "tiltagsnavn")),
            FieldSpec(
                "measure_type",
                _("measure type"),
                parse_choice(Measure.MeasureType, MEASURE_TYPE_SYNONYMS),
                ("tiltagstype", "type"),
            ),
            FieldSpec(
                "annual_reduction_t",
                _("expected reduction (t CO2e/yr)"),
                parse_decimal(2, 12, negative_message=_("Tonnes cannot be negative.")),
                (
                    "tons_co2e",
                    "ton_co2e",
                    "t_co2e",
                    "ton_co2e_aar",
                    "t_co2e_aar",
                    "reduktion",
                    "reduktion_t",
                    "forventet_reduktion",
                    "co2e_reduktion",
                    "reduction",
                    "reduction_t",
                    "tonnes",
                    "tons",
                    "expected_reduction",
                    "co2_reduktion_ton",
                ),
            ),
            FieldSpec(
                "first_year",
                _("first year in effect"),
                parse_year(MIN_YEAR, MAX_YEAR),
                ("foerste_aar", "fra_aar", "virkningsaar", "aar", "year", "from_year"),
            ),
            FieldSpec(
                "method",
                _("estimation method"),
                parse_choice(Measure.Method, METHOD_SYNONYMS),
                ("metode", "beregningsmetode", "estimation_method"),
            ),
            text_spec("measure_source", _("source of the estimate"), 300, ("kilde", "source", "datakilde")),
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
            if not has_value(row.get("external_id")) and not has_value(row.get("cvr")):
                prepared.reject(
                    position,
                    "cvr",
                    _(
                        "The row needs a CVR number or an id, so that a re-import "
                        "updates this partnership instead of adding it again."
                    ),
                )
            elif not has_value(row.get("cvr")) and not has_value(row.get("organisation_name")):
                prepared.reject(position, "organisation_name", _("The row names no organisation (name or CVR)."))
            if has_value(row.get("annual_reduction_t")):
                for needed in ("measure_type", "first_year", "method"):
                    if not has_value(row.get(needed)):
                        prepared.reject(
                            position,
                            needed,
                            _(
                                "A row with tonnes needs the measure's %(field)s "
                                "(a column, or a default in the mapping file)."
                            )
                            % {"field": needed.replace("_", " ")},
                        )

    def write_row(self, row, geometry, prepared, context, row_number):
        organisation = self._organisation(row, prepared, context)
        partnership = self._partnership(row, organisation)
        created = partnership._state.adding
        changed = assign(
            partnership,
            prepared,
            row,
            (
                "external_id",
                "title",
                "sector",
                "status",
                "dialogue_started_on",
                "signed_on",
                "completed_on",
                "cancelled_on",
                "notes",
            ),
        )
        if changed and created:  # a partnership of the past is recorded through its moves, each one checked
            partnership.save_through_lifecycle(lambda p: save_checked(p, context))
        elif changed:
            save_checked(partnership, context)
        membership, joined = PartnershipOrganisation.objects.get_or_create(
            partnership=partnership,
            organisation=organisation,
            defaults={"role": PartnershipOrganisation.Role.LEAD if created else PartnershipOrganisation.Role.PARTNER},
        )
        changed |= joined
        if has_value(row.get("annual_reduction_t")):
            changed |= self._measure(row, partnership, prepared, context, row_number)
        if geometry is not None:
            changed |= self._site(row, organisation, geometry, context)
        return "created" if created else "updated" if changed else "unchanged"

    def _organisation(self, row, prepared, context):
        organisation = Organisation.objects.filter(cvr=row["cvr"]).first() if has_value(row.get("cvr")) else None
        if organisation is None and not has_value(row.get("cvr")):
            organisation = Organisation.objects.filter(name=row.get("organisation_name"), cvr="").first()
        if organisation is None:
            sector = row.get("sector")
            organisation = Organisation(
                kind=Organisation.Kind.FARM if sector == Sector.AGRICULTURE else Organisation.Kind.COMPANY,
                name=row.get("organisation_name") or "",
            )
        renames = {"organisation_name": "name", "organisation_kind": "kind"}
        fields_ = [
            f
            for f in ("cvr", "organisation_name", "organisation_kind", "address", "chr_number")
            if has_value(row.get(f)) or organisation._state.adding
        ]
        if assign(organisation, prepared, row, fields_, renames):
            if not organisation.name:
                raise RowRejected([("organisation_name", _("A new organisation needs a name."))])
            save_checked(organisation, context, PARTNERSHIP_FIELD_NAMES)
        return organisation

    def _partnership(self, row, organisation):
        if has_value(row.get("external_id")):
            found = ClimatePartnership.objects.filter(external_id=row["external_id"]).first()
        else:
            found = ClimatePartnership.objects.filter(
                memberships__organisation=organisation, title=row["title"]
            ).first()
        return found or ClimatePartnership()

    def _measure(self, row, partnership, prepared, context, row_number) -> bool:
        title = row.get("measure_title") or row["title"]
        measure = Measure.objects.filter(partnership=partnership, title=title).first() or Measure(
            partnership=partnership, title=title, entered_by=context.user
        )
        changed = assign(measure, prepared, row, ("measure_type", "annual_reduction_t", "first_year", "method"))
        source = row.get("measure_source") or f"{prepared.file_name}, row {row_number}"
        if measure.source != source and (measure._state.adding or has_value(row.get("measure_source"))):
            measure.source, changed = source[:300], True
        if changed:
            save_checked(measure, context, PARTNERSHIP_FIELD_NAMES)
        return changed

    def _site(self, row, organisation, geometry, context) -> bool:
        location = to_geos(geometry)
        name = row.get("address") or organisation.name
        site = OrganisationSite.objects.filter(organisation=organisation, name=name).first() or OrganisationSite(
            organisation=organisation, name=name, address=row.get("address") or ""
        )
        if not site._state.adding and site.location.equals_exact(location, 0.01):
            return False
        site.location = location
        save_checked(site, context, PARTNERSHIP_FIELD_NAMES)
        return True
