"""The QGIS project planners download from the map page (/map/registry.qgz): every OGC layer the user may read,
with the web map's symbols, grouped like the map's layer switcher, in EPSG:25832, over a basemap.

Written here as QGIS project XML (QGIS 3.22's format) from the catalogue, for the server's own address, on each
request: the server has no PyQGIS, and a layer added to the catalogue appears in the project with no step to forget
(in its map group, or a group of its own; in the map's colours where it has a style below, in grey otherwise).

The layers are WFS 2.0 feature types of /wfs/ (QGIS 3.22 types their fields from DescribeFeatureType and reads them
in EPSG:25832; its OGC API - Features provider guesses types from the first features and reads CRS84), one per
geometry type (QGIS types a layer by one geometry type, so the mixed layers appear as their parts). They carry no
credentials: the server answers 401 with `WWW-Authenticate: Basic`, and QGIS asks for the user name and password
(or an API token as the password) once.
The colours are the map's, declared once in publish/symbols.py.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field
from urllib.parse import quote
from xml.etree.ElementTree import Element, SubElement, tostring

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from access.permissions import may_read
from gis.models import BOUNDARY_ATTRIBUTION, Municipality

from .catalogue import published
from .layers import Layer, Output
from .symbols import AREA_OUTLINE, BOUNDARY, HEAT, HEAT_AREA, OTHER, PARTNERSHIP_COLOURS, SITE_COLOURS, SYMBIOSIS

QGIS_VERSION = "3.22.0-Białowieża"
PROVIDER = "WFS"
WFS_PREFIX = "app"  # the namespace prefix of /wfs/'s feature type names (app:sites-points)
SRS = {  # srsid, srid, authid, description, proj4: what QGIS needs to recognise a CRS without its database's WKT
    4326: (3452, "EPSG:4326", "WGS 84", "+proj=longlat +datum=WGS84 +no_defs"),
    3857: (3857, "EPSG:3857", "WGS 84 / Pseudo-Mercator", "+proj=merc +a=6378137 +b=6378137 +units=m +no_defs"),
    25832: (2105, "EPSG:25832", "ETRS89 / UTM zone 32N", "+proj=utm +zone=32 +ellps=GRS80 +units=m +no_defs"),
}
DEFAULT_EXTENT = (520_000, 6_300_000, 600_000, 6_360_000)  # around Aalborg, when no boundary is loaded


def groups() -> tuple:
    """The map's layer switcher, top to bottom: each group's name and the catalogue layers it holds."""
    return (
        (_("Energy sites"), ("sites",)),
        (_("Climate partnerships"), ("partnerships", "organisation-sites")),
        (_("Surplus-heat symbioses"), ("symbioses",)),
        (_("Surplus heat"), ("heat-sources", "heating-networks")),
    )


# -- symbols: QGIS symbol XML, sizes in pixels as on the web map ------------------------------------------------------
def rgba(colour: str, opacity: float = 1.0) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{red},{green},{blue},{round(opacity * 255)}"


def option(parent, value, name=None):
    """A value in QGIS's <Option> form (QgsXmlUtils::writeVariant)."""
    attributes = {"name": name} if name is not None else {}
    if isinstance(value, dict):
        element = SubElement(parent, "Option", type="Map", **attributes)
        for key, item in value.items():
            option(element, item, key)
        return element
    kind, text = ("bool", str(value).lower()) if isinstance(value, bool) else ("QString", str(value))
    if isinstance(value, int) and not isinstance(value, bool):
        kind = "int"
    return SubElement(parent, "Option", type=kind, value=text, **attributes)


def symbol(kind: str, layer_class: str, properties: dict, size_expression: str | None = None) -> Element:
    element = Element("symbol", type=kind, name="0", alpha="1", clip_to_extent="1", force_rhr="0")
    layer = SubElement(element, "layer", {"class": layer_class, "enabled": "1", "locked": "0", "pass": "0"})
    option(layer, properties)
    for key, value in properties.items():  # the older form too, read by every QGIS 3
        SubElement(layer, "prop", k=key, v=str(value))
    if size_expression:
        expression = {"active": True, "expression": size_expression, "type": 3}  # 3: an expression-based property
        defined = SubElement(layer, "data_defined_properties")
        option(defined, {"name": "", "properties": {"size": expression}, "type": "collection"})
    return element


def marker(colour, outline="#ffffff", outline_width=1.5, size=11, size_expression=None) -> Element:
    properties = {"name": "circle", "color": rgba(colour), "outline_color": rgba(outline), "outline_style": "solid"}
    properties |= {"outline_width": outline_width, "outline_width_unit": "Pixel", "size": size, "size_unit": "Pixel"}
    return symbol("marker", "SimpleMarker", properties, size_expression)


def line(colour, width, dash=None, kind="line") -> Element:
    properties = {"line_color": rgba(colour), "line_width": width, "line_width_unit": "Pixel", "line_style": "solid"}
    properties |= {"capstyle": "round", "joinstyle": "round"}
    if dash:
        properties |= {"use_custom_dash": 1, "customdash": ";".join(map(str, dash)), "customdash_unit": "Pixel"}
    return symbol(kind, "SimpleLine", properties)


def fill(colour, opacity, outline, outline_width=1) -> Element:
    properties = {"color": rgba(colour, opacity), "style": "solid", "outline_color": rgba(outline)}
    properties |= {"outline_style": "solid", "outline_width": outline_width, "outline_width_unit": "Pixel"}
    return symbol("fill", "SimpleFill", properties)


def default_symbol(geometry_type: str, colour: str) -> Element:
    kind = geometry_kind(geometry_type)
    return marker(colour) if kind == "Point" else line(colour, 3) if kind == "Line" else fill(colour, 0.5, AREA_OUTLINE)


@dataclass(frozen=True)
class Style:
    """How the web map draws a layer: one symbol per value of `classify` (colours by value), or one symbol."""

    draw: object = None  # colour -> symbol; None: the default for the geometry type
    classify: str | None = None
    colours: dict = field(default_factory=dict)
    colour: str = OTHER
    checked: bool = True


STYLES = {
    "sites-points": Style(marker, "site_type", SITE_COLOURS),
    "sites-lines": Style(lambda c: line(c, 3.5), "site_type", SITE_COLOURS),
    "sites-areas": Style(lambda c: fill(c, 0.55, AREA_OUTLINE), "site_type", SITE_COLOURS),
    "partnerships": Style(lambda c: marker("#ffffff", outline=c, outline_width=3), "status", PARTNERSHIP_COLOURS),
    "organisation-sites": Style(lambda c: marker(c, size=7), colour="#555555", checked=False),
    "symbioses": Style(lambda c: line(c, 4, dash=(8, 4)), colour=SYMBIOSIS),
    "heat-sources": Style(
        lambda c: marker(c, size_expression='scale_linear(coalesce("surplus_heat_mwh_per_yr", 0), 0, 60000, 8, 24)'),
        colour=HEAT,
    ),
    "heating-networks-areas": Style(lambda c: fill(HEAT_AREA, 0.3, c), colour=HEAT),
    "heating-networks-pipes": Style(lambda c: line(c, 3), colour=HEAT),
}


def renderer(layer: Layer, style: Style) -> Element:
    draw = style.draw or (lambda colour: default_symbol(layer.geometry_type, colour))
    if not style.classify:
        element = Element("renderer-v2", type="singleSymbol", symbollevels="0", forceraster="0", enableorderby="0")
        SubElement(element, "symbols").append(draw(style.colour))
        return element
    element = Element("renderer-v2", type="categorizedSymbol", attr=style.classify, symbollevels="0", forceraster="0")
    categories, symbols = SubElement(element, "categories"), SubElement(element, "symbols")
    for index, (value, label) in enumerate(layer.model._meta.get_field(style.classify).choices):
        SubElement(categories, "category", value=value, label=str(label), symbol=str(index), render="true")
        drawn = draw(style.colours.get(value, OTHER))
        drawn.set("name", str(index))
        symbols.append(drawn)
    return element


def labeling(field_name: str, geometry_type: str) -> Element:
    """Names in dark grey with a white halo, from 1:50,000 in (the map shows them in its popups)."""
    placement = {"Point": "6", "Line": "2", "Polygon": "1"}[geometry_kind(geometry_type)]
    element = Element("labeling", type="simple")
    settings = SubElement(element, "settings", calloutType="simple")
    text = SubElement(settings, "text-style", fieldName=field_name, isExpression="0", fontFamily="Sans Serif")
    text.attrib |= {"fontSize": "8", "fontSizeUnit": "Point", "textColor": "34,34,34,255", "textOpacity": "1"}
    halo = {"bufferDraw": "1", "bufferSize": "0.8", "bufferSizeUnits": "MM", "bufferColor": "255,255,255,255"}
    SubElement(text, "text-buffer", halo | {"bufferOpacity": "1"})
    SubElement(settings, "text-format")
    SubElement(settings, "placement", placement=placement, dist="1", distUnits="MM", placementFlags="10")
    SubElement(settings, "rendering", scaleVisibility="1", scaleMin="1", scaleMax="50000", drawLabels="1")
    return element


# -- the project ------------------------------------------------------------------------------------------------------
def geometry_kind(geometry_type: str) -> str:
    return "Point" if "Point" in geometry_type else "Line" if "Line" in geometry_type else "Polygon"


def spatial_reference(srid: int) -> Element:
    srsid, authid, description, proj4 = SRS[srid]
    element = Element("spatialrefsys")
    for tag, text in (("proj4", proj4), ("srsid", srsid), ("srid", srid), ("authid", authid)):
        SubElement(element, tag).text = str(text)
    SubElement(element, "description").text = description
    return element


def wrapped(tag: str, child: Element) -> Element:
    element = Element(tag)
    element.append(child)
    return element


def text_element(tag: str, text: str, **attributes) -> Element:
    element = Element(tag, **attributes)
    element.text = text
    return element


def project_layers(user) -> list[Layer]:
    """The catalogue's OGC layers the user may read, a mixed layer as its parts of one geometry type each."""
    found = published(Output.OGC, by_geometry_type=True).values()
    return [layer for layer in found if not layer.parts and may_read(user, layer.model)]


def layer_source(layer: Layer, base_url: str) -> str:
    """The WFS data source: no user name, password or auth config (QGIS asks when the server says 401)."""
    return f"srsname='EPSG:25832' typename='{WFS_PREFIX}:{layer.id}' url='{base_url}wfs/' version='2.0.0'"


def base_id(layer: Layer) -> str:
    return layer.id.removesuffix(f"-{layer.part.suffix}") if layer.part else layer.id


def vector_layer(layer: Layer, base_url: str) -> Element:
    style = STYLES.get(layer.id, Style())
    kind = geometry_kind(layer.geometry_type)
    properties = {p.name for p in layer.properties_for(Output.OGC)}
    label = next((name for name in ("title", "name") if name in properties), None)
    element = Element("maplayer", type="vector", geometry=kind, wkbType=layer.geometry_type)
    element.attrib |= {"labelsEnabled": "1" if label else "0", "minScale": "1e+08", "maxScale": "0", "readOnly": "1"}
    element.append(text_element("id", layer_tree_id(layer.id)))
    element.append(text_element("datasource", layer_source(layer, base_url)))
    element.append(text_element("layername", str(layer.title)))
    element.append(wrapped("srs", spatial_reference(25832)))
    element.append(text_element("provider", PROVIDER, encoding=""))
    element.append(renderer(layer, style))
    if label:
        element.append(labeling(label, layer.geometry_type))
    aliases = SubElement(element, "aliases")
    for index, prop in enumerate(layer.properties_for(Output.OGC)):
        SubElement(aliases, "alias", field=prop.name, index=str(index), name=capfirst(str(layer.property_label(prop))))
    return element


def boundary_layer() -> Element | None:
    """The home municipality's outline, carried in the project (GeoJSON text, as the map's boundary.geojson)."""
    row = Municipality.objects.home().annotate(json=AsGeoJSON(Transform("geom", 4326), precision=5)).first()
    if row is None:
        return None
    feature = {"type": "Feature", "properties": {"code": row.code, "name": row.name}, "geometry": json.loads(row.json)}
    element = Element("maplayer", type="vector", geometry="Polygon", wkbType="MultiPolygon", readOnly="1")
    element.append(text_element("id", layer_tree_id("boundary")))
    element.append(text_element("datasource", json.dumps({"type": "FeatureCollection", "features": [feature]})))
    element.append(text_element("layername", _("Municipality boundary")))
    element.append(wrapped("srs", spatial_reference(4326)))
    element.append(text_element("provider", "ogr", encoding="UTF-8"))
    drawn = SubElement(element, "renderer-v2", type="singleSymbol", symbollevels="0", forceraster="0")
    SubElement(drawn, "symbols").append(line(BOUNDARY, 2, dash=(6, 4), kind="fill"))
    SubElement(SubElement(element, "resourceMetadata"), "rights").text = str(BOUNDARY_ATTRIBUTION)
    return element


def basemap_layer(basemap: dict) -> Element | None:
    """The map page's basemap (OpenStreetMap, or Dataforsyningen's screen map with a token) as an XYZ layer."""
    if not basemap.get("tiles"):
        return None
    source = f"type=xyz&url={quote(basemap['tiles'], safe=':/{}')}&zmax=19&zmin=0"
    names = {"openstreetmap.org": "OpenStreetMap", "dataforsyningen.dk": "Skærmkort (Dataforsyningen)"}
    name = next((name for host, name in names.items() if host in basemap["tiles"]), _("Basemap"))
    element = Element("maplayer", type="raster")
    for tag, text in (("id", layer_tree_id("basemap")), ("datasource", source), ("layername", name)):
        element.append(text_element(tag, text))
    element.append(wrapped("srs", spatial_reference(3857)))
    metadata = SubElement(element, "resourceMetadata")
    SubElement(metadata, "rights").text = basemap.get("attribution", "")
    element.append(text_element("provider", "wms"))
    pipe = SubElement(element, "pipe")
    SubElement(pipe, "rasterrenderer", type="singlebandcolordata", band="1", alphaBand="-1", opacity="0.85")
    return element


def layer_tree_id(layer_id: str) -> str:
    """A QGIS layer id: QGIS 3.22 replaces an id of 10 characters or fewer by a generated one."""
    return f"registry_{layer_id.replace('-', '_')}"


def tree_layer(parent, qgis_id: str, name: str, provider: str, source: str, checked: bool = True):
    state = "Qt::Checked" if checked else "Qt::Unchecked"
    attributes = {"id": qgis_id, "name": name, "providerKey": provider, "source": source}
    SubElement(parent, "layer-tree-layer", attributes | {"checked": state, "expanded": "1"})


def layer_tree(layers: list[Layer], extra: list[tuple[str, Element]], base_url: str) -> Element:
    """The groups of the map (a layer in no group gets one of its own), then the boundary and the basemap.

    Within a group points come first, then lines, then areas; QGIS draws the tree top down, and the drawing order
    (custom-order) is the map's: every point layer over every line layer over every area, the basemap at the bottom.
    """
    rank = {"Point": 0, "Line": 1, "Polygon": 2}
    layers = sorted(layers, key=lambda layer: rank[geometry_kind(layer.geometry_type)])
    named = list(groups())
    named += [
        (str(layer.title), (base_id(layer),)) for layer in layers if not any(base_id(layer) in g for _, g in named)
    ]
    root = Element("layer-tree-group")
    for name, members in named:
        held = [layer for layer in layers if base_id(layer) in members]
        if not held:
            continue
        group = SubElement(root, "layer-tree-group", name=str(name), checked="Qt::Checked", expanded="1")
        for layer in held:
            source = layer_source(layer, base_url)
            checked = STYLES.get(layer.id, Style()).checked
            tree_layer(group, layer_tree_id(layer.id), str(layer.title), PROVIDER, source, checked)
    for name, element in extra:
        group = SubElement(root, "layer-tree-group", name=name, checked="Qt::Checked", expanded="1")
        tree_layer(group, element.findtext("id"), element.findtext("layername"), element.findtext("provider"), "")
    order = SubElement(root, "custom-order", enabled="1")
    for layer in layers:
        SubElement(order, "item").text = layer_tree_id(layer.id)
    for _name, element in extra:
        SubElement(order, "item").text = element.findtext("id")
    return root


def map_canvas(extent) -> Element:
    canvas = Element("mapcanvas", name="theMapCanvas", annotationsVisible="1")
    SubElement(canvas, "units").text = "meters"
    box = SubElement(canvas, "extent")
    for tag, value in zip(("xmin", "ymin", "xmax", "ymax"), extent, strict=True):
        SubElement(box, tag).text = str(value)
    SubElement(canvas, "rotation").text = "0"
    canvas.append(wrapped("destinationsrs", spatial_reference(25832)))
    return canvas


def project_xml(base_url: str, user, basemap: dict) -> bytes:
    """The .qgs document for a server at base_url (ending in /), with the layers `user` may read."""
    layers = project_layers(user)
    extra = [(_("Municipality boundary"), boundary_layer()), (_("Basemap"), basemap_layer(basemap))]
    extra = [(name, element) for name, element in extra if element is not None]
    root = Element("qgis", projectname=_("Climate partnership registry"), version=QGIS_VERSION)
    SubElement(root, "homePath", path="")
    root.append(text_element("title", _("Climate partnership registry")))
    root.append(wrapped("projectCrs", spatial_reference(25832)))
    # QGIS 3.22 reads projectCrs only when this (pre-3.0 "on the fly reprojection") property says so
    properties = SubElement(SubElement(root, "properties"), "SpatialRefSys")
    SubElement(properties, "ProjectionsEnabled", type="int").text = "1"
    root.append(layer_tree(layers, extra, base_url))
    found = Municipality.objects.home().aggregate(box=Extent("geom"))["box"]
    root.append(map_canvas(found or DEFAULT_EXTENT))
    project = SubElement(root, "projectlayers")
    for layer in layers:
        project.append(vector_layer(layer, base_url))
    for _name, element in extra:
        project.append(element)
    head = "<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
    return (head + tostring(root, encoding="unicode")).encode()


def project_qgz(base_url: str, user, basemap: dict) -> bytes:
    """The project as QGIS's zipped .qgz: the .qgs document alone."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("registry.qgs", project_xml(base_url, user, basemap))
    return buffer.getvalue()
