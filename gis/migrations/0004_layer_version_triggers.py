"""Statement-level triggers that bump geo_layerversion whenever a table behind a map layer changes."""

from django.db import migrations

LAYER_TABLES = {
    "sites": ["registry_energysite"],
    "symbioses": ["registry_heatsymbiosis"],
    "partnerships": [
        "partnerships_climatepartnership",
        "partnerships_partnershiporganisation",
        "registry_organisationsite",
        "registry_organisation",
    ],
}

FUNCTION = """
CREATE OR REPLACE FUNCTION geo_bump_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE geo_layerversion SET version = version + 1 WHERE layer = TG_ARGV[0];
    RETURN NULL;
END $$;
"""


def forwards_sql():
    statements = [FUNCTION]
    for layer, tables in LAYER_TABLES.items():
        statements.append(
            f"INSERT INTO geo_layerversion (layer, version) VALUES ('{layer}', 1) ON CONFLICT DO NOTHING;"
        )
        for table in tables:
            statements.append(
                f"CREATE TRIGGER {table}_bumps_{layer} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION geo_bump_layer_version('{layer}');"
            )
    return "\n".join(statements)


def backwards_sql():
    drops = [
        f"DROP TRIGGER IF EXISTS {table}_bumps_{layer} ON {table};"
        for layer, tables in LAYER_TABLES.items()
        for table in tables
    ]
    return "\n".join([*drops, "DROP FUNCTION IF EXISTS geo_bump_layer_version();", "DELETE FROM geo_layerversion;"])


class Migration(migrations.Migration):
    dependencies = [("geo", "0003_layer_version"), ("registry", "0001_initial"), ("partnerships", "0001_initial")]
    operations = [migrations.RunSQL(forwards_sql(), backwards_sql())]
