"""The targets of Aalborg Kommune's business strategy 2023-2026, priority 4, as editable data."""

from django.db import migrations

STRATEGY_TARGETS = [
    # indicator, sector, value, value_max, target_year, wording in the strategy
    (
        "reduction_t",
        "industry",
        100_000,
        None,
        2030,
        "20 Klimapartnerskaber med industri pr. år med reduktionspotentiale på 100.000 ton inden 2030",
    ),
    (
        "reduction_t",
        "agriculture",
        103_000,
        None,
        2030,
        "20-30 Klimapartnerskaber med landbrug pr. år med reduktionspotentiale på 103.000 ton inden 2030",
    ),
    ("partnerships_per_year", "industry", 20, None, None, "20 Klimapartnerskaber med industri pr. år"),
    ("partnerships_per_year", "agriculture", 20, 30, None, "20-30 Klimapartnerskaber med landbrug pr. år"),
    (
        "international_per_year",
        "",
        2,
        None,
        None,
        "Opbygning af 2 internationale partnerskaber inden for grøn omstilling pr. år",
    ),
    (
        "funding_dkk_per_year",
        "",
        50_000_000,
        None,
        None,
        "Tiltrækning af 50 millioner årligt i ekstern finansiering fra EU og danske puljer",
    ),
]


def period_start(year: int):
    """The first moment of a strategy period, in Copenhagen: the targets apply from then, not from installation."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    return dt.datetime(year, 1, 1, tzinfo=ZoneInfo("Europe/Copenhagen"))


def seed(apps, schema_editor):
    Target = apps.get_model("partnerships", "Target")
    HistoricalTarget = apps.get_model("partnerships", "HistoricalTarget")
    for indicator, sector, value, value_max, target_year, wording in STRATEGY_TARGETS:
        target, created = Target.objects.get_or_create(
            indicator=indicator,
            sector=sector,
            period_start_year=2023,
            defaults={
                "value": value,
                "value_max": value_max,
                "target_year": target_year,
                "period_end_year": 2026,
                "source_text": wording,
            },
        )
        if created:  # migrations send no signals, so write the first history entry ourselves
            HistoricalTarget.objects.create(
                id=target.id,
                indicator=indicator,
                sector=sector,
                value=value,
                value_max=value_max,
                target_year=target_year,
                period_start_year=2023,
                period_end_year=2026,
                source_text=wording,
                history_date=period_start(2023),
                history_type="+",
                history_change_reason="Seeded from Erhvervsstrategi 2023-2026, priority 4",
            )


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
