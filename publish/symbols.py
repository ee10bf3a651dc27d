"""The map's colours, declared once: the web map (through the map page's config) and the QGIS project draw with
them, so a planner sees the same symbols in the browser and in QGIS."""

SITE_COLOURS = {
    "wind": "#1f77b4",
    "solar": "#e6a800",
    "biogas": "#2ca02c",
    "co2_capture": "#6b6b6b",
    "power_to_x": "#9467bd",
    "biochar": "#8c564b",
    "grass_protein": "#17becf",
    "hydrogen_pipe": "#e377c2",
    "co2_pipe": "#3b3b3b",
}
PARTNERSHIP_COLOURS = {
    "dialogue": "#e0a800",
    "signed": "#0b5563",
    "active": "#1b9e77",
    "completed": "#4c4c9d",
    "cancelled": "#b03a2e",
}
OTHER = "#999999"  # a value without a colour of its own
HEAT = "#b2182b"  # heat sources, district heating pipes and the outline of their areas
HEAT_AREA = "#f4a582"
SYMBIOSIS = "#d9480f"
BOUNDARY = "#34495e"
AREA_OUTLINE = "#222222"


def for_the_map() -> dict:
    """The colours as the map page's script reads them (config.colours)."""
    return {
        "sites": SITE_COLOURS,
        "partnerships": PARTNERSHIP_COLOURS,
        "other": OTHER,
        "heat": HEAT,
        "heatArea": HEAT_AREA,
        "symbiosis": SYMBIOSIS,
        "boundary": BOUNDARY,
        "areaOutline": AREA_OUTLINE,
    }
