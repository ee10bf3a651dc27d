from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _


class MunicipalityQuerySet(models.QuerySet):
    def containing(self, geom):
        """Municipalities that contain the geometry's representative point."""
        return self.filter(geom__covers=geom.point_on_surface)

    def home(self):
        return self.filter(code=settings.HOME_MUNICIPALITY_CODE)


# The boundaries' licence (CC BY 4.0) asks for this credit wherever they are shown (gis/data/README.md).
BOUNDARY_ATTRIBUTION = _("Municipal boundaries: DAGI, Danish Agency for Climate Data (CC BY 4.0)")


class Municipality(models.Model):
    """A Danish municipality (DAGI) with the waters its own shores enclose, in EPSG:25832.

    DAGI ends a municipality at the water's edge; a harbour or a fjord crossing would lie in none, so
    gis/data/build.py adds the water narrower than 2 km between Danish shores, split between
    neighbours on the median line. The open sea stays in none: offshore wind gets no code.
    """

    code = models.CharField(_("municipality code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    geom = models.MultiPolygonField(_("boundary"), srid=settings.STORAGE_SRID)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return f"{self.code} {self.name}"


def municipality_code_for(geom) -> str:
    """Code of the municipality a geometry lies in, or '' when offshore or abroad."""
    return Municipality.objects.containing(geom).values_list("code", flat=True).first() or ""


class LayerVersion(models.Model):
    """A counter per map layer, bumped by database triggers on every write to the tables behind it.

    Tiles are cached under the current version, so an edit (from any process, even raw SQL)
    makes every cached tile of that layer unreachable: a tile is never served stale.
    """

    layer = models.CharField(max_length=30, primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("map layer version")


class MunicipalityLocator:
    """municipality_code_for over whole arrays of shapely geometries (storage CRS), many at a time.

    The subdivided boundaries (geo_municipality_part, kept by a trigger) are read once; then
    each call puts the geometries' representative points into a shapely STRtree and each
    prepared part asks it which points it covers: 100,000 imported sites are placed in about a
    tenth of a second (asking a tree of the parts point by point takes three times as long), and
    without a query, so it can run while the connection is busy with a COPY. Same rule as the
    single lookup: the municipality covering the geometry's point on surface, lowest code first.
    """

    def __init__(self):
        import shapely
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT code, ST_AsBinary(geom) FROM geo_municipality_part ORDER BY code")
            rows = cursor.fetchall()
        self.part_codes = [code for code, _wkb in rows]
        self.parts = shapely.from_wkb([bytes(wkb) for _code, wkb in rows])
        shapely.prepare(self.parts)

    def codes_for(self, geometries):
        import numpy as np
        import shapely

        codes = np.full(len(geometries), "", dtype=object)
        if not len(self.parts) or not len(geometries):
            return codes
        points = np.asarray(geometries, dtype=object).copy()
        others = shapely.get_type_id(points) != 0
        points[others] = shapely.point_on_surface(points[others])
        found_parts, inputs = shapely.STRtree(points).query(self.parts, predicate="covers")
        order = np.lexsort((found_parts, inputs))  # parts are in code order: the first hit per input is the lowest
        inputs, found_parts = inputs[order], found_parts[order]
        first = np.r_[True, inputs[1:] != inputs[:-1]] if len(inputs) else np.array([], bool)
        codes[inputs[first]] = np.array(self.part_codes, dtype=object)[found_parts[first]]
        return codes
