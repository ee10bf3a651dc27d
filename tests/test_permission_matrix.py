"""Who may do what, on every URL of the project: the permission matrix.

Five principals make every request: anonymous, a signed-in staff user with no role ("no-role"), and the three
roles of access/roles.py (viewer, editor, administrator: users in the role's group; the viewer also has staff
status, so the admin's read-only rows apply to it, while editors and administrators open the admin through their
role alone, as users made by an administrator do: tests/test_sign_in_pages.py). Every URL pattern
is walked from the resolver and must either be exercised by a row of the matrix below or be listed in IGNORED
with the reason, so a new endpoint cannot escape (test_every_url_pattern_is_classified).

Access rules:
    PUBLIC        everyone, anonymous included
    SIGNED_IN     any signed-in user, with or without a role (STAFF: the same, for the admin)
    VIEW(perm)    viewer, editor, administrator
    EDIT(perm)    editor, administrator (what EDITOR_WRITES lists, and imports)
    ADMIN(perm)   administrator only (targets, users, groups, API tokens)
    NOBODY        refused to every role (e.g. deleting an archivable record in the admin)
A refusal is 401 for the API, OGC API, exports and tiles when anonymous, 403 when signed in; pages and the admin
send anonymous users to the sign-in page (302) and refuse signed-in ones with 403.

Requests are made with Django's test client: a session (force_login) for every row, and also an API token
(`Authorization: Token <key>`) for the reads and creates scripts make (record lists and creates, progress, heat
opportunities, every export layer as GeoJSON, every OGC layer's items). Each request runs in a savepoint rolled
back after it, so one principal's write does not change what the next one meets. Object ids come from the demo
data set (the module-scoped demo_db) and from the objects the `world` fixture adds to it.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from access.models import ApiToken
from access.roles import ADMINISTRATOR, EDITOR, VIEWER
from imports.models import ImportRun
from ogc.collections import COLLECTIONS
from progress.models import StatusReport
from publish.api import EXPORT_LAYERS
from publish.exports import FORMATS as EXPORT_FORMATS
from publish.tiles import TILE_LAYERS

from .test_ogc import ids_of_geometry_type

pytestmark = pytest.mark.django_db

ANONYMOUS, NO_ROLE = "anonymous", "no-role"
# The order requests are made in: those allowed first, so caches (permissions, tiles) are warm when the refused come.
PRINCIPALS = (ADMINISTRATOR, EDITOR, VIEWER, NO_ROLE, ANONYMOUS)
READERS = frozenset({VIEWER, EDITOR, ADMINISTRATOR})
WRITERS = frozenset({EDITOR, ADMINISTRATOR})
# pages send anonymous users to the sign-in page (LOGIN_URL), the admin to its own /admin/login/, which sends them on
LOGIN = r"^/(accounts|admin)/login/\?next="


# -- the rules ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    label: str
    allowed: frozenset
    perm: str | None = None  # the Django permission the rule stands for (checked against the role groups)

    def __str__(self):
        return self.label


PUBLIC = Rule("PUBLIC", frozenset(PRINCIPALS))
SIGNED_IN = Rule("SIGNED_IN", frozenset(PRINCIPALS) - {ANONYMOUS})
STAFF = Rule("STAFF", frozenset(PRINCIPALS) - {ANONYMOUS})  # every principal but anonymous is a staff user
NOBODY = Rule("NOBODY", frozenset())


def VIEW(perm):
    return Rule(f"VIEW({perm})", READERS, perm)


def EDIT(perm):
    return Rule(f"EDIT({perm})", WRITERS, perm)


def ADMIN(perm):
    return Rule(f"ADMIN({perm})", frozenset({ADMINISTRATOR}), perm)


# How a refusal looks: API-like (401 anonymous / 403) or page-like (302 to the sign-in page / 403).
API, PAGE = "api", "page"


@dataclass(frozen=True)
class Check:
    """One row of the matrix: a request, the rule deciding who may make it, and what "allowed" looks like."""

    route: str  # the route's name (namespace:name; "+format" for DRF's format-suffix twin), or its pattern
    method: str
    url: str  # {placeholders} are filled from World.ids
    rule: Rule
    kind: str = API
    ok: int = 200  # the status when allowed
    location: str = ""  # when ok is 302: a regex the Location must match ({placeholders} allowed)
    body: dict | Callable | None = None  # JSON for API writes, form data for pages; callable(world) -> dict
    token: bool = False  # also made with an API token
    then: Callable | None = None  # then(response, principal, world): what the allowed must (not) see

    def expected(self, principal: str) -> int:
        if principal in self.rule.allowed:
            return self.ok
        if principal == ANONYMOUS:
            return 401 if self.kind == API else 302
        return 403

    def __str__(self):
        return f"{self.method} {self.url}"


# -- what some allowed responses must contain --------------------------------------------------------------


def front_page_or_dashboard(response, principal, world):
    templates = {t.name for t in response.templates}
    wanted = "progress/dashboard.html" if principal in READERS else "home.html"
    assert wanted in templates, f"{principal} got {sorted(templates)}"
    if principal not in READERS:
        assert "progress/dashboard.html" not in templates


def search_results_need_a_role(response, principal, world):
    results = response.json()["results"]
    if principal in READERS:
        assert results, "a reader finds the demo site by name"
    else:
        assert results == [], "a user without a role finds nothing"


def wfs_lists_readable(response, principal, world):
    listed = re.findall(r"<Name>app:([\w-]+)</Name>", response.content.decode())
    assert listed == (list(COLLECTIONS) if principal in READERS else [])


def collections_need_the_view_permission(response, principal, world):
    listed = [c["id"] for c in response.json()["collections"]]
    assert listed == (list(COLLECTIONS) if principal in READERS else [])


def upload_page_lists_the_other_editors_run(response, principal, world):
    # Import runs are the editors' shared audit trail (registry/roles.py, imports/views.py: every run is listed).
    assert f'href="/imports/{world.ids["run"]}/"' in response.content.decode()


# -- the matrix ---------------------------------------------------------------------------------------------

PAGES = [
    Check("home", "GET", "/", PUBLIC, PAGE, then=front_page_or_dashboard),
    Check("healthz", "GET", "/healthz", PUBLIC, PAGE),
    # one-click demo sign-in is public by design while DEMO_LOGIN_ENABLED (404 otherwise, tested below)
    Check("demo-login", "POST", "/demo-login/administrator/", PUBLIC, PAGE, ok=302, location=r"^/$"),
    # the sign-in pages every role uses (access/urls.py): signing in, out and resetting a password are public,
    # changing the password needs a session; wrong credentials are the form again (200)
    Check("login", "GET", "/accounts/login/", PUBLIC, PAGE),
    Check("login", "POST", "/accounts/login/", PUBLIC, PAGE, body={"username": "nobody", "password": "wrong"}),
    Check("logout", "POST", "/accounts/logout/", PUBLIC, PAGE),
    Check("password_change", "GET", "/accounts/password_change/", SIGNED_IN, PAGE),
    Check("password_change_done", "GET", "/accounts/password_change/done/", SIGNED_IN, PAGE),
    Check("password_reset", "GET", "/accounts/password_reset/", PUBLIC, PAGE),
    Check("password_reset_done", "GET", "/accounts/password_reset/done/", PUBLIC, PAGE),
    Check("password_reset_confirm", "GET", "/accounts/reset/MQ/not-a-token/", PUBLIC, PAGE),  # "link expired"
    Check("password_reset_complete", "GET", "/accounts/reset/done/", PUBLIC, PAGE),
    Check("map", "GET", "/map/", VIEW("registry.view_energysite"), PAGE),
    Check("qgis-project", "GET", "/map/registry.qgz", VIEW("registry.view_energysite"), PAGE),
    Check("map-boundary", "GET", "/map/boundary.geojson", SIGNED_IN, PAGE),
    Check("map-search", "GET", "/map/search?q={site_query}", SIGNED_IN, PAGE, then=search_results_need_a_role),
    Check("map-site-partnerships", "GET", "/map/sites/{site}/partnerships", VIEW("partnerships.view_measure"), PAGE),
    Check("heat-opportunities", "GET", "/heat/opportunities/", VIEW("registry.view_heatsource"), PAGE),
    Check(
        "heat-opportunity-propose",
        "POST",
        "/heat/opportunities/{candidate}/propose/",
        EDIT("registry.add_heatsymbiosis"),
        PAGE,
        ok=302,
        location=r"^/admin/registry/heatsymbiosis/\d+/change/$",
    ),
    Check("progress:dashboard", "GET", "/progress/", VIEW("partnerships.view_measure"), PAGE),
    *[
        Check("progress:rows", "GET", f"/progress/rows/{kind}/", VIEW("partnerships.view_measure"), PAGE)
        for kind in ("measures", "partnerships", "realised", "international", "funding")
    ],
    # status reports: every reader may ask a worker for one and download any drawn so far
    Check("progress:status_reports", "GET", "/progress/reports/", VIEW("partnerships.view_measure"), PAGE),
    *[
        Check(
            "progress:status_reports",
            "POST",
            "/progress/reports/",
            VIEW("partnerships.view_measure"),
            PAGE,
            ok=302,
            location=r"^/progress/reports/\d+/$",
            body={"format": fmt},
        )
        for fmt in ("xlsx", "pdf")
    ],
    Check("progress:status_report", "GET", "/progress/reports/{report}/", VIEW("partnerships.view_measure"), PAGE),
    Check(
        "progress:status_report_status",
        "GET",
        "/progress/reports/{report}/status.json",
        VIEW("partnerships.view_measure"),
        PAGE,
    ),
    Check(
        "progress:status_report_file", "GET", "/progress/reports/{report}/file", VIEW("partnerships.view_measure"), PAGE
    ),
    # imports: editors and administrators; a run started by one editor is open to every other editor
    Check(
        "imports:upload",
        "GET",
        "/imports/",
        EDIT("imports.run_import"),
        PAGE,
        then=upload_page_lists_the_other_editors_run,
    ),
    Check(
        "imports:upload",
        "POST",
        "/imports/",
        EDIT("imports.run_import"),
        PAGE,
        ok=302,
        location=r"^/imports/\d+/$",
        body=lambda world: {"kind": "sites", "file": world.upload()},
    ),
    Check("imports:detail", "GET", "/imports/{run}/", EDIT("imports.run_import"), PAGE),
    Check("imports:status", "GET", "/imports/{run}/status.json", EDIT("imports.run_import"), PAGE),
    Check("imports:report", "GET", "/imports/{run}/rejected-rows.csv", EDIT("imports.run_import"), PAGE),
    Check(
        "imports:apply",
        "POST",
        "/imports/{run}/apply",
        EDIT("imports.run_import"),
        PAGE,
        ok=302,
        location=r"^/imports/\d+/$",
        body={"valid_rows_only": "1"},
    ),
]

# Vector tiles use the browser's session (README): a plain view answering 401/403 like the API.
TILE_PERMISSIONS = {
    "sites": "registry.view_energysite",
    "partnerships": "partnerships.view_climatepartnership",
    "symbioses": "registry.view_heatsymbiosis",
}
TILES = [Check("tile", "GET", f"/tiles/{layer}/10/540/313.pbf", VIEW(perm)) for layer, perm in TILE_PERMISSIONS.items()]

PROGRESS_API = [  # one permission class (registry/permissions.py CanViewRegistry); the token on the first
    Check(name, "GET", url, VIEW("partnerships.view_measure"), token=name == "api-progress")
    for name, url in (
        ("api-progress", "/api/progress/"),
        ("api-progress-by-type", "/api/progress/by-measure-type/"),
        ("api-progress-measures", "/api/progress/measures/"),
        ("api-progress-partnerships", "/api/progress/partnerships/"),
        ("api-progress-realised", "/api/progress/realised/"),
    )
]

OTHER_API = [
    Check("api-root", "GET", "/api/", SIGNED_IN, token=True),  # the list of endpoints, no data
    Check("api-root+format", "GET", "/api/.json", SIGNED_IN),
    # the OpenAPI schema and Swagger UI describe the API, not its data: public, like /ogc/api
    Check("api-schema", "GET", "/api/schema/", PUBLIC),
    Check("api-docs", "GET", "/api/docs/", PUBLIC),
    Check("api-heat-opportunities", "GET", "/api/heat-opportunities/", VIEW("registry.view_heatsource"), token=True),
    Check(
        "api-heat-opportunity-propose",
        "POST",
        "/api/heat-opportunities/{candidate}/propose/",
        EDIT("registry.add_heatsymbiosis"),
        ok=201,
        token=True,
    ),
]


def site_feature(geometry=None, **properties):
    return {
        "type": "Feature",
        "geometry": geometry or {"type": "Point", "coordinates": [9.95, 57.03]},
        "properties": properties,
    }


@dataclass(frozen=True)
class Record:
    """A router endpoint under /api/: who reads it, who writes it, a valid new record and a valid change."""

    endpoint: str
    basename: str
    model: str  # app_label.model_name
    id_key: str
    writers: Callable  # EDIT or ADMIN
    create: Callable  # world -> payload
    change: dict
    delete_ok: int = 204  # archived (ArchiveViewSet), deleted (realised reductions), 405 (targets)
    restore: bool = True


RECORDS = [
    Record(
        "organisations",
        "organisation",
        "registry.organisation",
        "org",
        EDIT,
        lambda w: {"name": "Matrix Virksomhed A/S", "kind": "company"},
        {"external_id": "matrix"},
    ),
    Record(
        "organisation-sites",
        "organisationsite",
        "registry.organisationsite",
        "orgsite",
        EDIT,
        lambda w: site_feature(organisation=w.ids["org"], name="Matrix fabrik"),
        {"external_id": "matrix"},
    ),
    Record(
        "sites",
        "energysite",
        "registry.energysite",
        "site",
        EDIT,
        lambda w: site_feature(
            name="Matrix solar park", site_type="solar", planning_status="screening", capacity=12.5, capacity_unit="MW"
        ),
        {"external_id": "matrix"},
    ),
    Record(
        "symbioses",
        "heatsymbiosis",
        "registry.heatsymbiosis",
        "symbiosis",
        EDIT,
        lambda w: site_feature(
            {"type": "LineString", "coordinates": [[9.99, 57.05], [9.93, 57.04]]},
            name="Matrix heat",
            source_description="kiln",
            receiving_network="Aalborg",
            capacity_mw=5,
            heat_mwh_per_yr=30000,
        ),
        {"external_id": "matrix"},
    ),
    Record(
        "heat-sources",
        "heatsource",
        "registry.heatsource",
        "heatsource",
        EDIT,
        lambda w: site_feature(name="Matrix data centre", surplus_heat_mwh_per_yr=20000, temperature_c=35),
        {"external_id": "matrix"},
    ),
    Record(
        "heating-networks",
        "heatingnetwork",
        "registry.heatingnetwork",
        "network",
        EDIT,
        lambda w: site_feature(
            {
                "type": "Polygon",
                "coordinates": [[[9.90, 57.00], [9.92, 57.00], [9.92, 57.02], [9.90, 57.02], [9.90, 57.00]]],
            },
            name="Matrix network",
            network_kind="heating",
        ),
        {"external_id": "matrix"},
    ),
    Record(
        "partnerships",
        "climatepartnership",
        "partnerships.climatepartnership",
        "partnership",
        EDIT,
        lambda w: {
            "title": "Matrix aftale",
            "sector": "agriculture",
            "status": "dialogue",
            "organisation_ids": [w.ids["org"]],
        },
        {"external_id": "matrix"},
    ),
    Record(
        "measures",
        "measure",
        "partnerships.measure",
        "measure",
        EDIT,
        lambda w: {
            "partnership": w.ids["partnership"],
            "title": "Matrix biogas",
            "measure_type": "biogas",
            "annual_reduction_t": 300,
            "first_year": 2026,
            "method": "standard_factor",
            "source": "SEGES",
        },
        {"external_id": "matrix"},
    ),
    Record(
        "realised-reductions",
        "realisedreduction",
        "partnerships.realisedreduction",
        "realised",
        EDIT,
        lambda w: {"measure": w.ids["unreported_measure"], "year": 2024, "realised_t": 250, "source": "report"},
        {"source": "matrix"},
        restore=False,
    ),
    Record(
        "international-partnerships",
        "internationalpartnership",
        "partnerships.internationalpartnership",
        "international",
        EDIT,
        lambda w: {"title": "Matrix twinning", "partner_name": "Kiel", "country": "DE", "status": "exploring"},
        {"external_id": "matrix"},
    ),
    Record(
        "funding",
        "externalfunding",
        "partnerships.externalfunding",
        "funding",
        EDIT,
        lambda w: {
            "title": "Matrix LIFE",
            "funder": "EU LIFE",
            "source": "eu",
            "amount_dkk": 1000000,
            "status": "applied",
        },
        {"external_id": "matrix"},
    ),
    # targets are changed by administrators only, and never deleted (even the administrator gets 405)
    Record(
        "targets",
        "target",
        "partnerships.target",
        "target",
        ADMIN,
        lambda w: {
            "indicator": "reduction_t",
            "sector": "industry",
            "value": 150000,
            "target_year": 2035,
            "period_start_year": 2027,
            "period_end_year": 2030,
        },
        {"value": 120000},
        delete_ok=405,
        restore=False,
    ),
]


def record_checks(r: Record) -> list[Check]:
    app, model = r.model.split(".")
    one = f"/api/{r.endpoint}/{{{r.id_key}}}"
    checks = [
        Check(f"{r.basename}-list", "GET", f"/api/{r.endpoint}/?page_size=5", VIEW(f"{app}.view_{model}"), token=True),
        Check(f"{r.basename}-list+format", "GET", f"/api/{r.endpoint}.json?page_size=1", VIEW(f"{app}.view_{model}")),
        Check(f"{r.basename}-detail", "GET", f"{one}/", VIEW(f"{app}.view_{model}")),
        Check(f"{r.basename}-detail+format", "GET", f"{one}.json", VIEW(f"{app}.view_{model}")),
        Check(
            f"{r.basename}-list",
            "POST",
            f"/api/{r.endpoint}/",
            r.writers(f"{app}.add_{model}"),
            ok=201,
            body=r.create,
            token=True,
        ),
        Check(f"{r.basename}-detail", "PATCH", f"{one}/", r.writers(f"{app}.change_{model}"), body=r.change),
        Check(f"{r.basename}-detail", "DELETE", f"{one}/", r.writers(f"{app}.delete_{model}"), ok=r.delete_ok),
    ]
    if r.restore:  # POST …/restore/ needs the add permission (DjangoModelPermissions maps POST to add)
        checks += [
            Check(f"{r.basename}-restore", "POST", f"{one}/restore/", r.writers(f"{app}.add_{model}")),
            Check(f"{r.basename}-restore+format", "POST", f"{one}/restore.json", r.writers(f"{app}.add_{model}")),
        ]
    return checks


RECORD_API = [check for record in RECORDS for check in record_checks(record)]

# Every layer of gis/layers.py in every format of gis/exports.py, with the view permission of what it shows.
EXPORT_PERMISSIONS = {
    "sites": "registry.view_energysite",
    "partnerships": "partnerships.view_climatepartnership",
    "symbioses": "registry.view_heatsymbiosis",
    "heat-sources": "registry.view_heatsource",
    "heating-networks": "registry.view_heatingnetwork",
    "heat-opportunities": "registry.view_heatsource",
}
EXPORTS = [
    Check("api-export", "GET", f"/api/exports/{layer}.{fmt}", VIEW(perm), token=fmt == "geojson")
    for layer, perm in EXPORT_PERMISSIONS.items()
    for fmt in EXPORT_FORMATS
]

# OGC API - Features: the service description is public, the data needs the layer's view permission.
OGC_VIEW = {cid: f"{c.model._meta.app_label}.view_{c.model._meta.model_name}" for cid, c in COLLECTIONS.items()}
OGC = [
    Check("ogc:landing", "GET", "/ogc/", PUBLIC),
    Check("ogc:conformance", "GET", "/ogc/conformance", PUBLIC),
    Check("ogc:api", "GET", "/ogc/api", PUBLIC),
    Check("ogc:api-doc", "GET", "/ogc/api.html", PUBLIC),
    Check(
        "ogc:collections", "GET", "/ogc/collections", SIGNED_IN, token=True, then=collections_need_the_view_permission
    ),
    *[
        check
        for cid, perm in OGC_VIEW.items()
        for check in (
            Check("ogc:collection", "GET", f"/ogc/collections/{cid}", VIEW(perm)),
            Check("ogc:items", "GET", f"/ogc/collections/{cid}/items?limit=2", VIEW(perm), token=True),
            Check("ogc:item", "GET", f"/ogc/collections/{cid}/items/{{ogc_{cid}}}", VIEW(perm)),
            Check("ogc:schema", "GET", f"/ogc/collections/{cid}/schema", VIEW(perm)),
            Check(
                "wfs:wfs",
                "GET",
                f"/wfs/?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES={cid}&COUNT=2",
                VIEW(perm),
                token=True,
            ),
        )
    ],
    # the list of layers: any signed-in user gets an answer, listing the layers the user may read
    Check(
        "wfs:wfs", "GET", "/wfs/?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities", SIGNED_IN, then=wfs_lists_readable
    ),
]

# The admin: the index, every registered model's list and add form (so a newly registered model must be
# classified here), and the other views of a few representative models.
#   model label                          who sees it              who adds it                  id key
ADMIN_MODELS = {
    "auth.user": (ADMIN("auth.view_user"), ADMIN("auth.add_user"), "user"),
    "auth.group": (ADMIN("auth.view_group"), ADMIN("auth.add_group"), "group"),
    "access.apitoken": (ADMIN("access.view_apitoken"), ADMIN("access.add_apitoken"), "apitoken"),
    "geo.municipality": (VIEW("geo.view_municipality"), ADMIN("geo.add_municipality"), "municipality"),
    "registry.organisation": (VIEW("registry.view_organisation"), EDIT("registry.add_organisation"), "org"),
    "registry.organisationsite": (
        VIEW("registry.view_organisationsite"),
        EDIT("registry.add_organisationsite"),
        "orgsite",
    ),
    "registry.energysite": (VIEW("registry.view_energysite"), EDIT("registry.add_energysite"), "site"),
    "registry.heatsymbiosis": (VIEW("registry.view_heatsymbiosis"), EDIT("registry.add_heatsymbiosis"), "symbiosis"),
    "partnerships.climatepartnership": (
        VIEW("partnerships.view_climatepartnership"),
        EDIT("partnerships.add_climatepartnership"),
        "partnership",
    ),
    "partnerships.measure": (VIEW("partnerships.view_measure"), EDIT("partnerships.add_measure"), "measure"),
    "partnerships.internationalpartnership": (
        VIEW("partnerships.view_internationalpartnership"),
        EDIT("partnerships.add_internationalpartnership"),
        "international",
    ),
    "partnerships.externalfunding": (
        VIEW("partnerships.view_externalfunding"),
        EDIT("partnerships.add_externalfunding"),
        "funding",
    ),
    "partnerships.target": (VIEW("partnerships.view_target"), ADMIN("partnerships.add_target"), "target"),
    # the job queue: administrators read it; nobody writes it there (Procrastinate's admin is read-only)
    "procrastinate.procrastinatejob": (ADMIN("procrastinate.view_procrastinatejob"), NOBODY, "job"),
}


def admin_url(label: str, suffix: str = "") -> str:
    return f"/admin/{label.replace('.', '/')}/{suffix}"


def admin_route(label: str, view: str) -> str:
    return f"admin:{label.replace('.', '_')}_{view}"


ADMIN_PAGES = [
    Check("admin:index", "GET", "/admin/", STAFF, PAGE),
    *[
        check
        for label, (sees, adds, _key) in ADMIN_MODELS.items()
        for check in (
            Check(admin_route(label, "changelist"), "GET", admin_url(label), sees, PAGE),
            Check(admin_route(label, "add"), "GET", admin_url(label, "add/"), adds, PAGE),
        )
    ],
    # representative object views: a record (archived, never deleted), a target, a token (revoked, never
    # deleted, never changed), a user (an administrator's business)
    *[
        check
        for label in ("partnerships.climatepartnership", "partnerships.target", "access.apitoken", "auth.user")
        for check in (
            Check(
                admin_route(label, "change"),
                "GET",
                admin_url(label, f"{{{ADMIN_MODELS[label][2]}}}/change/"),
                ADMIN_MODELS[label][0],
                PAGE,
            ),  # read-only for those who only view
            Check(
                admin_route(label, "history"),
                "GET",
                admin_url(label, f"{{{ADMIN_MODELS[label][2]}}}/history/"),
                ADMIN_MODELS[label][0],
                PAGE,
            ),
        )
    ],
    Check(
        "admin:partnerships_climatepartnership_delete",
        "GET",
        admin_url("partnerships.climatepartnership", "{partnership}/delete/"),
        NOBODY,
        PAGE,
    ),  # archive instead
    Check(
        "admin:access_apitoken_delete", "GET", admin_url("access.apitoken", "{apitoken}/delete/"), NOBODY, PAGE
    ),  # revoke instead
    # targets are changed, never deleted (partnerships/api/views.py TargetViewSet): not in the admin either
    Check(
        "admin:partnerships_target_delete", "GET", admin_url("partnerships.target", "{target}/delete/"), NOBODY, PAGE
    ),
    Check("admin:auth_user_delete", "GET", admin_url("auth.user", "{user}/delete/"), ADMIN("auth.delete_user"), PAGE),
    Check(
        "admin:auth_user_password_change",
        "GET",
        admin_url("auth.user", "{user}/password/"),
        ADMIN("auth.change_user"),
        PAGE,
    ),
    # an earlier version of a record, shown to whoever may view the record (posting it back is a change:
    # test_reverting_to_an_earlier_version_in_the_admin_needs_the_change_permission)
    Check(
        "admin:partnerships_climatepartnership_simple_history",
        "GET",
        admin_url("partnerships.climatepartnership", "{partnership}/history/{partnership_version}/"),
        VIEW("partnerships.view_climatepartnership"),
        PAGE,
    ),
    Check(
        "admin:partnerships_target_simple_history",
        "GET",
        admin_url("partnerships.target", "{target}/history/{target_version}/"),
        VIEW("partnerships.view_target"),
        PAGE,
    ),
    # the admin's autocomplete reads the related model with its view permission: organisations for readers,
    # user accounts (a partnership's manager) for administrators only
    Check(
        "admin:autocomplete",
        "GET",
        "/admin/autocomplete/?app_label=registry&model_name=energysite&field_name=operator&term=a",
        VIEW("registry.view_organisation"),
        PAGE,
    ),
    Check(
        "admin:autocomplete",
        "GET",
        "/admin/autocomplete/?app_label=partnerships&model_name=climatepartnership&field_name=manager&term=a",
        ADMIN("auth.view_user"),
        PAGE,
    ),
]

CHECKS = [*PAGES, *TILES, *PROGRESS_API, *OTHER_API, *RECORD_API, *EXPORTS, *OGC, *ADMIN_PAGES]

# Patterns left out of the matrix, each with the reason (regexes over the route key).
IGNORED = {
    r"^set_language$": "i18n's language switcher: sets a cookie, reads and writes no record",
    r"^admin:(login|logout|password_change|password_change_done)$": "Django's own sign-in views for the admin",
    r"^admin:jsi18n$": "the admin's JavaScript translation catalogue: no data",
    r"^admin:view_on_site$": "content-type shortcut behind admin_view (staff only); no model has get_absolute_url",
    r"^admin:app_list$": "the admin index for one app: the index's own rule (lists only the models one may see)",
    r"^admin/\(\?P<url>\.\*\)\$$": "the admin's catch-all: adds a slash or 404s",
    r"^admin/[a-z_]+/[a-z_]+/<path:object_id>/$": "redirects to the model's change view (checked above)",
    r"^admin:[a-z]+_[a-z]+_(change|history|delete|simple_history)$": (
        "a model's object views: the same ModelAdmin permission methods as the representative models above"
    ),
    r"^document$": "uploaded agreements: anonymous, no role, viewer, editor and unknown files in test_documents.py",
}
OPTIONAL_IGNORED = set()


# -- the principals and the objects they ask for -------------------------------------------------------------


@dataclass
class World:
    users: dict
    tokens: dict
    ids: dict = field(default_factory=dict)
    import_root: object = None

    def upload(self):
        return SimpleUploadedFile(
            "vindmoeller.csv",
            "id;navn;type;lon;lat\nM1;Mølle ved Vadum;vind;9.86;57.12\n".encode(),
            content_type="text/csv",
        )


@pytest.fixture(scope="module")
def world(demo_db, django_db_blocker, tmp_path_factory) -> World:
    """The principals (users and tokens) and the ids of real objects, made once inside demo_db's transaction."""
    from gis.models import Municipality
    from partnerships.models import (
        ClimatePartnership,
        ExternalFunding,
        InternationalPartnership,
        Measure,
        RealisedReduction,
        Target,
    )
    from registry.heat_opportunities import Assumptions, OpportunityFilter, opportunities
    from registry.models import EnergySite, HeatingNetwork, HeatSource, HeatSymbiosis, Organisation, OrganisationSite

    with django_db_blocker.unblock():
        User = get_user_model()
        # editors and administrators open the admin through their role, without staff status (access/admin_site.py);
        # the viewer and the user without a role are staff, so the admin's read-only rows below apply to them
        users = {NO_ROLE: User.objects.create_user("matrix-no-role", is_staff=True)}
        for role in (VIEWER, EDITOR, ADMINISTRATOR):
            users[role] = User.objects.create_user(f"matrix-{role}", is_staff=role == VIEWER)
            users[role].groups.add(Group.objects.get(name=role))
        other_editor = User.objects.create_user("matrix-other-editor")
        other_editor.groups.add(Group.objects.get(name=EDITOR))
        tokens = {
            principal: ApiToken.issue(user=user, name="permission matrix")[1] for principal, user in users.items()
        }

        def first_live(model):
            return model.objects.live().order_by("pk").values_list("pk", flat=True).first()

        ids = {
            key: first_live(model)
            for key, model in (
                ("org", Organisation),
                ("orgsite", OrganisationSite),
                ("site", EnergySite),
                ("symbiosis", HeatSymbiosis),
                ("heatsource", HeatSource),
                ("network", HeatingNetwork),
                ("partnership", ClimatePartnership),
                ("measure", Measure),
                ("international", InternationalPartnership),
                ("funding", ExternalFunding),
            )
        }
        ids["realised"] = RealisedReduction.objects.order_by("pk").values_list("pk", flat=True).first()
        ids["unreported_measure"] = Measure.objects.live().filter(realised__isnull=True).order_by("pk").first().pk
        ids["target"] = Target.objects.get(indicator="reduction_t", sector="industry").pk
        ids["municipality"] = Municipality.objects.order_by("pk").values_list("pk", flat=True).first()
        ids["user"] = users[VIEWER].pk
        ids["group"] = Group.objects.get(name=VIEWER).pk
        ids["apitoken"] = ApiToken.objects.get(user=users[VIEWER]).pk
        ids["partnership_version"] = ClimatePartnership.history.filter(id=ids["partnership"]).earliest().history_id
        ids["target_version"] = Target.history.filter(id=ids["target"]).earliest().history_id
        ids["site_query"] = EnergySite.objects.get(pk=ids["site"]).name[:6]
        # a heat source whose candidate nobody has proposed yet
        ids["candidate"] = opportunities(OpportunityFilter(), Assumptions(), "rank")[0]["source_id"]
        for cid, collection in COLLECTIONS.items():
            part = collection.layer.part
            ids[f"ogc_{cid}"] = (
                ids_of_geometry_type(collection.model, collection.layer.geometry, part.suffix)[0]
                if part
                else first_live(collection.model)
            )
        # an import run checked (nothing written) by another editor, its file kept under IMPORT_ROOT
        import_root = tmp_path_factory.mktemp("imports")
        (import_root / "matrix").mkdir()
        (import_root / "matrix" / "sites.csv").write_text("id;navn;type;lon;lat\nM1;Mølle;vind;9.86;57.12\n")
        ids["run"] = ImportRun.objects.create(
            kind="sites",
            file_name="sites.csv",
            stored_file="matrix/sites.csv",
            status=ImportRun.Status.CHECKED,
            created_by=other_editor,
            rows_total=1,
            rejected_count=1,
            rejections=[{"row": 2, "column": "lon", "field": "geometry", "value": "x", "reason": "matrix"}],
        ).pk
        # a status report a worker drew for someone else
        ids["report"] = StatusReport.objects.create(
            fmt="pdf", language="da", status=StatusReport.Status.READY, content=b"%PDF-1.4", filename="r.pdf"
        ).pk
    missing = sorted(key for key, value in ids.items() if value is None)
    assert not missing, f"the demo data has no {missing}"
    return World(users, tokens, ids, import_root)


@pytest.fixture(scope="module")
def clients(world, django_db_blocker) -> dict:
    """A test client per principal and way of signing in, made once: a new Client loads the middleware again
    (WhiteNoise scans the static files), which would cost more than the requests themselves.

    Sessions are made once too (their rows live in demo_db's transaction); client_as resets the cookies before
    every use, so what one request did to a client (a new session at sign-in, a message) never reaches the next.
    """
    from django.conf import settings

    made = {(ANONYMOUS, "session"): (Client(raise_request_exception=False), None)}  # a 500 is a status, too
    with django_db_blocker.unblock():
        for principal, user in world.users.items():
            client = Client(raise_request_exception=False)
            client.force_login(user)
            made[principal, "session"] = (client, client.cookies[settings.SESSION_COOKIE_NAME].value)
            made[principal, "token"] = (
                Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {world.tokens[principal]}"),
                None,
            )
    return made


@pytest.fixture(autouse=True)
def matrix_settings(settings, world, monkeypatch):
    """Uploads land in a scratch IMPORT_ROOT (an import is only queued: no worker runs here);
    and the demo sign-in is on, whatever DJANGO_DEBUG says (test_demo_sign_in_is_gone_when_disabled turns it off)."""
    settings.IMPORT_ROOT = world.import_root
    settings.DEMO_LOGIN_ENABLED = True


@pytest.fixture
def client_as(clients):
    from http.cookies import SimpleCookie

    from django.conf import settings

    def make(principal, auth="session") -> Client:
        client, session_key = clients[principal, auth]
        client.cookies = SimpleCookie()
        if session_key:
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        return client

    return make


def request(client, check: Check, world: World):
    """Make the request in a savepoint rolled back after it, so one principal's write does not change the next's."""
    url = check.url.format(**world.ids)
    body = check.body(world) if callable(check.body) else check.body
    with transaction.atomic():
        if check.method == "GET":
            response = client.get(url)
        elif check.kind == API:
            response = client.generic(
                check.method, url, json.dumps(body) if body is not None else "", content_type="application/json"
            )
        else:
            response = client.post(url, body or {})
        if response.streaming:
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return url, response


def outcome(check: Check, principal: str, url: str, response, world: World) -> str | None:
    """What is wrong with the response (None when it is what the rule says)."""
    expected = check.expected(principal)
    if response.status_code != expected:
        if getattr(response, "exc_info", None):
            _type, error, _traceback = response.exc_info
            return f"expected {expected}, got {response.status_code} ({type(error).__name__}: {error})"
        shown = b"" if response.streaming else response.content[:200]
        return f"expected {expected}, got {response.status_code} {shown!r}"
    if expected == 302:
        location = response["Location"]
        wanted = check.location.format(**world.ids) if principal in check.rule.allowed else LOGIN
        if not re.search(wanted, location):
            return f"redirected to {location}, expected {wanted}"
    if check.then and principal in check.rule.allowed:
        try:
            check.then(response, principal, world)
        except AssertionError as error:
            return f"content: {error}"
    return None


# -- the tests ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("check", CHECKS, ids=[f"{c.method} {c.url} [{c.rule}]" for c in CHECKS])
def test_permission_matrix(world, client_as, check):
    """One row: the request made by every principal (and with each one's token where scripts use it)."""
    wrong = []
    for principal in PRINCIPALS:
        for auth in ("session", "token") if check.token and principal != ANONYMOUS else ("session",):
            url, response = request(client_as(principal, auth), check, world)
            problem = outcome(check, principal, url, response, world)
            if problem:
                wrong.append(f"{check.method} {url} as {principal} ({auth}), rule {check.rule}: {problem}")
    assert not wrong, "\n".join(wrong)


def route_key(name: str | None, route: str, has_format: bool) -> str:
    if name is None:
        return route
    return f"{name}+format" if has_format else name


def join_route(prefix: str, part: str) -> str:
    return prefix + part.removeprefix("^")  # as Django's ResolverMatch.route does


def all_routes(patterns=None, prefix="", namespace=""):
    """(key, route) for every URL pattern of the project, walked from the root resolver."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from all_routes(pattern.url_patterns, route, inner)
        else:
            assert isinstance(pattern, URLPattern)
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield route_key(name, route, "format" in pattern.pattern.regex.groupindex), route


def key_of(url: str) -> str:
    match = resolve(url.split("?")[0])
    return route_key(match.view_name if match.url_name else None, match.route, "format" in match.kwargs)


def test_every_url_pattern_is_classified():
    checked = {check.route for check in CHECKS}
    unclassified = sorted(
        {
            (key, route)
            for key, route in all_routes()
            if key not in checked and not any(re.search(p, key) for p in IGNORED)
        }
    )
    assert not unclassified, (
        "URL patterns nobody classified: add them to the matrix (with their access rule) "
        f"or to IGNORED (with the reason): {unclassified}"
    )
    keys = {key for key, _route in all_routes()}
    assert not checked - keys, f"the matrix names routes that do not exist: {sorted(checked - keys)}"
    unused = [p for p in IGNORED if p not in OPTIONAL_IGNORED and not any(re.search(p, key) for key in keys)]
    assert not unused, f"IGNORED entries that match no route: {unused}"


def test_every_row_requests_the_route_it_names(world):
    wrong = [
        (check.route, key_of(check.url.format(**world.ids)), str(check))
        for check in CHECKS
        if key_of(check.url.format(**world.ids)) != check.route
    ]
    assert not wrong, wrong


def test_the_tables_cover_every_layer_format_collection_tile_and_admin_model():
    assert set(EXPORT_PERMISSIONS) == set(EXPORT_LAYERS)
    assert {c.url for c in EXPORTS} == {
        f"/api/exports/{layer}.{fmt}" for layer in EXPORT_LAYERS for fmt in EXPORT_FORMATS
    }
    assert set(OGC_VIEW) == set(COLLECTIONS)
    assert set(TILE_PERMISSIONS) == set(TILE_LAYERS)
    registered = {f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry}
    assert set(ADMIN_MODELS) == registered
    from config.api_urls import router

    assert {prefix for prefix, _viewset, _basename in router.registry} == {r.endpoint for r in RECORDS}


def test_the_role_groups_grant_exactly_what_the_matrix_says(world):
    """Every rule's permission is held by exactly the roles the rule allows (registry/roles.py agrees)."""
    rules = {check.rule for check in CHECKS if check.rule.perm} | {
        rule for sees, adds, _key in ADMIN_MODELS.values() for rule in (sees, adds)
    }
    users = {principal: get_user_model().objects.get(pk=user.pk) for principal, user in world.users.items()}
    wrong = [
        (str(rule), principal, user.has_perm(rule.perm))
        for rule in sorted(rules, key=str)
        for principal, user in users.items()
        if user.has_perm(rule.perm) != (principal in rule.allowed)
    ]
    assert not wrong, wrong


def test_demo_sign_in_is_gone_when_disabled(client_as, settings):
    settings.DEMO_LOGIN_ENABLED = False
    for principal in PRINCIPALS:
        assert client_as(principal).post("/demo-login/administrator/").status_code == 404, principal
    settings.DEMO_LOGIN_ENABLED = True
    assert client_as(ANONYMOUS).post("/demo-login/superuser/").status_code == 404


# -- object-level rules ---------------------------------------------------------------------------------------


def denied(principal: str, kind: str = API) -> int:
    return (401 if kind == API else 302) if principal == ANONYMOUS else 403


@pytest.mark.parametrize(
    "endpoint, model_path, key, name_field",
    [
        ("sites", "registry.models.EnergySite", "site", "name"),
        ("partnerships", "partnerships.models.ClimatePartnership", "partnership", "title"),
        ("funding", "partnerships.models.ExternalFunding", "funding", "title"),
    ],
)
def test_archived_records_leave_the_lists_but_readers_still_find_them(
    world, client_as, endpoint, model_path, key, name_field
):
    """Archiving hides a record from every list, export, map search and OGC layer; a reader still opens it by id
    and lists the archive with ?archived=true (README: DELETE archives, ?archived=true lists the archive too; the
    admin shows the archive to viewers as well). Those without the view permission get nothing, archived or not."""
    from django.utils.module_loading import import_string

    model = import_string(model_path)
    pk = world.ids[key]
    model.objects.filter(pk=pk).update(**{name_field: "Matrix archived record"})
    model.objects.get(pk=pk).archive()

    def found(body) -> list:
        return [f["id"] for f in body.get("features", body.get("results", []))]

    wrong = []
    for principal in PRINCIPALS:
        client = client_as(principal)
        detail = client.get(f"/api/{endpoint}/{pk}/")
        live = client.get(f"/api/{endpoint}/?search=Matrix+archived")
        archive = client.get(f"/api/{endpoint}/?search=Matrix+archived&archived=true")
        if principal in READERS:
            body = detail.json()
            record = body.get("properties", body)
            checks = {
                "detail 200": detail.status_code == 200,
                "detail says archived": bool(record.get("archived_at")),
                "not in the live list": live.status_code == 200 and pk not in found(live.json()),
                "in ?archived=true": archive.status_code == 200 and pk in found(archive.json()),
            }
            if endpoint == "sites":
                checks["not on the OGC layer"] = client.get(f"/ogc/collections/sites/items/{pk}").status_code == 404
                checks["not found by the map search"] = client.get("/map/search?q=Matrix+archived").json() == {
                    "results": []
                }
                exported = json.loads(
                    b"".join(client.get("/api/exports/sites.geojson?search=Matrix+archived").streaming_content)
                )
                checks["not in the export"] = exported["features"] == []
            wrong += [f"{principal}: {what}" for what, ok in checks.items() if not ok]
        else:
            statuses = {detail.status_code, live.status_code, archive.status_code}
            if statuses != {denied(principal)}:
                wrong.append(f"{principal}: expected {denied(principal)} everywhere, got {statuses}")
    assert not wrong, wrong


def form_values(form) -> dict:
    """What a form shows, as the browser would post it back unchanged."""
    data = {}
    for name, form_field in form.fields.items():
        value = form.initial.get(name, form_field.initial)
        if hasattr(value, "pk"):
            value = value.pk
        elif value is None or hasattr(value, "storage"):  # nothing, or a file (not re-sent)
            value = ""
        data[name] = value
    return data


@pytest.mark.parametrize(
    "label, key, attribute, new_value, may_change",
    [
        ("partnerships.climatepartnership", "partnership", "title", "Changed after the first version", WRITERS),
        ("partnerships.target", "target", "value", 123456, frozenset({ADMINISTRATOR})),
    ],
)
def test_reverting_to_an_earlier_version_in_the_admin_needs_the_change_permission(
    world, client_as, label, key, attribute, new_value, may_change
):
    """The history form (django-simple-history) shows an earlier version to whoever may view the record; posting it
    back saves that version over the record, which is a change: only those with the change permission may do it."""
    from django.apps import apps

    model = apps.get_model(label)
    obj = model.objects.get(pk=world.ids[key])
    setattr(obj, attribute, new_value)
    obj.save()
    first = model.history.filter(id=obj.pk).earliest().history_id
    url = admin_url(label, f"{obj.pk}/history/{first}/")
    shown = client_as(ADMINISTRATOR).get(url)
    assert shown.status_code == 200
    inlines = {f"{inline}-{n}": "0" for inline in ("memberships", "measures") for n in ("TOTAL_FORMS", "INITIAL_FORMS")}
    # the page's own values, as a browser posts them back (without the version the form started from)
    data = {**form_values(shown.context["adminform"].form), "record_version": "", **inlines}
    earlier = getattr(model.history.get(history_id=first), attribute)
    wrong = []
    for principal in PRINCIPALS:
        # those who may change the record revert it (so the posted form is a real revert); nobody else may
        status, value = (302, earlier) if principal in may_change else (denied(principal, PAGE), new_value)
        with transaction.atomic():
            response = client_as(principal).post(url, data)
            now = getattr(model.objects.get(pk=obj.pk), attribute)
            transaction.set_rollback(True)
        if (response.status_code, now) != (status, value):
            wrong.append(
                f"POST {url} as {principal}: expected {status} and {attribute}={value!r}, "
                f"got {response.status_code} and {attribute}={now!r}"
            )
    assert not wrong, "\n".join(wrong)


def test_a_role_taken_away_takes_effect_at_once(client_as):
    """The permission cache (access/backends.py) is cleared when a user leaves a group: the next request is refused."""
    user = get_user_model().objects.create_user("matrix-leaving-editor")
    group = Group.objects.get(name=EDITOR)
    user.groups.add(group)
    token = {"HTTP_AUTHORIZATION": f"Token {ApiToken.issue(user=user, name='leaving')[1]}"}
    client = client_as(ANONYMOUS)
    payload = {"name": "Matrix Leaving A/S", "kind": "company"}
    assert client.post("/api/organisations/", payload, content_type="application/json", **token).status_code == 201
    user.groups.remove(group)
    assert client.post("/api/organisations/", payload, content_type="application/json", **token).status_code == 403
    assert client.get("/api/organisations/?page_size=1", **token).status_code == 403
    assert client.get("/api/exports/sites.geojson", **token).status_code == 403
    assert client.get("/ogc/collections/sites/items?limit=1", **token).status_code == 403


@pytest.mark.parametrize(
    "url",
    ["/api/sites/?page_size=1", "/api/exports/sites.csv", "/ogc/collections/sites/items?limit=1", "/api/progress/"],
)
def test_a_revoked_token_or_a_deactivated_account_opens_nothing(client_as, url):
    user = get_user_model().objects.create_user("matrix-departed-administrator")
    user.groups.add(Group.objects.get(name=ADMINISTRATOR))
    token, raw = ApiToken.issue(user=user, name="departed")
    _, other_raw = ApiToken.issue(user=user, name="second")
    client = client_as(ANONYMOUS)
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
    token.revoke()
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {other_raw}").status_code == 200
    client.force_login(user)
    assert client.get(url).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {other_raw}").status_code == 401
    assert client.get(url).status_code == 401  # the session of a deactivated account is anonymous


def test_anonymous_read_opens_reading_never_writing(world, client_as, settings):
    """API_ANONYMOUS_READ=1 lets anonymous scripts read the records, their exports and OGC layers, and nothing more."""
    settings.API_ANONYMOUS_READ = True
    anonymous = client_as(ANONYMOUS)
    wrong = []
    for check in [*RECORD_API, *EXPORTS[:1], *[c for c in OGC if c.route in {"ogc:collections", "ogc:items"}]]:
        url, response = request(anonymous, check, world)
        expected = 200 if check.method == "GET" else 401
        if response.status_code != expected:
            wrong.append(f"{check.method} {url}: expected {expected}, got {response.status_code}")
    for url in ("/imports/", "/admin/partnerships/target/"):
        if anonymous.get(url).status_code != 302:
            wrong.append(f"GET {url}: a page still needs a sign-in")
    assert not wrong, "\n".join(wrong)
