"""The exportable layers: each is the list endpoint's filtered queryset, as SQL with one geometry column `geom`.

Filtering goes through the layer's own API viewset, so an export is filtered exactly like the list.
"""
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Transform
from django.db.models import F


@dataclass(frozen=True)
class LayerQuery:
    sql: str
    params: tuple | dict
    model_label: str
    # SQL (over the row alias t) for a feature id unique within the layer
    feature_id: str = "t.id"


def filtered_queryset(viewset_class, request):
    view = viewset_class(request=request, action="list", format_kwarg=None, kwargs={})
    view.args = ()
    return view.filter_queryset(view.get_queryset())


def compiled_sql(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def sites(request, srid: int) -> LayerQuery:
    from registry.api.views import EnergySiteViewSet

    queryset = filtered_queryset(EnergySiteViewSet, request).annotate(
        operator_name=F("operator__name"), geom=Transform("geometry", srid),
    ).values("id", "external_id", "name", "site_type", "planning_status", "capacity", "capacity_unit",
             "operator_name", "commissioning_year", "municipality_code", "description", "data_source", "geom")
    return LayerQuery(*compiled_sql(queryset), "registry.energysite")


def symbioses(request, srid: int) -> LayerQuery:
    from registry.api.views import HeatSymbiosisViewSet

    queryset = filtered_queryset(HeatSymbiosisViewSet, request).filter(pipe_route__isnull=False).annotate(
        source_organisation_name=F("source_organisation__name"), geom=Transform("pipe_route", srid),
    ).values("id", "external_id", "name", "source_organisation_name", "source_description", "receiving_network",
             "network_kind", "status", "capacity_mw", "heat_mwh_per_yr", "supply_temperature_c", "geom")
    return LayerQuery(*compiled_sql(queryset), "registry.heatsymbiosis")


def partnerships(request, srid: int) -> LayerQuery:
    """One feature per partnership and site of its organisations: partnerships are mapped where their partners are."""
    from partnerships.api.views import PartnershipViewSet

    ids_sql, ids_params = compiled_sql(filtered_queryset(PartnershipViewSet, request).order_by().values("pk"))
    sql = f"""
        SELECT p.id, p.external_id, p.title, p.sector, p.status, p.signed_on, o.name AS organisation, o.cvr,
               m.role, s.id AS site_id, s.name AS site_name, ST_Transform(s.location, %s) AS geom
        FROM partnerships_climatepartnership p
        JOIN partnerships_partnershiporganisation m ON m.partnership_id = p.id
        JOIN registry_organisation o ON o.id = m.organisation_id
        JOIN registry_organisationsite s ON s.organisation_id = o.id AND s.archived_at IS NULL
        WHERE p.id IN ({ids_sql})
        ORDER BY p.id, o.name, s.id"""
    return LayerQuery(sql, (srid, *ids_params), "partnerships.climatepartnership",
                      feature_id="t.id || '-' || t.site_id")


def heat_sources(request, srid: int) -> LayerQuery:
    from registry.api.heat import HeatSourceViewSet

    queryset = filtered_queryset(HeatSourceViewSet, request).annotate(
        organisation_name=F("organisation__name"), geom=Transform("location", srid),
    ).values("id", "external_id", "name", "organisation_name", "surplus_heat_mwh_per_yr", "temperature_c",
             "capacity_mw", "description", "data_source", "geom")
    return LayerQuery(*compiled_sql(queryset), "registry.heatsource")


def heating_networks(request, srid: int) -> LayerQuery:
    from registry.api.heat import HeatingNetworkViewSet

    queryset = filtered_queryset(HeatingNetworkViewSet, request).annotate(
        operator_name=F("operator__name"), geom=Transform("geometry", srid),
    ).values("id", "external_id", "name", "operator_name", "network_kind", "supply_temperature_c", "description",
             "data_source", "geom")
    return LayerQuery(*compiled_sql(queryset), "registry.heatingnetwork")


def heat_opportunities(request, srid: int) -> LayerQuery:
    """The ranked candidates, filtered and costed with the same query parameters as /api/heat-opportunities/."""
    from registry import heat_opportunities as service
    from registry.api.heat import OpportunityQuery

    filters, assumptions, ordering = OpportunityQuery.parse(request.query_params)
    sql, params = service.candidates_sql(filters, assumptions, ordering)
    sql = f"SELECT {', '.join(service.COLUMNS)}, ST_Transform(connection, %(srid)s) AS geom FROM ({sql}) c"
    return LayerQuery(sql, {**params, "srid": srid}, "registry.heatsource", feature_id="t.source_id")


LAYERS = {"sites": sites, "partnerships": partnerships, "symbioses": symbioses, "heat-sources": heat_sources,
          "heating-networks": heating_networks, "heat-opportunities": heat_opportunities}
