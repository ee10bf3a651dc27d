"""Reload the municipality boundaries on installs made before they were complete and held their waters.

gis/data/municipalities.geojson now has all 98 municipalities, each with the waters its shores
enclose (the harbour of Aalborg lay in no municipality before; see gis/data/README.md). Rows are
matched by code. One UPDATE and one INSERT statement, so the statement trigger of 0005 refreshes
geo_municipality_part twice, not once per municipality.
"""

from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "municipalities.geojson"


def boundaries():
    """(code, name, MultiPolygon) for every feature of the shipped file."""
    from django.contrib.gis.gdal import DataSource
    from django.contrib.gis.geos import MultiPolygon

    for feature in DataSource(str(DATA))[0]:
        geom = feature.geom.geos
        if geom.geom_type == "Polygon":
            geom = MultiPolygon(geom)
        geom.srid = 25832
        yield feature.get("code"), feature.get("name"), geom


def reload(apps, schema_editor):
    Municipality = apps.get_model("geo", "Municipality")
    existing = {m.code: m for m in Municipality.objects.all()}
    changed, new = [], []
    for code, name, geom in boundaries():
        if code in existing:
            municipality = existing[code]
            municipality.name, municipality.geom = name, geom
            changed.append(municipality)
        else:
            new.append(Municipality(code=code, name=name, geom=geom))
    Municipality.objects.bulk_update(changed, ["name", "geom"])
    Municipality.objects.bulk_create(new)


class Migration(migrations.Migration):
    dependencies = [("geo", "0005_municipality_parts")]
    operations = [migrations.RunPython(reload, migrations.RunPython.noop)]
