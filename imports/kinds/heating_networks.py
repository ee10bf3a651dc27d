"""Heating networks: district heating supply areas or pipes, where the heat opportunities' heat would go."""

from django.utils.translation import gettext as _

from registry.models import HeatingNetwork, HeatSymbiosis

from ..columns import FieldSpec, parse_choice, parse_cvr, parse_decimal
from .base import KeyedByIdOrName, external_id_spec, text_spec
from .synonyms import NETWORK_KIND_SYNONYMS


class HeatingNetworksImport(KeyedByIdOrName):
    """District heating supply areas (polygons) or pipes (lines), e.g. the utility's own GIS layer."""

    name = "heating-networks"
    geometry_required = True
    model = HeatingNetwork
    assigned_fields = ("external_id", "name", "network_kind", "supply_temperature_c", "description", "data_source")
    organisation_attribute, organisation_cvr_field = "operator", "operator_cvr"
    geometry_attribute = "geometry"
    field_names = {"operator": "operator_cvr"}

    def fields(self):
        return [
            external_id_spec("net_id", "network_id", "omraade_id", "forsyningsomraade_id"),
            text_spec(
                "name",
                _("name"),
                200,
                ("navn", "title", "titel", "omraade", "forsyningsomraade", "fjernvarmeomraade", "network", "net"),
                required=True,
            ),
            FieldSpec("operator_cvr", _("CVR number"), parse_cvr, ("cvr", "cvr_nr", "selskab_cvr", "operator")),
            FieldSpec(
                "network_kind",
                _("network kind"),
                parse_choice(HeatSymbiosis.NetworkKind, NETWORK_KIND_SYNONYMS),
                ("nettype", "network_type", "type"),
            ),
            FieldSpec(
                "supply_temperature_c",
                _("supply temperature (°C)"),
                parse_decimal(1, 5, allow_negative=True),
                ("temperatur", "temperature", "fremloebstemperatur", "fremloeb", "temp_c"),
            ),
            text_spec("description", _("description"), 10_000, ("beskrivelse", "note", "noter")),
            text_spec("data_source", _("data source"), 300, ("datakilde", "source")),
        ]

    def allowed_geometry_types(self, values):
        return ("Polygon", "MultiPolygon", "LineString", "MultiLineString")

    def no_id_notice(self):
        return _("The file has no id column; a re-import recognises a network by its name.")
