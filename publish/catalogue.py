"""Every published layer, declared once. Tiles, exports and OGC API read this catalogue and nothing else.

A layer is an API list (its filters and visibility) drawn at one geometry; each property says in which outputs it
appears (exports: files, OGC: OGC API features, tiles: the map's vector tiles, kept small).
"""

from django.db.models import IntegerField
from django.db.models.functions import Cast, ExtractYear
from django.utils.translation import gettext_lazy as _

from partnerships.api.views import PartnershipViewSet
from partnerships.models.measures import site_tonnes
from registry import heat_opportunities
from registry.api.heat import HeatingNetworkViewSet, HeatSourceViewSet, OpportunityQuery
from registry.api.views import EnergySiteViewSet, HeatSymbiosisViewSet, OrganisationSiteViewSet

from .layers import AREAS, LINES, PIPES, POINTS, DrawnAtPartnersLayer, Layer, LayerQuery, Output, Property

EXPORT, OGC, TILE = Output.EXPORT, Output.OGC, Output.TILE
ALL = EXPORT | OGC | TILE
POINT_TYPES, LINE_TYPES, POLYGON_TYPES = ("Point",), ("LineString", "MultiLineString"), ("Polygon", "MultiPolygon")
UPDATED_AT = Property("updated_at", outputs=OGC)


class OpportunityLayer(Layer):
    """The ranked surplus-heat candidates, costed with the request's assumptions (as /api/heat-opportunities/)."""

    def export_query(self, request, srid: int) -> LayerQuery:
        filters, assumptions, ordering = OpportunityQuery.parse(request.query_params)
        sql, params = heat_opportunities.candidates_sql(filters, assumptions, ordering)
        columns = ", ".join(p.name for p in self.properties_for(EXPORT))
        sql = f"SELECT {columns}, ST_Transform(connection, %(srid)s) AS geom FROM ({sql}) c"
        return LayerQuery(sql, {**params, "srid": srid}, feature_id="t.source_id")


OPPORTUNITY_TYPES = {
    "rank": "integer",
    "source_id": "integer",
    "source_name": "string",
    "organisation_id": "integer",
    "organisation_name": "string",
    "heat_delivered_mwh_per_yr": "number",
    "source_temperature_c": "number",
    "network_id": "integer",
    "network_name": "string",
    "network_kind": "string",
    "network_supply_temperature_c": "number",
    "distance_m": "number",
    "pipe_cost_dkk": "number",
    "co2e_displaced_t_per_yr": "number",
    "pipe_cost_dkk_per_t_per_yr": "number",
    "needs_heat_pump": "boolean",
    "proposed_symbiosis_id": "integer",
}

LAYERS = (
    Layer(
        "sites",
        _("Energy sites"),
        _(
            "Planned and existing wind, solar, biogas, CO2 capture, Power-to-X, biochar, grass protein sites and "
            "hydrogen/CO2 pipes."
        ),
        EnergySiteViewSet,
        "geometry",
        ("Point", "MultiPoint", *POLYGON_TYPES, *LINE_TYPES),
        (
            Property("external_id"),
            Property("name", outputs=ALL),
            Property("site_type", outputs=ALL),
            Property("planning_status", outputs=ALL),
            Property("capacity", outputs=ALL),
            Property("capacity_unit", outputs=ALL),
            Property("operator", outputs=OGC),
            Property("operator_name", "operator__name", label=_("operator")),
            Property("commissioning_year"),
            Property("municipality_code", outputs=ALL),
            Property("description"),
            Property("data_source"),
            Property("committed_t", site_tonnes("committed"), type="number", label=_("committed t CO2e/yr")),
            Property("pipeline_t", site_tonnes("pipeline"), type="number", label=_("pipeline t CO2e/yr")),
            UPDATED_AT,
        ),
        outputs=ALL,
        temporal="commissioning_year",
        temporal_is_year=True,
        parts=(POINTS, AREAS, LINES),
    ),
    DrawnAtPartnersLayer(
        "partnerships",
        _("Climate partnerships"),
        _("Climate partnerships with companies and farms, drawn at their organisations' sites."),
        PartnershipViewSet,
        "memberships__organisation__sites__location",
        POINT_TYPES,
        (
            Property("external_id"),
            Property("title", outputs=ALL),
            Property("sector", outputs=ALL),
            Property("status", outputs=ALL),
            Property("dialogue_started_on", outputs=OGC),
            Property("signed_on"),
            Property("completed_on", outputs=OGC),
            Property("cancelled_on", outputs=OGC),
            Property(
                "year_signed",
                Cast(ExtractYear("signed_on"), IntegerField()),
                outputs=TILE,
                type="integer",
                label=_("year signed"),
            ),
            UPDATED_AT,
            # one feature per partnership and site: where exports and tiles draw it
            Property(
                "organisation_name", "memberships__organisation__name", outputs=EXPORT | TILE, label=_("organisation")
            ),
            Property("cvr", "memberships__organisation__cvr", outputs=EXPORT),
            Property("role", "memberships__role", outputs=EXPORT | TILE),
            Property("site_id", "memberships__organisation__sites__id", outputs=EXPORT, label=_("site")),
            Property("site_name", "memberships__organisation__sites__name", outputs=EXPORT | TILE, label=_("site")),
        ),
        outputs=ALL,
        temporal="signed_on",
    ),
    Layer(
        "organisation-sites",
        _("Organisation sites"),
        _("Where partner organisations operate (factories, farms)."),
        OrganisationSiteViewSet,
        "location",
        POINT_TYPES,
        (
            Property("external_id"),
            Property("name"),
            Property("address"),
            Property("organisation"),
            Property("organisation_name", "organisation__name", label=_("organisation")),
            Property("cvr", "organisation__cvr"),
            UPDATED_AT,
        ),
        outputs=OGC,
    ),
    Layer(
        "symbioses",
        _("Surplus-heat symbioses"),
        _("Surplus heat delivered into district heating: the pipe routes."),
        HeatSymbiosisViewSet,
        "pipe_route",
        ("LineString",),
        (
            Property("external_id"),
            Property("name", outputs=ALL),
            Property("source_organisation", outputs=OGC),
            Property(
                "source_organisation_name", "source_organisation__name", outputs=ALL, label=_("source organisation")
            ),
            Property("source_description"),
            Property("receiving_network", outputs=ALL),
            Property("network_kind"),
            Property("status", outputs=ALL),
            Property("capacity_mw", outputs=ALL),
            Property("heat_mwh_per_yr", outputs=ALL),
            Property("supply_temperature_c"),
            Property("heat_source", outputs=OGC),
            UPDATED_AT,
        ),
        outputs=ALL,
    ),
    Layer(
        "heat-sources",
        _("Surplus-heat sources"),
        _("Places with surplus heat to give, with MWh/yr and temperature."),
        HeatSourceViewSet,
        "location",
        POINT_TYPES,
        (
            Property("external_id"),
            Property("name"),
            Property("organisation", outputs=OGC),
            Property("organisation_name", "organisation__name", label=_("organisation")),
            Property("surplus_heat_mwh_per_yr"),
            Property("temperature_c"),
            Property("capacity_mw"),
            Property("description"),
            Property("data_source"),
            UPDATED_AT,
        ),
    ),
    Layer(
        "heating-networks",
        _("District heating networks"),
        _("District heating and cooling areas and pipes."),
        HeatingNetworkViewSet,
        "geometry",
        (*POLYGON_TYPES, *LINE_TYPES),
        (
            Property("external_id"),
            Property("name"),
            Property("operator", outputs=OGC),
            Property("operator_name", "operator__name", label=_("operator")),
            Property("network_kind"),
            Property("supply_temperature_c"),
            Property("description"),
            Property("data_source"),
            UPDATED_AT,
        ),
        parts=(AREAS, PIPES),
    ),
    OpportunityLayer(
        "heat-opportunities",
        _("Surplus-heat opportunities"),
        _("Every heat source matched to its nearest district heating network, ranked: the line between them."),
        HeatSourceViewSet,
        "connection",
        ("LineString",),
        tuple(Property(name, type=OPPORTUNITY_TYPES[name]) for name in heat_opportunities.COLUMNS),
        outputs=EXPORT,
    ),
)
CATALOGUE = {layer.id: layer for layer in LAYERS}


def published(output: Output, *, by_geometry_type: bool = False) -> dict:
    """The layers published in one output, by id; with by_geometry_type, each mixed layer followed by its
    collections of one geometry type (for OGC API and WFS clients)."""
    found = {}
    for layer in LAYERS:
        if output in layer.outputs:
            found[layer.id] = layer
            if by_geometry_type:
                found |= {part.id: part for part in layer.by_geometry_type()}
    return found
