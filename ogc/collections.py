"""The registry's layers as OGC API - Features collections.

Each collection reads through its API viewset (same visibility and the same attribute filters as
/api/), then pages by id (keyset: `after=<last id>`), so a page costs the same at row 100 and at
row 100,000 and nothing counts the whole layer.
"""
import copy
from dataclasses import dataclass
from datetime import date

from django.contrib.gis.db.models import Collect, Extent
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import F, Max, Min, Q
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request

from gis.crs import PRECISION

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
# The CRSs every collection offers (Part 2): the default CRS84 (lon/lat) and the Danish UTM 32N.
CRS_SRID = {CRS84: 4326, EPSG_URI.format(25832): 25832}
STORAGE_CRS = EPSG_URI.format(25832)


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    viewset_path: str  # module:ClassName of the API viewset behind it
    geometry: str  # the model field (or annotation) with the geometry
    properties: tuple  # names (model fields or lookups via `renames`) shown as feature properties
    renames: tuple = ()  # (property name, ORM lookup) pairs
    temporal: str | None = None  # a date field, or a year (integer) field when temporal_is_year
    temporal_is_year: bool = False

    @property
    def viewset(self):
        module, name = self.viewset_path.split(":")
        return getattr(__import__(module, fromlist=[name]), name)

    @property
    def model(self):
        return self.viewset.queryset.model

    @property
    def filters(self) -> dict:
        """The API's own attribute filters (spatial and ordering ones are OGC's bbox and id paging here)."""
        return {name: f for name, f in self.viewset.filterset_class.base_filters.items()
                if name not in {"bbox", "within"}}

    def base_queryset(self, request, api_params):
        """The list endpoint's queryset with the API filters in `api_params` applied (a 400 when invalid)."""
        inner = copy.copy(request._request)
        inner.GET = api_params
        api_request = Request(inner, authenticators=())
        api_request.user = request.user
        view = self.viewset(request=api_request, action="list", format_kwarg=None, kwargs={})
        view.args = ()
        return view.filter_queryset(view.get_queryset()).order_by()

    @property
    def extent_field(self) -> str:
        return self.geometry

    def geometry_queryset(self, queryset):
        return queryset

    def in_bbox(self, queryset, box):
        return queryset.filter(**{f"{self.geometry}__intersects": box})

    def rows(self, queryset, srid: int):
        """Values for features: id, GeoJSON geometry text, then the properties."""
        renames = {name: F(lookup) for name, lookup in self.renames}
        plain = [name for name in self.properties if name not in renames]
        return self.geometry_queryset(queryset).annotate(
            _geometry=AsGeoJSON(Transform(self.geometry, srid), precision=PRECISION[srid]),
        ).values("pk", "_geometry", *plain, **renames)

    def extent(self, queryset) -> dict:
        """Spatial extent in CRS84 and, where records have dates, the temporal extent."""
        aggregates = {"box": Extent(self.extent_field)}
        if self.temporal:
            aggregates |= {"first": Min(self.temporal), "last": Max(self.temporal)}
        found = queryset.aggregate(**aggregates)
        extent = {"spatial": {"bbox": [bbox_in_crs84(found["box"])] if found["box"] else [[-180, -90, 180, 90]],
                              "crs": CRS84}}
        if self.temporal:
            first, last = found["first"], found["last"]
            if self.temporal_is_year:
                first = f"{first}-01-01T00:00:00Z" if first else None
                last = f"{last}-12-31T23:59:59Z" if last else None
            else:
                first = f"{first.isoformat()}T00:00:00Z" if first else None
                last = f"{last.isoformat()}T23:59:59Z" if last else None
            extent["temporal"] = {"interval": [[first, last]],
                                  "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
        return extent

    def within_dates(self, queryset, start: date | None, end: date | None):
        """Records whose date (or year) falls in [start, end]; open ends are None."""
        if not self.temporal:
            return queryset  # no dates: every record matches (OGC API - Features, /req/core/fc-time-response)
        condition = Q(**{f"{self.temporal}__isnull": False})
        if start:
            condition &= Q(**{f"{self.temporal}__gte": start.year if self.temporal_is_year else start})
        if end:
            condition &= Q(**{f"{self.temporal}__lte": end.year if self.temporal_is_year else end})
        return queryset.filter(condition)


class PartnershipCollection(Collection):
    """A partnership is drawn at all its organisations' sites: one feature with a MultiPoint."""

    def base_queryset(self, request, api_params):
        ids = super().base_queryset(request, api_params).values("pk")
        return self.model.objects.filter(pk__in=ids)

    extent_field = "memberships__organisation__sites__location"

    def in_bbox(self, queryset, box):
        sites = self.model.objects.filter(memberships__organisation__sites__location__intersects=box,
                                          memberships__organisation__sites__archived_at__isnull=True)
        return queryset.filter(pk__in=sites.values("pk"))

    def geometry_queryset(self, queryset):
        live_site = Q(memberships__organisation__sites__archived_at__isnull=True)
        return queryset.annotate(sites=Collect("memberships__organisation__sites__location", filter=live_site))


def bbox_in_crs84(box) -> list[float]:
    """An EPSG:25832 extent as lon/lat, with the edges densified so the curved sides stay inside."""
    import pyproj
    import shapely

    polygon = shapely.segmentize(shapely.box(*box), max_segment_length=max(box[2] - box[0], box[3] - box[1], 1) / 20)
    transformer = pyproj.Transformer.from_crs(25832, 4326, always_xy=True)
    lon, lat = transformer.transform(*shapely.get_coordinates(polygon).T)
    return [round(float(v), 6) for v in (lon.min(), lat.min(), lon.max(), lat.max())]


COLLECTIONS = {c.id: c for c in (
    Collection(
        "sites", _("Energy sites"),
        _("Planned and existing wind, solar, biogas, CO2 capture, Power-to-X, biochar, grass protein sites and "
          "hydrogen/CO2 pipes."),
        "registry.api.views:EnergySiteViewSet", "geometry",
        ("external_id", "name", "site_type", "planning_status", "capacity", "capacity_unit", "operator",
         "operator_name", "commissioning_year", "municipality_code", "description", "data_source", "updated_at"),
        renames=(("operator_name", "operator__name"),), temporal="commissioning_year", temporal_is_year=True,
    ),
    PartnershipCollection(
        "partnerships", _("Climate partnerships"),
        _("Climate partnerships with companies and farms, drawn at their organisations' sites."),
        "partnerships.api.views:PartnershipViewSet", "sites",
        ("external_id", "title", "sector", "status", "dialogue_started_on", "signed_on", "completed_on",
         "cancelled_on", "updated_at"),
        temporal="signed_on",
    ),
    Collection(
        "organisation-sites", _("Organisation sites"), _("Where partner organisations operate (factories, farms)."),
        "registry.api.views:OrganisationSiteViewSet", "location",
        ("external_id", "name", "address", "organisation", "organisation_name", "cvr", "updated_at"),
        renames=(("organisation_name", "organisation__name"), ("cvr", "organisation__cvr")),
    ),
    Collection(
        "symbioses", _("Surplus-heat symbioses"), _("Surplus heat delivered into district heating: the pipe routes."),
        "registry.api.views:HeatSymbiosisViewSet", "pipe_route",
        ("external_id", "name", "source_organisation", "source_description", "receiving_network", "network_kind",
         "status", "capacity_mw", "heat_mwh_per_yr", "supply_temperature_c", "heat_source", "updated_at"),
    ),
    Collection(
        "heat-sources", _("Surplus-heat sources"), _("Places with surplus heat to give, with MWh/yr and temperature."),
        "registry.api.heat:HeatSourceViewSet", "location",
        ("external_id", "name", "organisation", "organisation_name", "surplus_heat_mwh_per_yr", "temperature_c",
         "capacity_mw", "description", "data_source", "updated_at"),
        renames=(("organisation_name", "organisation__name"),),
    ),
    Collection(
        "heating-networks", _("District heating networks"), _("District heating and cooling areas and pipes."),
        "registry.api.heat:HeatingNetworkViewSet", "geometry",
        ("external_id", "name", "operator", "network_kind", "supply_temperature_c", "description", "data_source",
         "updated_at"),
    ),
)}
