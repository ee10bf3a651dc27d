"""Load the Danish municipality boundaries shipped in gis/data (see gis/data/build.py)."""

from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "municipalities.geojson"


def load(apps, schema_editor):
    from django.contrib.gis.gdal import DataSource
    from django.contrib.gis.geos import MultiPolygon

    Municipality = apps.get_model("geo", "Municipality")
    for feature in DataSource(str(DATA))[0]:
        geom = feature.geom.geos
        if geom.geom_type == "Polygon":
            geom = MultiPolygon(geom)
        geom.srid = 25832
        Municipality.objects.update_or_create(
            code=feature.get("code"), defaults={"name": feature.get("name"), "geom": geom}
        )


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
