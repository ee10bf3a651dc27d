"""The pages on a phone, a tablet and a laptop: nothing wider than the screen, and the map usable on each."""

import pytest
from django.core.management import call_command

from .browser import ARTIFACTS, chromium, watch_console
from .test_map_browser import rendered, wait_for_tiles

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENS = {"phone": (390, 844), "tablet": (768, 1024), "laptop": (1366, 768)}
PAGES = {
    "dashboard": "/",
    "map": "/map/",
    "heat-opportunities": "/heat/opportunities/",
    **{
        f"rows-{kind}": f"/progress/rows/{kind}/"
        for kind in ("measures", "partnerships", "realised", "international", "funding")
    },
}

# Elements whose right edge lies beyond the viewport, unless a box between them and the page clips or scrolls them.
OVERFLOW = """() => {
  const inside = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    if (r.right > window.innerWidth + 1 && !inside(el)) {
      out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} right=${Math.round(r.right)}`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, out: out.slice(0, 10)};
}"""


@pytest.fixture
def browse(live_server, settings):
    settings.MAP_BASEMAP_TILES = ""
    call_command("load_demo", stdout=open("/dev/null", "w"))
    with chromium() as browser:

        def open_as(role, screen):
            width, height = SCREENS[screen]
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            errors = watch_console(page)
            page.goto(live_server.url + "/")
            page.click(f"button[value={role}]")
            return page, errors

        yield open_as, live_server.url


def visit(page, base, path):
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    if path.startswith("/map/"):
        wait_for_tiles(page)
    page.wait_for_timeout(300)


@pytest.mark.parametrize("screen", SCREENS)
def test_no_page_is_wider_than_the_screen(browse, screen):
    open_as, base = browse
    page, errors = open_as("viewer", screen)
    ARTIFACTS.mkdir(exist_ok=True)
    problems = {}
    for name, path in PAGES.items():
        visit(page, base, path)
        page.screenshot(path=str(ARTIFACTS / f"layout-{name}-{SCREENS[screen][0]}.png"), full_page=name != "map")
        found = page.evaluate(OVERFLOW)
        if found["scroll"] > found["inner"] or found["out"]:
            problems[name] = found
    assert problems == {}
    header = page.evaluate("() => document.querySelector('header.top').getBoundingClientRect().height")
    if screen == "phone":
        assert header <= 80  # compact: the title and one scrolling line of links
    assert [e for e in errors if "GL Driver Message" not in e] == []


def test_the_dashboard_cards_stack_on_a_phone(browse):
    open_as, base = browse
    page, errors = open_as("viewer", "phone")
    visit(page, base, "/")
    cards = page.evaluate(
        "() => [...document.querySelectorAll('.grid.sectors > .card')].map(c => c.getBoundingClientRect())"
        ".map(r => [Math.round(r.left), Math.round(r.top), Math.round(r.width)])"
    )
    assert len(cards) >= 2
    assert len({left for left, _, _ in cards}) == 1  # one column
    assert all(width <= 390 for _, _, width in cards)
    assert [e for e in errors if "GL Driver Message" not in e] == []


@pytest.mark.parametrize("screen", ["phone", "tablet"])
def test_the_map_fills_a_narrow_screen_with_its_filters_in_a_drawer(browse, screen):
    open_as, base = browse
    page, errors = open_as("viewer", screen)
    visit(page, base, "/map/")
    width = page.evaluate("() => window.innerWidth")
    canvas = page.evaluate("() => window.registryMap.getCanvas().getBoundingClientRect().width")
    assert canvas >= 0.9 * width
    toggle = page.locator("#map-drawer-toggle")
    assert toggle.get_attribute("aria-expanded") == "false" and page.is_hidden("#map-panel")
    toggle.focus()
    page.keyboard.press("Enter")  # a real button: the keyboard opens it
    assert toggle.get_attribute("aria-expanded") == "true" and page.is_visible("#map-panel")
    page.screenshot(path=str(ARTIFACTS / f"layout-map-drawer-{SCREENS[screen][0]}.png"))
    page.uncheck("#filter-type input[value=wind]")
    wait_for_tiles(page)
    types = set(rendered(page, "sites-point", "site_type"))
    assert types and "wind" not in types
    page.focus("#filter-type input[value=solar]")
    page.keyboard.press("Escape")  # closes the drawer and gives the focus back to its button
    assert toggle.get_attribute("aria-expanded") == "false" and page.is_hidden("#map-panel")
    assert page.evaluate("() => document.activeElement.id") == "map-drawer-toggle"
    assert page.evaluate("() => window.registryMap.getCanvas().getBoundingClientRect().width") >= 0.9 * width
    assert [e for e in errors if "GL Driver Message" not in e] == []


def test_on_a_laptop_the_panel_sits_beside_the_map_and_can_be_closed(browse):
    open_as, base = browse
    page, errors = open_as("viewer", "laptop")
    visit(page, base, "/map/")
    assert page.get_attribute("#map-drawer-toggle", "aria-expanded") == "true" and page.is_visible("#map-panel")
    panel = page.evaluate("() => document.getElementById('map-panel').getBoundingClientRect().right")
    map_left = page.evaluate("() => document.getElementById('map').getBoundingClientRect().left")
    assert map_left >= panel - 1  # beside, not over
    page.click("#map-drawer-toggle")
    assert page.is_hidden("#map-panel")
    page.wait_for_function("() => window.registryMap.getCanvas().getBoundingClientRect().width >= 1300")
    assert [e for e in errors if "GL Driver Message" not in e] == []
