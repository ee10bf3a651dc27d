"""Every page each role sees, checked by axe-core in headless Chromium for WCAG 2.1 A and AA.

Danish public-sector web solutions must meet WCAG 2.1 AA (webtilgængelighedsloven). A serious or
critical violation fails the test, listed with its rule, impact and the selectors of the elements.
The pages are the Danish ones, as the users see them, under the site's Content-Security-Policy.
"""

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from partnerships.models import ClimatePartnership, InternationalPartnership, Measure
from registry.models import EnergySite, Organisation

from .axe import report, violations
from .browser import chromium, watch_console

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Third-party markup we cannot change from our templates, each with its reason. Narrow selectors only:
# the rest of the page, and every rule, is still checked.
EXCLUDE = {
    # Swagger UI's "Try it out" form renders an enum parameter as a <select> with no <label>; the parameter's
    # name stands in the same table row. Its React markup is rebuilt on every change.
    "/api/docs/": [".swagger-ui .parameters-col_description select"]
}


def _sign_in_page():
    try:
        return reverse("login")  # /accounts/login/, when the site has its own sign-in page
    except NoReverseMatch:
        return reverse("admin:login")


def _swagger_opened(page):
    """The API docs with an operation open in "Try it out", and the schemas shown."""
    page.wait_for_selector("#swagger-ui .opblock", timeout=20000)
    page.click("#operations-api-api_funding_create .opblock-summary-control")
    page.click("#operations-api-api_funding_list .opblock-summary-control")
    page.click("#operations-api-api_funding_list .try-out__btn")
    page.click(".models-control")
    page.wait_for_selector("#operations-api-api_funding_list .execute")


@pytest.fixture
def check(live_server, settings):
    """check(role, paths): sign in as a demo user of the role (None: nobody) and check each page.

    A path may be (path, prepare): prepare(page) brings the page to the state checked.
    """
    settings.MAP_BASEMAP_TILES = ""  # no internet here
    call_command("load_demo", stdout=open("/dev/null", "w"))
    with chromium() as browser:

        def check_as(role, paths):
            context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="da-DK")
            page = context.new_page()
            errors = watch_console(page)
            page.goto(live_server.url + "/")
            if role:
                page.click(f"button[value={role}]")
                page.wait_for_load_state()
            failures = []
            for entry in paths:
                path, prepare = entry if isinstance(entry, tuple) else (entry, None)
                page.goto(live_server.url + path)
                page.wait_for_load_state("networkidle")
                if prepare:
                    prepare(page)
                found = violations(page, exclude=EXCLUDE.get(path.split("?")[0], ()))
                lang = page.evaluate("() => document.documentElement.lang")
                if lang != "da":
                    found.append({"id": "lang", "impact": "serious", "help": f"lang={lang!r}", "targets": ["html"]})
                if found:
                    failures.append(report(path, found))
            context.close()
            assert not failures, "\n".join(failures)
            return errors

        yield check_as


def test_the_anonymous_pages(check):
    check(None, ["/", _sign_in_page()])


def test_the_viewers_pages(check):
    check(
        "viewer",
        [
            "/",
            "/?as_of=2025-06-30",
            "/progress/rows/measures/",
            "/progress/rows/international/",
            "/heat/opportunities/",
            ("/api/docs/", lambda page: page.wait_for_selector("#swagger-ui .opblock", timeout=20000)),
            ("/api/docs/", _swagger_opened),
        ],
    )


def test_the_map_page(check):
    check("viewer", [("/map/", lambda page: page.wait_for_selector("body[data-map-ready=true]", timeout=20000))])


def _admin_pages():
    """The admin index, and the list and a record of each main model (a measure with realised reductions)."""
    pages = [reverse("admin:index")]
    for model, records in [
        (Measure, Measure.objects.filter(realised__isnull=False)),
        (ClimatePartnership, ClimatePartnership.objects.filter(measures__isnull=False)),
        (Organisation, Organisation.objects.all()),
        (EnergySite, EnergySite.objects.all()),
        (InternationalPartnership, InternationalPartnership.objects.all()),
    ]:
        app, name = model._meta.app_label, model._meta.model_name
        record = records.order_by("pk").first()
        pages += [reverse(f"admin:{app}_{name}_changelist"), reverse(f"admin:{app}_{name}_change", args=[record.pk])]
    return pages


def test_the_editors_pages(check):
    check("editor", ["/imports/", *_admin_pages(), "/ogc/collections?f=html"])
