"""The planners' map page and what it reads: vector tiles, the boundary, the search."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.exceptions import AuthenticationFailed, ValidationError

from access.authentication import api_request, unauthorized
from access.permissions import may_read
from gis.models import BOUNDARY_ATTRIBUTION, Municipality

from . import symbols
from .tiles import MAX_ZOOM, TILE_LAYERS, cached_tile

MVT_CONTENT_TYPE = "application/vnd.mapbox-vector-tile"


def tile(request, layer, z, x, y):
    """GET /tiles/<layer>/<z>/<x>/<y>.pbf with the layer's list filters; ETag for cheap revalidation.

    The read rule of the API and OGC (session, token, Basic, anonymous read when enabled); a plain view
    otherwise, so a cached tile stays cheap.
    """
    signed_in = api_request(request)
    try:
        user = signed_in.user
    except AuthenticationFailed as error:
        return unauthorized(error.detail)
    if not user.is_authenticated and not settings.API_ANONYMOUS_READ:
        return unauthorized()
    if layer not in TILE_LAYERS or not 0 <= z <= MAX_ZOOM or not (0 <= x < 2**z and 0 <= y < 2**z):
        return JsonResponse({"detail": _("No such tile.")}, status=404)
    if not may_read(user, TILE_LAYERS[layer].model):
        if not user.is_authenticated:
            return unauthorized()
        return JsonResponse({"detail": _("You do not have permission to perform this action.")}, status=403)
    try:
        data, etag = cached_tile(layer, signed_in, z, x, y)
    except ValidationError as error:
        return JsonResponse(error.detail, status=400)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(data, content_type=MVT_CONTENT_TYPE)
    response["ETag"] = etag
    # the browser may keep a tile but must ask again: an edit changes the ETag at once
    response["Cache-Control"] = "private, no-cache"
    return response


def basemap() -> dict:
    if settings.MAP_DATAFORSYNINGEN_TOKEN:
        return {
            "tiles": settings.MAP_DATAFORSYNINGEN_TILES.replace("{token}", settings.MAP_DATAFORSYNINGEN_TOKEN),
            "attribution": "© Styrelsen for Dataforsyning og Infrastruktur",
        }
    if not settings.MAP_BASEMAP_TILES:
        return {}
    return {"tiles": settings.MAP_BASEMAP_TILES, "attribution": settings.MAP_BASEMAP_ATTRIBUTION}


def map_labels() -> dict:
    """The words map.js writes (popups, legend, lists), in the user's language."""
    return {
        "move": _("Move this site"),
        "clickNew": _("Click the new location on the map (Esc cancels)."),
        "moved": _("The site was moved and saved."),
        "open": _("Open the record"),
        "capacity": _("Capacity"),
        "status": _("Status"),
        "type": _("Type"),
        "sector": _("Sector"),
        "signed": _("Signed"),
        "organisation": _("Organisation"),
        "heat": _("Heat delivered"),
        "network": _("Receiving network"),
        "outside": _("outside the municipality"),
        "noResults": _("Nothing found."),
        "site": _("Energy site"),
        "partnership": _("Climate partnership"),
        "symbiosis": _("Surplus-heat symbiosis"),
        "distance": _("Distance to the network"),
        "pipeCost": _("Pipe cost (rough)"),
        "co2e": _("CO2e displaced"),
        "temperature": _("Temperature"),
        "mwhPerYear": _("MWh/yr"),
        "propose": _("Propose symbiosis"),
        "proposed": _("Proposed:"),
        "allOpportunities": _("All opportunities"),
        "onlyThis": _("only this"),
        "onlyThisFor": _("only this: %(name)s"),  # the accessible name starts with the visible text
        "showAll": _("Show all"),
        "inView": _("%(count)s in view"),
        "inViewMore": _("The first %(shown)s of %(count)s are listed; zoom in to see the rest."),
        "inViewNone": _("Nothing in view. Zoom out or change the filters."),
        "partnershipsHere": _("Climate partnerships with measures here"),
        "noPartnershipsHere": _("No climate partnership has a measure on this site."),
        "committedTonnes": _("Committed (signed partnerships)"),
        "pipelineTonnes": _("Pipeline (partnerships in dialogue)"),
        "pipeline": _("pipeline"),
        "tonnesPerYear": _("t CO2e/yr"),
        "searchResult": _("Search result"),
        "heatSource": _("Surplus-heat source"),
        "heatNetwork": _("District heating network"),
        "opportunity": _("Surplus-heat opportunity"),
        "openFilters": _("Filters, legend and list"),
    }


def maplibre_locale() -> dict:
    """MapLibre's own control labels (its `locale` option), so its buttons speak the page's language."""
    return {
        "NavigationControl.ZoomIn": _("Zoom in"),
        "NavigationControl.ZoomOut": _("Zoom out"),
        "NavigationControl.ResetBearing": _("Drag to rotate the map, click to reset north"),
        "Popup.Close": _("Close popup"),
        "AttributionControl.ToggleAttribution": _("Show or hide the attribution"),
        "Map.Title": _("Map"),
        "Marker.Title": _("Map marker"),
        "ScaleControl.Meters": "m",
        "ScaleControl.Kilometers": "km",
    }


@login_required
@permission_required("registry.view_energysite", raise_exception=True)
def map_page(request):
    from partnerships.models import ClimatePartnership, Sector
    from registry.models import EnergySite, HeatSymbiosis

    config = {
        "basemap": basemap(),
        "boundaryAttribution": str(BOUNDARY_ATTRIBUTION),
        "colours": symbols.for_the_map(),
        "canEdit": request.user.has_perm("registry.change_energysite"),
        "siteTypes": dict(EnergySite.SiteType.choices),
        "siteStatuses": dict(EnergySite.PlanningStatus.choices),
        "partnershipStatuses": dict(ClimatePartnership.Status.choices),
        "sectors": dict(Sector.choices),
        "symbiosisStatuses": dict(HeatSymbiosis.Status.choices),
        "homeMunicipality": settings.HOME_MUNICIPALITY_CODE,
        "heat": request.user.has_perm("registry.view_heatsource"),
        "canPropose": request.user.has_perm("registry.add_heatsymbiosis"),
        "canSeeMeasures": request.user.has_perm("partnerships.view_measure"),
        "labels": map_labels(),
        "mapLocale": maplibre_locale(),
    }
    return render(request, "publish/map.html", {"config": json.loads(json.dumps(config, default=str))})


@login_required
def boundary(request):
    """The home municipality's boundary as GeoJSON (EPSG:4326), for the map's outline."""
    row = (
        Municipality.objects.home()
        .annotate(json=AsGeoJSON(Transform("geom", 4326), precision=5))
        .values("code", "name", "json")
        .first()
    )
    if row is None:
        return JsonResponse({"type": "FeatureCollection", "features": []})
    feature = {
        "type": "Feature",
        "geometry": json.loads(row["json"]),
        "properties": {"code": row["code"], "name": row["name"]},
    }
    return JsonResponse({"type": "FeatureCollection", "features": [feature]})


@login_required
def search(request):
    """Sites and organisations whose name (or CVR) matches ?q=, with where to fly to."""
    from registry.models import EnergySite, OrganisationSite

    q = request.GET.get("q", "").strip()
    if len(q) < 2 or "\x00" in q:
        return JsonResponse({"results": []})
    results = []
    if request.user.has_perm("registry.view_energysite"):
        sites = (
            EnergySite.objects.live()
            .filter(name__icontains=q)
            .annotate(point=Transform("geometry", 4326))
            .order_by("name")[:10]
        )
        results += [
            {
                "kind": "site",
                "id": s.pk,
                "label": s.name,
                "type": s.site_type,
                "lon": s.point.point_on_surface.x,
                "lat": s.point.point_on_surface.y,
            }
            for s in sites
        ]
    if request.user.has_perm("registry.view_organisation"):
        places = (
            OrganisationSite.objects.live()
            .filter(
                Q(organisation__name__icontains=q) | Q(organisation__cvr=q) | Q(name__icontains=q),
                organisation__archived_at__isnull=True,
            )
            .select_related("organisation")
            .annotate(point=Transform("location", 4326))
            .order_by("organisation__name")[:10]
        )
        results += [
            {
                "kind": "organisation",
                "id": p.organisation_id,
                "label": f"{p.organisation.name} – {p.name}",
                "lon": p.point.x,
                "lat": p.point.y,
            }
            for p in places
        ]
    return JsonResponse({"results": results})


@login_required
@permission_required("registry.view_energysite", raise_exception=True)
def qgis_project(request):
    """GET /map/registry.qgz: the map as a QGIS project pointing at this server's /wfs/, built for its own address.

    It holds no records and no credentials (QGIS asks for the sign-in), but it lists the layers the user may read
    and may carry the basemap's token, so it needs the map page's permission.
    """
    from .qgis_project import project_qgz

    response = HttpResponse(
        project_qgz(request.build_absolute_uri("/"), request.user, basemap()),
        content_type="application/x-qgis-project-container",
    )
    response["Content-Disposition"] = 'attachment; filename="registry.qgz"'
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@permission_required("partnerships.view_measure", raise_exception=True)
def site_partnerships(request, site_id):
    """GET /map/sites/<id>/partnerships: the live partnerships with measures on a site, for the site's popup.

    The measures are those the progress figures count (`Measure.objects.counted()`), each with its tonnes as entered;
    the site's committed and pipeline tonnes are those the site API and the admin show (`with_reduction_potential`).
    """
    from partnerships.models import Measure
    from partnerships.models.measures import with_reduction_potential
    from registry.models import EnergySite

    sites = with_reduction_potential(EnergySite.objects.live().filter(pk=site_id))
    tonnes = sites.values("committed_t", "pipeline_t").first()
    if tonnes is None:
        return JsonResponse({"detail": _("Not found.")}, status=404)
    measures = (
        Measure.objects.counted()
        .filter(energy_site_id=site_id)
        .select_related("partnership")
        .order_by("partnership__title", "partnership_id", "title", "id")
    )
    partnerships = {}
    for measure in measures:
        p = measure.partnership
        entry = partnerships.setdefault(
            p.pk,
            {
                "id": p.pk,
                "title": p.title,
                "status": p.status,
                "status_label": p.get_status_display(),
                "committed": p.is_committed,
                "measures": [],
            },
        )
        entry["measures"].append(
            {"id": measure.pk, "title": measure.title, "tonnes": float(measure.annual_reduction_t)}
        )
    return JsonResponse(
        {
            "site": site_id,
            "committed_t": float(tonnes["committed_t"]),
            "pipeline_t": float(tonnes["pipeline_t"]),
            "partnerships": list(partnerships.values()),
        }
    )
