"""Heat symbioses: surplus heat from a source to a receiving network, placed at the source or along the pipe."""

import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.utils.translation import gettext as _

from registry.models import HeatSymbiosis

from ..columns import FieldSpec, parse_choice, parse_cvr, parse_decimal
from .base import KeyedByIdOrName, external_id_spec, text_spec, to_geos
from .synonyms import NETWORK_KIND_SYNONYMS, SYMBIOSIS_STATUS_SYNONYMS


class SymbiosesImport(KeyedByIdOrName):
    name = "symbioses"
    model = HeatSymbiosis
    assigned_fields = (
        "external_id",
        "name",
        "source_description",
        "receiving_network",
        "network_kind",
        "status",
        "capacity_mw",
        "heat_mwh_per_yr",
        "supply_temperature_c",
        "description",
    )
    organisation_attribute, organisation_cvr_field = "source_organisation", "source_cvr"
    field_names = {"source_location": "geometry", "pipe_route": "geometry"}

    def fields(self):
        return [
            external_id_spec("symbiose_id", "symbiosis_id"),
            text_spec("name", _("name"), 200, ("navn", "title", "titel", "symbiose"), required=True),
            FieldSpec("source_cvr", _("heat source CVR"), parse_cvr, ("cvr", "cvr_nr", "kilde_cvr", "leverandoer_cvr")),
            text_spec(
                "source_description",
                _("heat source"),
                300,
                ("heat_source", "varmekilde", "kilde", "overskudsvarmekilde", "source"),
                required=True,
            ),
            text_spec(
                "receiving_network",
                _("receiving network"),
                200,
                ("network", "net", "fjernvarmenet", "modtager", "fjernvarmeselskab", "aftager"),
                required=True,
            ),
            FieldSpec(
                "network_kind",
                _("network kind"),
                parse_choice(HeatSymbiosis.NetworkKind, NETWORK_KIND_SYNONYMS),
                ("nettype", "network_type"),
            ),
            FieldSpec("status", _("status"), parse_choice(HeatSymbiosis.Status, SYMBIOSIS_STATUS_SYNONYMS), ()),
            FieldSpec(
                "capacity_mw",
                _("capacity (MW)"),
                parse_decimal(3, 10),
                ("capacity", "kapacitet", "kapacitet_mw", "effekt_mw", "mw"),
                required=True,
                scaled_aliases={"capacity_kw": 0.001, "kapacitet_kw": 0.001, "effekt_kw": 0.001},
            ),
            FieldSpec(
                "heat_mwh_per_yr",
                _("heat delivered (MWh/yr)"),
                parse_decimal(1, 14),
                ("heat_mwh", "varme_mwh", "mwh", "mwh_aar", "varmemaengde", "varmemaengde_mwh", "leveret_mwh"),
                required=True,
                scaled_aliases={"varme_gj": 1 / 3.6, "gj": 1 / 3.6, "gj_aar": 1 / 3.6},
            ),
            FieldSpec(
                "supply_temperature_c",
                _("supply temperature (°C)"),
                parse_decimal(1, 5, allow_negative=True),
                ("temperatur", "temperature", "fremloebstemperatur", "temp_c", "temperatur_c"),
            ),
            text_spec("description", _("description"), 10_000, ("beskrivelse", "note", "noter")),
        ]

    def allowed_geometry_types(self, values):
        return ("Point", "LineString", "MultiLineString")

    def no_id_notice(self):
        return _("The file has no id column; a re-import recognises a symbiosis by its name.")

    def place_geometry(self, record, geometry) -> bool:
        """A point is the heat source; a line is the pipe route (its start is the source when none is given).
        The geometry is optional here: a row without one leaves both as they are."""
        if geometry is None:
            return False
        if geometry.geom_type == "MultiLineString":
            geometry = shapely.line_merge(geometry)
        geos = to_geos(geometry)
        attribute = "source_location" if geos.geom_type == "Point" else "pipe_route"
        current = getattr(record, attribute)
        if current is not None and current.equals_exact(geos, 0.01):
            return False
        setattr(record, attribute, geos)
        if attribute == "pipe_route" and record.source_location is None and geos.geom_type == "LineString":
            record.source_location = GEOSGeometry(
                f"POINT ({geos.coords[0][0]} {geos.coords[0][1]})", srid=settings.STORAGE_SRID
            )
        return True
