"""Surplus-heat symbiosis opportunities: every heat source matched to its nearest district heating network.

One SQL statement does the work in PostGIS: a LATERAL nearest-neighbour lookup (`<->`, index-assisted)
per source, the distance, a rough pipe cost and the CO2e the heat would displace. The figures are
estimates for choosing what to look at first; they are not tonnes toward any target (those live only
in measures, once a partnership is signed).
"""

from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core import formats
from gis.crs import PRECISION

from .models import HeatingNetwork, HeatSource, HeatSymbiosis

# How a list can be sorted. "rank" is the default: lowest pipe cost per tonne CO2e displaced a year first.
ORDERINGS = {
    "rank": "pipe_cost_dkk_per_t_per_yr NULLS LAST, co2e_displaced_t_per_yr DESC, source_id",
    "distance": "distance_m, source_id",
    "co2e": "co2e_displaced_t_per_yr DESC, source_id",
    "cost": "pipe_cost_dkk, source_id",
}
LIVE_SYMBIOSIS_STATUSES = [s for s in HeatSymbiosis.Status.values if s != HeatSymbiosis.Status.CANCELLED]


@dataclass(frozen=True)
class Assumptions:
    """The rough figures every candidate is computed with; defaults from settings, overridable per request."""

    pipe_cost_dkk_per_m: float = field(default_factory=lambda: settings.HEAT_PIPE_COST_DKK_PER_M)
    emission_factor_kg_per_mwh: float = field(
        default_factory=lambda: settings.HEAT_DISPLACED_EMISSION_FACTOR_KG_PER_MWH
    )
    default_supply_temperature_c: float = field(default_factory=lambda: settings.HEAT_DEFAULT_SUPPLY_TEMPERATURE_C)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class OpportunityFilter:
    network_kind: str | None = None
    max_distance_m: float | None = None
    min_heat_mwh_per_yr: float | None = None
    min_temperature_c: float | None = None
    organisation: int | None = None
    source: int | None = None
    # Sources that already have a live (not cancelled) symbiosis are left out unless asked for.
    include_proposed: bool = False


# Each filter: which part of the query it narrows (networks n, sources s, or the computed candidates) and how.
FILTER_CONDITIONS = {
    "network_kind": ("n", "n.network_kind = %(network_kind)s"),
    "min_heat_mwh_per_yr": ("s", "s.surplus_heat_mwh_per_yr >= %(min_heat_mwh_per_yr)s"),
    "min_temperature_c": ("s", "s.temperature_c >= %(min_temperature_c)s"),
    "organisation": ("s", "s.organisation_id = %(organisation)s"),
    "source": ("s", "s.id = %(source)s"),
    "max_distance_m": ("outer", "distance_m <= %(max_distance_m)s"),
}
# The columns of a candidate, besides its geometry `connection` (storage CRS): the line from the source to
# the nearest point of the network, or the source itself when it lies inside a supply area.
COLUMNS = (
    "rank",
    "source_id",
    "source_name",
    "organisation_id",
    "organisation_name",
    "heat_delivered_mwh_per_yr",
    "source_temperature_c",
    "network_id",
    "network_name",
    "network_kind",
    "network_supply_temperature_c",
    "distance_m",
    "pipe_cost_dkk",
    "co2e_displaced_t_per_yr",
    "pipe_cost_dkk_per_t_per_yr",
    "needs_heat_pump",
    "proposed_symbiosis_id",
)


def candidates_sql(filters: OpportunityFilter, assumptions: Assumptions, ordering: str = "rank") -> tuple[str, dict]:
    """SQL of the candidates (COLUMNS plus `connection`), ranked, filtered and ordered, with its named params."""
    params = {
        "cost": assumptions.pipe_cost_dkk_per_m,
        "factor": assumptions.emission_factor_kg_per_mwh,
        "default_temperature": assumptions.default_supply_temperature_c,
        "live_statuses": LIVE_SYMBIOSIS_STATUSES,
    }
    where = {"n": ["n.archived_at IS NULL"], "s": ["s.archived_at IS NULL"], "outer": []}
    for name, (table, condition) in FILTER_CONDITIONS.items():
        value = getattr(filters, name)
        if value is not None:
            where[table].append(condition)
            params[name] = value
    if not filters.include_proposed:
        where["outer"].append("proposed_symbiosis_id IS NULL")
    sql = f"""
        WITH matched AS (
            SELECT s.id AS source_id, s.name AS source_name, s.organisation_id, o.name AS organisation_name,
                   s.surplus_heat_mwh_per_yr AS heat_delivered_mwh_per_yr, s.temperature_c AS source_temperature_c,
                   n.id AS network_id, n.name AS network_name, n.network_kind,
                   n.supply_temperature_c AS network_supply_temperature_c,
                   round(n.distance::numeric, 1) AS distance_m,
                   round((n.distance * %(cost)s)::numeric, 0) AS pipe_cost_dkk,
                   round((s.surplus_heat_mwh_per_yr * %(factor)s / 1000.0)::numeric, 1) AS co2e_displaced_t_per_yr,
                   s.temperature_c < coalesce(n.supply_temperature_c, %(default_temperature)s) AS needs_heat_pump,
                   (SELECT min(y.id) FROM registry_heatsymbiosis y
                    WHERE y.heat_source_id = s.id AND y.archived_at IS NULL
                      AND y.status = ANY(%(live_statuses)s)) AS proposed_symbiosis_id,
                   CASE WHEN n.distance > 0 THEN ST_ShortestLine(s.location, n.geometry) ELSE s.location END
                       AS connection
            FROM registry_heatsource s
            LEFT JOIN registry_organisation o ON o.id = s.organisation_id
            CROSS JOIN LATERAL (
                SELECT n.id, n.name, n.network_kind, n.supply_temperature_c, n.geometry,
                       ST_Distance(s.location, n.geometry) AS distance
                FROM registry_heatingnetwork n
                WHERE {" AND ".join(where["n"])}
                ORDER BY n.geometry <-> s.location, n.id
                LIMIT 1
            ) n
            WHERE {" AND ".join(where["s"])}
        ), costed AS (
            SELECT m.*, round(m.pipe_cost_dkk / nullif(m.co2e_displaced_t_per_yr, 0), 0) AS pipe_cost_dkk_per_t_per_yr
            FROM matched m
        )
        SELECT row_number() OVER (ORDER BY {ORDERINGS["rank"]}) AS rank, c.*
        FROM costed c
        {"WHERE " + " AND ".join(where["outer"]) if where["outer"] else ""}
        ORDER BY {ORDERINGS[ordering]}"""
    return sql, params


def opportunities(
    filters: OpportunityFilter = OpportunityFilter(),
    assumptions: Assumptions | None = None,
    ordering: str = "rank",
    srid: int = settings.STORAGE_SRID,
) -> list[dict]:
    """Candidates as dicts; `geometry` is GeoJSON text in `srid`."""
    sql, params = candidates_sql(filters, assumptions or Assumptions(), ordering)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(COLUMNS)}, ST_AsGeoJSON(ST_Transform(connection, %(srid)s), "
            f"{PRECISION[srid]}, 0) AS geometry FROM ({sql}) t",
            {**params, "srid": srid},
        )
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


def _capacity_mw(source: HeatSource) -> Decimal:
    """The source's stated capacity, else its yearly surplus spread over the full-load hours."""
    capacity = source.capacity_mw
    if capacity is None:
        capacity = (source.surplus_heat_mwh_per_yr / Decimal(str(settings.HEAT_FULL_LOAD_HOURS))).quantize(
            Decimal("0.001")
        )
    return capacity


@transaction.atomic
def propose_symbiosis(source_id: int, user=None, assumptions: Assumptions | None = None) -> HeatSymbiosis:
    """Turn a candidate into a symbiosis record (status idea), with the pipe route from source to network."""
    assumptions = assumptions or Assumptions()
    source = HeatSource.objects.select_for_update().filter(pk=source_id, archived_at__isnull=True).first()
    if source is None:
        raise ValidationError(_("No surplus-heat source %(id)s.") % {"id": source_id})
    sql, params = candidates_sql(OpportunityFilter(source=source.pk, include_proposed=True), assumptions)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t.*, ST_AsBinary(t.connection) FROM ({sql}) t", params)
        columns = [c.name for c in cursor.description]
        found = cursor.fetchone()
    if found is None:
        raise ValidationError(
            _("There is no district heating network to connect %(source)s to.") % {"source": source.name}
        )
    candidate = dict(zip(columns, found))
    if candidate["proposed_symbiosis_id"]:
        raise ValidationError(
            _("%(source)s already has a symbiosis (#%(id)s).")
            % {"source": source.name, "id": candidate["proposed_symbiosis_id"]}
        )
    network = HeatingNetwork.objects.get(pk=candidate["network_id"])
    connection_line = GEOSGeometry(memoryview(candidate["st_asbinary"]), srid=settings.STORAGE_SRID)
    capacity = _capacity_mw(source)
    symbiosis = HeatSymbiosis(
        name=f"{source.name} → {network.name}"[:200],
        source_organisation=source.organisation,
        source_description=(source.description or source.name)[:300],
        receiving_network=network.name,
        network_kind=network.network_kind,
        status=HeatSymbiosis.Status.IDEA,
        capacity_mw=capacity,
        heat_mwh_per_yr=source.surplus_heat_mwh_per_yr,
        supply_temperature_c=source.temperature_c,
        source_location=source.location,
        pipe_route=connection_line if connection_line.geom_type == "LineString" else None,
        heat_source=source,
        heating_network=network,
        description=_(
            "Proposed from the opportunity list: %(distance)s m to the network, pipe about %(cost)s at "
            "%(cost_per_m)s per metre; displaces about %(co2e)s at %(factor)s kg CO2e/MWh%(heat_pump)s. "
            "Record the tonnes as a measure once a partnership agrees them."
        )
        % {
            "distance": formats.number(candidate["distance_m"]),
            "cost": formats.money(candidate["pipe_cost_dkk"]),
            "cost_per_m": formats.money(assumptions.pipe_cost_dkk_per_m),
            "co2e": formats.tonnes(candidate["co2e_displaced_t_per_yr"], 1),
            "factor": formats.number(assumptions.emission_factor_kg_per_mwh, 1, trim=True),
            "heat_pump": _("; needs a heat pump") if candidate["needs_heat_pump"] else "",
        },
    )
    symbiosis.full_clean()
    if user is not None and user.is_authenticated:
        symbiosis._history_user = user
    symbiosis.save()
    return symbiosis
