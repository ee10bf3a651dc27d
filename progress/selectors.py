"""Progress toward the targets of priority 4: the one place where totals are computed.

Every figure is a sum over the rows of `counted_measures` (or of the partnership,
realised, international and funding rows), and the drill-downs list exactly those rows
with exactly the same conditions, so any total can be traced to the measures behind it.

A tonne is counted once because tonnes live only in `Measure` rows and every total sums
distinct measure rows joined to their one partnership (never through organisations,
sites or symbioses). Cancelled partnerships and archived records count nowhere.

"As of" a date reads the simple-history tables: for each record, its latest version
at the end of that day (Europe/Copenhagen), unless that version is a deletion.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from partnerships.models import (
    ClimatePartnership,
    ExternalFunding,
    InternationalPartnership,
    Measure,
    RealisedReduction,
    Sector,
    Target,
)

TRAJECTORY_YEARS = range(2023, 2031)
STRATEGY_YEARS = range(2023, 2027)  # the business strategy's period, where no target names one
COMMITTED = tuple(ClimatePartnership.COMMITTED_STATUSES)
PIPELINE = (ClimatePartnership.Status.DIALOGUE.value,)
BUCKETS = {"committed": COMMITTED, "pipeline": PIPELINE}


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


@dataclass(frozen=True)
class Snapshot:
    """Which state of the registry to read: now (the live tables) or the history at a moment."""

    as_of: dt.datetime | None = None

    def source(self, model) -> tuple[str, list]:
        """SQL for the rows of `model` in this snapshot, with its parameters."""
        if self.as_of is None:
            return model._meta.db_table, []
        history = model.history.model._meta.db_table
        sql = (
            f"(SELECT * FROM (SELECT DISTINCT ON (id) * FROM {history} WHERE history_date <= %s "
            f"ORDER BY id, history_date DESC, history_id DESC) AS latest WHERE history_type <> '-')"
        )
        return sql, [self.as_of]


def counted_measures_sql(snapshot: Snapshot) -> tuple[str, list]:
    """Measures that count, one row each, with the partnership that gives them sector and status."""
    measures, m_params = snapshot.source(Measure)
    partnerships, p_params = snapshot.source(ClimatePartnership)
    sql = f"""
        SELECT m.id, m.title, m.measure_type, m.annual_reduction_t, m.first_year, m.method, m.source,
               m.energy_site_id, m.heat_symbiosis_id, m.entered_by_id,
               p.id AS partnership_id, p.title AS partnership_title, p.sector, p.status,
               CASE WHEN p.status = ANY(%s) THEN 'committed' ELSE 'pipeline' END AS bucket
        FROM {measures} m JOIN {partnerships} p ON p.id = m.partnership_id
        WHERE m.archived_at IS NULL AND p.archived_at IS NULL AND p.status = ANY(%s)
    """
    # Parameters in the order they appear in the text: CASE, then the two sources, then WHERE.
    return sql, [list(COMMITTED), *m_params, *p_params, list(ClimatePartnership.COUNTED_STATUSES)]


def counted_realised_sql(snapshot: Snapshot, up_to_year: int) -> tuple[str, list]:
    """Reported reductions of the committed measures, up to the as-of year."""
    counted, params = counted_measures_sql(snapshot)
    source, r_params = snapshot.source(RealisedReduction)
    sql = f"""SELECT r.id, c.id AS measure_id, c.title AS measure_title, c.partnership_title, c.sector, r.year,
                     r.realised_t, r.source
              FROM ({counted}) c JOIN {source} r ON r.measure_id = c.id
              WHERE c.bucket = 'committed' AND r.year <= %s"""
    return sql, [*params, *r_params, up_to_year]


def signed_partnerships_sql(snapshot: Snapshot, as_of: dt.date | None) -> tuple[str, list]:
    """Partnerships counted in the signed-per-year indicator: signed, active or completed, by signing year."""
    source, params = snapshot.source(ClimatePartnership)
    sql = f"""SELECT id, title, sector, status, signed_on, EXTRACT(YEAR FROM signed_on)::int AS year
              FROM {source} p WHERE archived_at IS NULL AND status = ANY(%s) AND signed_on <= %s"""
    return sql, [*params, list(COMMITTED), as_of or dt.date.max]


def counted_international_sql(snapshot: Snapshot, as_of: dt.date | None) -> tuple[str, list]:
    source, params = snapshot.source(InternationalPartnership)
    sql = f"""SELECT id, title, partner_name, country, status, signed_on, EXTRACT(YEAR FROM signed_on)::int AS year
              FROM {source} i WHERE archived_at IS NULL AND status = ANY(%s) AND signed_on <= %s"""
    return sql, [*params, list(InternationalPartnership.COUNTED_STATUSES), as_of or dt.date.max]


def counted_funding_sql(snapshot: Snapshot, as_of: dt.date | None) -> tuple[str, list]:
    """Granted funding, counted in the year of the grant."""
    source, params = snapshot.source(ExternalFunding)
    sql = f"""SELECT id, title, funder, source, amount_dkk, granted_on, EXTRACT(YEAR FROM granted_on)::int AS year
              FROM {source} f WHERE archived_at IS NULL AND status = 'granted' AND granted_on <= %s"""
    return sql, [*params, as_of or dt.date.max]


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _targets(snapshot: Snapshot, year: int) -> dict:
    """The targets of the strategy period that contains `year` (else the latest period before it)."""
    source, params = snapshot.source(Target)
    rows = _fetch(
        f"""SELECT DISTINCT ON (indicator, sector) indicator, sector, value, value_max, target_year,
                   period_start_year, period_end_year
            FROM {source} t WHERE period_start_year <= %s
            ORDER BY indicator, sector, period_start_year DESC""",
        [*params, year],
    )
    return {
        (r[0], r[1]): {
            "value": r[2],
            "value_max": r[3],
            "target_year": r[4],
            "period_start_year": r[5],
            "period_end_year": r[6],
        }
        for r in rows
    }


def strategy_years(target: dict | None, years_with_data) -> list[int]:
    """The years of a per-year figure: every year of its target's strategy period, those without a row too
    (a year with nothing signed is a 0 against its target, not a missing bar), and any other year with data."""
    if target and target.get("period_start_year") and target.get("period_end_year"):
        period = range(target["period_start_year"], target["period_end_year"] + 1)
    else:
        period = STRATEGY_YEARS
    return sorted(set(period) | set(years_with_data))


def _as_number(value: Decimal | int | None):
    if value is None:
        return None
    return float(round(Decimal(value), 2)) if not isinstance(value, int) else value


def progress_totals(*, as_of: dt.date | None = None) -> dict:
    """All figures of the dashboard, the API and the status report, in a fixed number of queries."""
    snapshot = Snapshot(end_of_day(as_of) if as_of else None)
    year = (as_of or timezone.localdate()).year
    targets = _targets(snapshot, year)

    # Every total in one statement (one round trip): each part groups the rows its drill-down lists.
    parts = {
        "tonnes": (
            "SELECT sector, status, first_year AS year, SUM(annual_reduction_t) AS total, COUNT(*) AS n "
            "FROM ({}) c GROUP BY sector, status, first_year",
            counted_measures_sql(snapshot),
        ),
        "realised": (
            "SELECT sector, NULL, year, SUM(realised_t), COUNT(*) FROM ({}) r GROUP BY sector, year",
            counted_realised_sql(snapshot, year),
        ),
        "signed": (
            "SELECT sector, NULL, year, NULL::numeric, COUNT(*) FROM ({}) s GROUP BY sector, year",
            signed_partnerships_sql(snapshot, as_of),
        ),
        "international": (
            "SELECT NULL, NULL, year, NULL::numeric, COUNT(*) FROM ({}) i GROUP BY year",
            counted_international_sql(snapshot, as_of),
        ),
        "funding": (
            "SELECT NULL, NULL, year, SUM(amount_dkk), COUNT(*) FROM ({}) f GROUP BY year",
            counted_funding_sql(snapshot, as_of),
        ),
    }
    statements, params = [], []
    for kind, (template, (sql, part_params)) in parts.items():
        statements.append(f"SELECT %s AS kind, part.* FROM ({template.format(sql)}) part")
        params += [kind, *part_params]
    rows = defaultdict(list)
    for kind, *values in _fetch(" UNION ALL ".join(statements), params):
        rows[kind].append(tuple(values))
    tonnes, realised, signed = rows["tonnes"], rows["realised"], rows["signed"]
    international = [(r[2], r[4]) for r in rows["international"]]
    funding = [(r[2], r[3]) for r in rows["funding"]]
    result = {"as_of": (as_of or timezone.localdate()).isoformat(), "as_of_is_today": as_of is None}
    for sector in Sector.values:
        result[sector] = _sector_figures(sector, targets, tonnes, realised, signed)
    result["international_partnerships"] = _per_year(
        international, targets.get(("international_per_year", "")), value_index=1
    )
    result["external_funding"] = _per_year(funding, targets.get(("funding_dkk_per_year", "")), value_index=1)
    return result


def _sector_figures(sector, targets, tonnes, realised, signed) -> dict:
    target = targets.get(("reduction_t", sector)) or {}
    target_t = target.get("value")
    committed = pipeline = Decimal(0)
    by_first_year = defaultdict(Decimal)
    by_status = defaultdict(Decimal)
    measure_count = defaultdict(int)
    for row_sector, status, first_year, total, count in tonnes:
        if row_sector != sector:
            continue
        bucket = "committed" if status in COMMITTED else "pipeline"
        measure_count[bucket] += count
        by_status[status] += total
        if bucket == "committed":
            committed += total
            by_first_year[first_year] += total
        else:
            pipeline += total
    trajectory = {y: sum((t for fy, t in by_first_year.items() if fy <= y), Decimal(0)) for y in TRAJECTORY_YEARS}
    realised_by_year = {r[2]: r[3] for r in realised if r[0] == sector}
    latest_realised_year = max(realised_by_year, default=None)
    signed_by_year = {r[2]: r[4] for r in signed if r[0] == sector}
    annual = targets.get(("partnerships_per_year", sector)) or {}
    return {
        "target_tonnes": _as_number(target_t),
        "target_year": target.get("target_year"),
        "committed_tonnes": _as_number(committed),
        "pipeline_tonnes": _as_number(pipeline),
        "realised_tonnes": _as_number(realised_by_year.get(latest_realised_year, Decimal(0))),
        "realised_year": latest_realised_year,
        "realised_by_year": {str(y): _as_number(t) for y, t in sorted(realised_by_year.items())},
        "committed_share": float(round(committed / target_t, 4)) if target_t else None,
        "measures_committed": measure_count["committed"],
        "measures_pipeline": measure_count["pipeline"],
        "trajectory": {str(y): _as_number(t) for y, t in trajectory.items()},
        "target_path": _target_path(target),
        "partnerships_signed": {
            str(y): {
                "count": signed_by_year.get(y, 0),
                "target": _as_number(annual.get("value")),
                "target_max": _as_number(annual.get("value_max")),
            }
            for y in strategy_years(annual, signed_by_year)
        },
        "by_status": {k: _as_number(v) for k, v in sorted(by_status.items())},
    }


def measure_type_breakdown(*, as_of: dt.date | None = None) -> dict:
    """Sector -> measure type -> {committed, pipeline} tonnes, over the same counted measures."""
    counted, params = counted_measures_sql(Snapshot(end_of_day(as_of) if as_of else None))
    rows = _fetch(
        f"SELECT sector, bucket, measure_type, SUM(annual_reduction_t) FROM ({counted}) c "
        f"GROUP BY sector, bucket, measure_type ORDER BY measure_type",
        params,
    )
    breakdown = {sector: {} for sector in Sector.values}
    for sector, bucket, measure_type, total in rows:
        breakdown[sector].setdefault(measure_type, {"committed": 0.0, "pipeline": 0.0})[bucket] = _as_number(total)
    return breakdown


def _target_path(target: dict) -> dict:
    """A straight line from zero in the year before the strategy period to the target in its target year."""
    if not target.get("value") or not target.get("target_year"):
        return {}
    start = target["period_start_year"] - 1
    span = target["target_year"] - start
    return {str(y): _as_number(Decimal(target["value"]) * (y - start) / span) for y in TRAJECTORY_YEARS}


def _per_year(rows, target, value_index) -> dict:
    by_year = {r[0]: r[value_index] for r in rows}
    return {
        "target_per_year": _as_number(target["value"]) if target else None,
        "by_year": {str(y): _as_number(by_year.get(y, 0)) for y in strategy_years(target, by_year)},
    }


# -- drill-down: the rows behind a figure ---------------------------------------------------


def measures_behind(
    *,
    sector: str | None = None,
    bucket: str | None = None,
    status: str | None = None,
    measure_type: str | None = None,
    up_to_year: int | None = None,
    as_of: dt.date | None = None,
) -> list[dict]:
    """The measures whose tonnes make up a figure, with where each number came from."""
    counted, params = counted_measures_sql(Snapshot(end_of_day(as_of) if as_of else None))
    sql = f"""SELECT c.*, u.username AS entered_by FROM ({counted}) c LEFT JOIN auth_user u ON u.id = c.entered_by_id
              WHERE c.first_year <= %s"""
    filters = {"sector": sector, "bucket": bucket, "status": status, "measure_type": measure_type}
    return _rows(sql, [*params, up_to_year or 9999], filters, "sector, partnership_title, id")


def _rows(sql: str, params: list, filters: dict, order: str) -> list[dict]:
    conditions = [f"{column} = %s" for column, value in filters.items() if value is not None]
    values = [value for value in filters.values() if value is not None]
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) rows {where} ORDER BY {order}", [*params, *values])
        names = [col.name for col in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def realised_behind(*, sector: str | None = None, year: int | None = None, as_of: dt.date | None = None) -> list[dict]:
    """The reported reductions behind a realised figure."""
    snapshot = Snapshot(end_of_day(as_of) if as_of else None)
    sql, params = counted_realised_sql(snapshot, (as_of or timezone.localdate()).year)
    return _rows(sql, params, {"sector": sector, "year": year}, "sector, year, measure_id")


def partnerships_behind(
    *, sector: str | None = None, year: int | None = None, as_of: dt.date | None = None
) -> list[dict]:
    """The signed partnerships counted in a year's figure."""
    sql, params = signed_partnerships_sql(Snapshot(end_of_day(as_of) if as_of else None), as_of)
    return _rows(sql, params, {"sector": sector, "year": year}, "signed_on, id")


def international_behind(*, year: int | None = None, as_of: dt.date | None = None) -> list[dict]:
    sql, params = counted_international_sql(Snapshot(end_of_day(as_of) if as_of else None), as_of)
    return _rows(sql, params, {"year": year}, "signed_on, id")


def funding_behind(*, year: int | None = None, as_of: dt.date | None = None) -> list[dict]:
    sql, params = counted_funding_sql(Snapshot(end_of_day(as_of) if as_of else None), as_of)
    return _rows(sql, params, {"year": year}, "granted_on, id")


# Each drill-down and the query parameters it takes: the API and the HTML pages both use this table.
DRILL_DOWNS = {
    "measures": (measures_behind, ("sector", "bucket", "status", "measure_type", "up_to_year", "as_of")),
    "partnerships": (partnerships_behind, ("sector", "year", "as_of")),
    "realised": (realised_behind, ("sector", "year", "as_of")),
    "international": (international_behind, ("year", "as_of")),
    "funding": (funding_behind, ("year", "as_of")),
}


def rows_behind(kind: str, filters: dict) -> list[dict]:
    """The rows of drill-down `kind`, given validated filters (those it does not take are ignored)."""
    selector, accepted = DRILL_DOWNS[kind]
    return selector(**{k: v for k, v in filters.items() if k in accepted})
