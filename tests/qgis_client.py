"""A QGIS 3.22 client for the tests, as a planner uses it: run by the system's Python with PyQGIS (python3-qgis),
never by the project's virtualenv, and importing nothing of the project.

It reads one JSON job on stdin and writes one JSON answer on stdout (QGIS's own chatter goes to stderr):

    {"sign_ins": {"viewer": {"username": "demo-viewer", "password": "demo"}},  # Basic auth configs, as a user adds
     "layers": [{"name": "sites-points", "provider": "OAPIF", "sign_in": "viewer",
                 "uri": "url='http://host/ogc/' typename='sites-points'"},
                {"name": "sites (tiles)", "provider": "vectortile", "sign_in": "viewer",
                 "uri": "type=xyz&url=http://host/tiles/sites/{z}/{x}/{y}.pbf&zmin=0&zmax=14"}],
     "projects": [{"path": "/tmp/registry.qgz"},                              # opened as it is
                  {"path": "/tmp/registry.qgz", "sign_in": "viewer", "server": "http://host/"}],
     "render": {"dir": "/tmp/png", "size": 256, "extent": [xmin, ymin, xmax, ymax], "skip": ["OpenStreetMap"]}}

A layer with a "sign_in" gets that auth config's `authcfg=<id>` in its URI. Extents are in EPSG:25832; without one
a render covers the layers' extent (a vector tile layer's is the whole world: give one). The answer:

    {"qgis": "3.22.16-...", "authcfg": {"viewer": "abc1234"},
     "layers": [{"name", "valid", "error", "log", "sign_in_requests", "wkb_type", "crs", "feature_count",
                 "geometry_types", "fields", "field_types", "png", "drawn_pixels"}, ...],
     "projects": [{"read", "crs", "title", "groups", "layers": [...], "log", "sign_in_requests", "png",
                   "drawn_pixels"}, ...]}

"sign_in_requests" are the 401 answers with `WWW-Authenticate` QGIS met (their realms, or how many): where QGIS
Desktop shows its sign-in dialog. PyQGIS 3.22 cannot answer that dialog (its network authentication handler has no
Python binding), so a project's "sign_in" hands the name and password over as the dialog would: the auth config on
each layer from "server" as QGIS reads the project (never on the basemap's).
"""

import array
import json
import os
import sys
import tempfile

# tests/qgis.py (the pytest side) would shadow the qgis package: this folder is not a place to import from
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != HERE]

EPSG_25832 = "EPSG:25832"
BACKGROUND = (255, 255, 255)


def main() -> int:
    job = json.load(sys.stdin)
    answer_to = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # whatever QGIS prints, the answer stays one JSON document
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QGIS_AUTH_DB_DIR_PATH", tempfile.mkdtemp(prefix="qgis-auth-"))
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    try:
        answer = Client(job).run()
    finally:
        app.exitQgis()
    json.dump(answer, answer_to)
    answer_to.close()
    return 0


class Client:
    def __init__(self, job: dict):
        from qgis.core import QgsApplication, QgsNetworkAccessManager

        self.job = job
        self.log = []
        self.sign_in_requests = []
        QgsApplication.messageLog().messageReceived.connect(self._logged)
        QgsNetworkAccessManager.instance().requestRequiresAuth.connect(self._asked)
        QgsNetworkAccessManager.instance().setTimeout(30_000)
        self.render = job.get("render") or {}
        sign_ins = job.get("sign_ins") or {}
        if sign_ins:
            set_master_password()
        self.authcfg = {name: sign_in(**credentials) for name, credentials in sign_ins.items()}

    def _logged(self, message, tag, level):
        self.log.append(f"{tag}: {message}")

    def _asked(self, request_id, realm):
        self.sign_in_requests.append(realm)

    def run(self) -> dict:
        from qgis.core import Qgis

        answer = {"qgis": Qgis.QGIS_VERSION, "authcfg": self.authcfg}
        answer["layers"] = [self.watched(self.layer_report, spec) for spec in self.job.get("layers", ())]
        answer["projects"] = [self.watched(self.project_report, spec) for spec in self.job.get("projects", ())]
        return answer

    def watched(self, report, spec: dict) -> dict:
        """The report, with the messages QGIS logged and the sign-ins it was asked for meanwhile."""
        from qgis.core import QgsApplication

        logged, asked = len(self.log), len(self.sign_in_requests)
        found = report(spec)
        QgsApplication.processEvents()  # messages from other threads arrive queued
        return found | {"log": self.log[logged:], "sign_in_requests": self.sign_in_requests[asked:]}

    def layer_report(self, spec: dict) -> dict:
        from qgis.core import QgsProject

        uri = with_authcfg(spec["uri"], self.authcfg.get(spec.get("sign_in")))
        layer = open_layer(spec["name"], spec["provider"], uri)
        report = describe(layer)
        if layer.isValid():
            QgsProject.instance().addMapLayer(layer, False)
            report.update(self.rendered([layer], spec["name"], self.render.get("extent")))
            QgsProject.instance().removeMapLayer(layer.id())
        return report

    def project_report(self, spec: dict) -> dict:
        from qgis.core import QgsPathResolver, QgsProject

        authcfg, server = self.authcfg.get(spec.get("sign_in")), spec.get("server")
        preprocessor = None
        if authcfg and server:
            # as QGIS Desktop's sign-in dialog: the name and password go to that server, never to the basemap's
            preprocessor = QgsPathResolver.setPathPreprocessor(
                lambda source: with_authcfg(source, authcfg) if server in source else source
            )
        project = QgsProject.instance()
        project.clear()
        try:
            report = {"read": project.read(spec["path"]), "crs": project.crs().authid(), "title": project.title()}
        finally:
            if preprocessor is not None:
                QgsPathResolver.removePathPreprocessor(preprocessor)
        report["groups"] = tree(project.layerTreeRoot())
        report["layers"] = []
        for node in project.layerTreeRoot().findLayers():
            entry = describe(node.layer())
            entry |= {"group": group_path(node), "checked": node.isVisible(), "source": node.layer().source()}
            report["layers"].append(entry | style(node.layer()))
        skip = set(self.render.get("skip", ()))
        drawn = [n.layer() for n in project.layerTreeRoot().findLayers() if n.layer().isValid()]
        report |= self.rendered([layer for layer in drawn if layer.name() not in skip], "project", spec.get("extent"))
        return report

    def rendered(self, layers, name: str, extent=None) -> dict:
        """Render the layers in EPSG:25832 to a PNG; the number of pixels drawn (not the background colour)."""
        if not self.render.get("dir") or not layers:
            return {}
        image, errors = render(layers, extent, int(self.render.get("size", 256)))
        path = unused_path(self.render["dir"], safe_name(name))
        image.save(path)
        return {"png": path, "drawn_pixels": drawn_pixels(image), "render_errors": errors}


def set_master_password():
    """A fresh auth database needs a master password before it stores a config (QGIS asks for one at first use)."""
    from qgis.core import QgsApplication

    if not QgsApplication.authManager().setMasterPassword("qgis-client-master", True):
        raise RuntimeError("the QGIS auth database refused a master password")


def sign_in(username: str, password: str) -> str:
    """A Basic auth config in the auth database, as a user adds one in QGIS's Authentication settings; its id."""
    from qgis.core import QgsApplication, QgsAuthMethodConfig

    manager = QgsApplication.authManager()
    config = QgsAuthMethodConfig("Basic")
    config.setName("Climate partnership registry")
    config.setConfig("username", username)
    config.setConfig("password", password)
    stored, config = manager.storeAuthenticationConfig(config)
    if not stored or not config.id():
        raise RuntimeError("the QGIS auth manager did not store the Basic config")
    return config.id()


def with_authcfg(uri: str, authcfg: str | None) -> str:
    """The data source with the auth config: `authcfg=` in a WFS/OAPIF URI, `&authcfg=` in a vector tile URI."""
    if not authcfg or "authcfg=" in uri or not uri:
        return uri
    if uri.startswith("type=xyz&"):
        return f"{uri}&authcfg={authcfg}"
    return f"{uri} authcfg={authcfg}"


def open_layer(name: str, provider: str, uri: str):
    from qgis.core import QgsVectorLayer, QgsVectorTileLayer

    if provider == "vectortile":
        return QgsVectorTileLayer(uri, name)
    return QgsVectorLayer(uri, name, provider)


def describe(layer) -> dict:
    """Validity, errors, declared type and fields, and the features as iterated (not the provider's estimate)."""
    from qgis.core import QgsMapLayerType, QgsWkbTypes

    report = {"name": layer.name(), "id": layer.id(), "provider": layer.providerType(), "valid": layer.isValid()}
    report["error"] = error_text(layer)
    report["crs"] = layer.crs().authid()
    if layer.type() != QgsMapLayerType.VectorLayer:
        return report
    report["wkb_type"] = QgsWkbTypes.displayString(layer.wkbType())
    report["fields"] = {field.name(): field.typeName() for field in layer.fields()}
    report["field_types"] = {field.name(): type_name(field.type()) for field in layer.fields()}
    if layer.isValid():
        types, count = set(), 0
        for feature in layer.getFeatures():
            count += 1
            types.add(QgsWkbTypes.displayString(feature.geometry().wkbType()) if feature.hasGeometry() else "None")
        report |= {"feature_count": count, "geometry_types": sorted(types)}
    return report


def type_name(variant_type) -> str:
    """The QVariant type's name: QString, int, qlonglong, double, QDateTime, QDate, bool."""
    from qgis.PyQt.QtCore import QVariant

    return QVariant.typeToName(variant_type) or str(variant_type)


def error_text(layer) -> str:
    parts = []
    if not layer.error().isEmpty():
        parts.append(layer.error().summary())
    provider = layer.dataProvider()
    if provider is not None and not provider.error().isEmpty():
        parts.append(provider.error().summary())
    return "\n".join(parts)


def style(layer) -> dict:
    """How a project layer draws: its renderer, the categories (value, label, colour), its labels."""
    from qgis.core import QgsMapLayerType

    if layer.type() != QgsMapLayerType.VectorLayer or layer.renderer() is None:
        return {"renderer": None}
    renderer = layer.renderer()
    found = {"renderer": renderer.type(), "labels": layer.labelsEnabled() and layer.labeling() is not None}
    if renderer.type() == "categorizedSymbol":
        found["classified_by"] = renderer.classAttribute()
        found["categories"] = [
            {"value": c.value(), "label": c.label(), **colours(c.symbol())} for c in renderer.categories()
        ]
    elif renderer.type() == "singleSymbol":
        found |= colours(renderer.symbol())
    if found["labels"]:
        settings = layer.labeling().settings()
        found["label_field"] = settings.fieldName
        found["label_scale"] = [settings.minimumScale, settings.maximumScale] if settings.scaleVisibility else None
    found["aliases"] = {f.name(): f.alias() for f in layer.fields() if f.alias()}
    return found


def colours(symbol) -> dict:
    """A symbol's colour and, where its first layer has one, its outline's (a ring's colour is its outline)."""
    first = symbol.symbolLayer(0)
    outline = first.strokeColor().name() if hasattr(first, "strokeColor") else None
    return {"colour": symbol.color().name(), "outline": outline}


def tree(group) -> list:
    """The layer tree's groups, top to bottom: [{"name", "layers": [names], "groups": [...]}]."""
    from qgis.core import QgsLayerTree

    found = []
    for child in group.children():
        if QgsLayerTree.isGroup(child):
            layers = [c.name() for c in child.children() if QgsLayerTree.isLayer(c)]
            found.append({"name": child.name(), "layers": layers, "groups": tree(child)})
    return found


def group_path(node) -> list:
    names, parent = [], node.parent()
    while parent is not None and parent.parent() is not None:
        names.insert(0, parent.name())
        parent = parent.parent()
    return names


def render(layers, extent, size: int):
    """Render in EPSG:25832 with a parallel job; the main thread's event loop runs meanwhile (network replies)."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsMapRendererParallelJob, QgsMapSettings, QgsProject
    from qgis.PyQt.QtCore import QEventLoop, QSize
    from qgis.PyQt.QtGui import QColor

    crs = QgsCoordinateReferenceSystem(EPSG_25832)
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(crs)
    settings.setTransformContext(QgsProject.instance().transformContext())
    settings.setOutputSize(QSize(size, size))
    settings.setBackgroundColor(QColor(*BACKGROUND))
    settings.setExtent(rectangle(extent) if extent else layers_extent(layers, crs))
    job = QgsMapRendererParallelJob(settings)
    loop = QEventLoop()
    job.finished.connect(loop.quit)
    job.start()
    loop.exec_()
    return job.renderedImage(), [f"{e.layerID}: {e.message}" for e in job.errors()]


def rectangle(extent):
    from qgis.core import QgsRectangle

    return QgsRectangle(*extent)


def layers_extent(layers, crs):
    """The layers' extent in the map's CRS, with a margin (a single point has none)."""
    from qgis.core import QgsCoordinateTransform, QgsProject, QgsRectangle

    combined = QgsRectangle()
    combined.setMinimal()
    for layer in layers:
        transform = QgsCoordinateTransform(layer.crs(), crs, QgsProject.instance())
        combined.combineExtentWith(transform.transformBoundingBox(layer.extent()))
    margin = max(combined.width(), combined.height(), 1000) * 0.05
    return QgsRectangle(
        combined.xMinimum() - margin,
        combined.yMinimum() - margin,
        combined.xMaximum() + margin,
        combined.yMaximum() + margin,
    )


def drawn_pixels(image) -> int:
    from qgis.PyQt.QtGui import QColor, QImage

    image = image.convertToFormat(QImage.Format_ARGB32)
    bits = image.constBits()
    bits.setsize(image.sizeInBytes())
    pixels = array.array("I", bytes(bits))
    return len(pixels) - pixels.count(QColor(*BACKGROUND).rgba())


def unused_path(folder: str, name: str) -> str:
    path, number = os.path.join(folder, f"{name}.png"), 1
    while os.path.exists(path):
        number += 1
        path = os.path.join(folder, f"{name}-{number}.png")
    return path


def safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


if __name__ == "__main__":
    sys.exit(main())
