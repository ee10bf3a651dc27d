"""Heat sources: places with surplus heat, the heat opportunities' sources."""

from django.utils.translation import gettext as _

from registry.models import HeatSource

from ..columns import FieldSpec, parse_cvr, parse_decimal
from .base import KeyedByIdOrName, external_id_spec, text_spec


class HeatSourcesImport(KeyedByIdOrName):
    """Places with surplus heat (a consultant's mapping, the energy audit of a company): the opportunities' sources."""

    name = "heat-sources"
    geometry_required = True
    model = HeatSource
    assigned_fields = (
        "external_id",
        "name",
        "surplus_heat_mwh_per_yr",
        "temperature_c",
        "capacity_mw",
        "description",
        "data_source",
    )
    organisation_attribute, organisation_cvr_field = "organisation", "organisation_cvr"
    geometry_attribute = "location"
    field_names = {"location": "geometry", "organisation": "organisation_cvr"}

    def fields(self):
        return [
            external_id_spec("kilde_id", "source_id"),
            text_spec(
                "name", _("name"), 200, ("navn", "title", "titel", "varmekilde", "heat_source", "kilde"), required=True
            ),
            FieldSpec(
                "organisation_cvr", _("CVR number"), parse_cvr, ("cvr", "cvr_nr", "cvr_nummer", "virksomhed_cvr")
            ),
            FieldSpec(
                "surplus_heat_mwh_per_yr",
                _("surplus heat (MWh/yr)"),
                parse_decimal(1, 14),
                (
                    "surplus_heat",
                    "overskudsvarme",
                    "overskudsvarme_mwh",
                    "varme_mwh",
                    "mwh",
                    "mwh_aar",
                    "heat_mwh",
                    "potentiale_mwh",
                ),
                required=True,
                scaled_aliases={"overskudsvarme_gj": 1 / 3.6, "varme_gj": 1 / 3.6, "gj": 1 / 3.6},
            ),
            FieldSpec(
                "temperature_c",
                _("temperature (°C)"),
                parse_decimal(1, 5, allow_negative=True),
                ("temperatur", "temperature", "temp_c", "temperatur_c", "temp"),
                required=True,
            ),
            FieldSpec(
                "capacity_mw",
                _("capacity (MW)"),
                parse_decimal(3, 10),
                ("capacity", "kapacitet", "kapacitet_mw", "effekt_mw", "mw"),
                scaled_aliases={"capacity_kw": 0.001, "kapacitet_kw": 0.001, "effekt_kw": 0.001},
            ),
            text_spec("description", _("description"), 10_000, ("beskrivelse", "note", "noter")),
            text_spec("data_source", _("data source"), 300, ("kilde_data", "datakilde", "source_of_data")),
        ]

    def allowed_geometry_types(self, values):
        return ("Point",)

    def no_id_notice(self):
        return _("The file has no id column; a re-import recognises a heat source by its name.")
