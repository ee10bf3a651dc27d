"""Sites store the municipality they lie in, worked out on save; the boundaries of geo 0006 (all 98
municipalities, with their enclosed waters) would otherwise reach a site only when someone edits it.
One UPDATE, with the rule of gis.models.municipality_code_for: the municipality covering the
geometry's point on surface, lowest code first; '' offshore or abroad."""

from django.db import migrations

RECOMPUTE = """
UPDATE registry_energysite s SET municipality_code = found.code
FROM (
    SELECT e.id, COALESCE((
        SELECT p.code FROM geo_municipality_part p
        WHERE ST_Covers(p.geom, ST_PointOnSurface(e.geometry)) ORDER BY p.code LIMIT 1
    ), '') AS code
    FROM registry_energysite e
) found
WHERE found.id = s.id AND s.municipality_code IS DISTINCT FROM found.code
"""


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_heat_sources_and_networks"), ("geo", "0006_municipality_waters")]
    operations = [migrations.RunSQL(RECOMPUTE, migrations.RunSQL.noop)]
