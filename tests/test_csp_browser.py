"""The Content-Security-Policy (no inline script or style) with the pages that used to need inline code, in Chromium.

The map, dashboard, heat and import pages are checked under the same policy by their own browser tests,
which fail on any console error; a CSP violation is one.
"""

import pytest
from django.core.management import call_command

from registry.models import EnergySite

from .browser import chromium, watch_console

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Every violation the page reports, not only those Chromium logs to the console.
COLLECT_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (event) => window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`));
"""


@pytest.fixture
def browse(live_server, settings):
    settings.MAP_BASEMAP_TILES = ""  # no internet here
    call_command("load_demo", stdout=open("/dev/null", "w"))
    with chromium() as browser:

        def open_as(role, path):
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            page.add_init_script(COLLECT_VIOLATIONS)
            errors = watch_console(page)
            page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.goto(live_server.url + "/")
            page.click(f"button[value={role}]")
            page.goto(live_server.url + path)
            return page, errors

        yield open_as


def test_every_response_carries_the_policy(client, db):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_admin_map_widget_works_without_inline_script(browse):
    site = EnergySite.objects.filter(geometry__isnull=False).order_by("pk").first()
    page, errors = browse("editor", f"/admin/registry/energysite/{site.pk}/change/")
    page.wait_for_selector(".dj_map .ol-viewport canvas", timeout=15000)
    # the widget holds the site's geometry and draws it
    drawn = page.evaluate("() => window.geodjango_geometry.featureOverlay.getSource().getFeatures().length")
    assert drawn == 1
    assert page.evaluate("() => window.cspViolations") == []
    assert errors == []


@pytest.mark.parametrize("path", ["/api/docs/", "/ogc/api.html"])
def test_the_api_documentation_renders_without_inline_script(browse, path):
    page, errors = browse("viewer", path)
    page.wait_for_selector(".opblock", timeout=15000)
    assert page.locator(".opblock").count() >= 5
    assert page.evaluate("() => window.cspViolations") == []
    assert errors == []


def test_the_language_menu_switches_without_inline_handlers(browse):
    page, errors = browse("viewer", "/")
    assert page.get_attribute("html", "lang") == "en"
    with page.expect_navigation():
        page.select_option("select[name=language]", "da")
    assert page.get_attribute("html", "lang") == "da"
    assert "Kort" in page.text_content("header nav")
    assert page.evaluate("() => window.cspViolations") == []
    assert errors == []


def test_the_dashboard_bars_are_drawn_without_style_attributes(browse):
    page, errors = browse("viewer", "/")
    bar = page.locator("#sector-industry svg.bar rect.committed")
    width = float(bar.get_attribute("width"))
    assert 0 < width <= 100
    box = bar.bounding_box()
    whole = page.locator("#sector-industry svg.bar").bounding_box()
    assert box["width"] == pytest.approx(whole["width"] * width / 100, rel=0.02)
    assert page.evaluate("() => window.cspViolations") == []
    assert errors == []


def test_the_admin_history_page_has_no_inline_style(browse):
    site = EnergySite.objects.order_by("pk").first()
    page, errors = browse("editor", f"/admin/registry/energysite/{site.pk}/history/")
    page.wait_for_selector("#change-history, .paginator", timeout=15000)
    assert page.locator("[style]").count() == 0
    assert page.evaluate("() => window.cspViolations") == []
    assert errors == []


# /api/sites/ is GeoJSON (no filters dialog); /api/partnerships/ has the dialog with search and ordering;
# the editor's pages also carry the forms to write with.
@pytest.mark.parametrize(("role", "path"), [("viewer", "/api/sites/"), ("editor", "/api/partnerships/")])
def test_the_browsable_api_has_no_inline_style(browse, role, path):
    page, errors = browse(role, path)
    page.wait_for_selector(".response-info", timeout=15000)
    if page.locator("button[data-target='#filtersModal']").count():
        page.click("button[data-target='#filtersModal']")
        page.wait_for_selector("#filtersModal .list-group", state="visible", timeout=15000)
    # Bootstrap's script sets the open dialog's style through the DOM, which the policy allows
    assert page.locator("body [style]:not(.modal):not(.modal-backdrop)").count() == 0
    assert page.evaluate("() => window.cspViolations") == []
    assert errors == []
