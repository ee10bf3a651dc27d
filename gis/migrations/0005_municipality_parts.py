"""Municipality boundaries cut into small pieces, for point-in-municipality lookups in bulk.

A whole municipality polygon has tens of thousands of vertices; testing 100,000 imported
points against it costs seconds. Subdivided into parts of at most 128 vertices with their
own spatial index, the same lookup is an index probe and a tiny polygon test. The view is
refreshed by a trigger whenever the boundaries change.
"""

from django.db import migrations

FORWARDS = """
CREATE MATERIALIZED VIEW geo_municipality_part AS
    SELECT m.code, ST_Subdivide(m.geom, 128) AS geom FROM geo_municipality m;
CREATE INDEX geo_municipality_part_geom ON geo_municipality_part USING gist (geom);

CREATE FUNCTION geo_refresh_municipality_parts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    REFRESH MATERIALIZED VIEW geo_municipality_part;
    RETURN NULL;
END $$;
CREATE TRIGGER geo_municipality_parts_refresh
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON geo_municipality
    FOR EACH STATEMENT EXECUTE FUNCTION geo_refresh_municipality_parts();
"""
BACKWARDS = """
DROP TRIGGER geo_municipality_parts_refresh ON geo_municipality;
DROP FUNCTION geo_refresh_municipality_parts();
DROP MATERIALIZED VIEW geo_municipality_part;
"""


class Migration(migrations.Migration):
    dependencies = [("geo", "0004_layer_version_triggers")]
    operations = [migrations.RunSQL(FORWARDS, BACKWARDS)]
