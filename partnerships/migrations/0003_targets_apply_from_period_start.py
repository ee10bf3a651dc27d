"""Installations seeded before this fix dated the targets' first history row at installation, so any
"as of" before that day had no targets. The strategy's targets apply from the start of its period."""

from django.db import migrations


def backdate(apps, schema_editor):
    import importlib

    seeding = importlib.import_module("partnerships.migrations.0002_seed_strategy_targets")
    HistoricalTarget = apps.get_model("partnerships", "HistoricalTarget")
    seeded = HistoricalTarget.objects.filter(history_type="+", history_change_reason__startswith="Seeded from")
    for row in seeded:
        start = seeding.period_start(row.period_start_year)
        if row.history_date > start:
            row.history_date = start
            row.save(update_fields=["history_date"])


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0002_seed_strategy_targets")]
    operations = [migrations.RunPython(backdate, migrations.RunPython.noop)]
