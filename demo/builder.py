"""An illustrative data set for Aalborg Kommune (0851): fictional organisations and agreements.

Every record is labelled as demo data and keyed by an external id starting with 'demo:',
so loading twice changes nothing. Positions are drawn inside the municipality with a
fixed seed; the operating wind turbines are real ones from the Danish Energy Agency's
register (see ../shared/data/README.md).
"""

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.gis.geos import LineString, Point, Polygon
from django.db import transaction

from access.roles import ROLES, sync_roles
from gis.models import Municipality
from registry.models import EnergySite, HeatingNetwork, HeatSource, HeatSymbiosis, Organisation, OrganisationSite

from .agreements import AgreementsMixin
from .dataset import (
    AALBORG_CENTRE,
    COMPANY_NAMES,
    DEMO_LABEL,
    DEMO_PASSWORD,
    DEMO_USER_PREFIX,
    FARM_NAMES,
    HEAT_SOURCES,
    HEATING_AREAS,
    HEATING_LINE,
    RØRDAL_HARBOUR,
    SITE_PLAN,
    TODAY,
    TURBINES,
    UTILITY_NAMES,
)


@dataclass
class LoadReport:
    created: dict = field(default_factory=dict)

    def count(self, model, created: bool):
        if created:
            self.created[model._meta.verbose_name_plural] = self.created.get(model._meta.verbose_name_plural, 0) + 1

    @property
    def total(self):
        return sum(self.created.values())


def cvr_with_check_digit(rng: random.Random) -> str:
    """A random 8-digit number that passes the modulus-11 check (fictional, not looked up)."""
    while True:
        first7 = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(6)]
        weighted = sum(d * w for d, w in zip(first7, (2, 7, 6, 5, 4, 3, 2)))
        check = (-weighted) % 11
        if check < 10:
            return "".join(map(str, first7)) + str(check)


class DemoBuilder(AgreementsMixin):
    """Builds the demo data set step by step; one seeded rng so every load draws the same values."""

    def __init__(self, seed: int = 851):
        self.rng = random.Random(seed)
        self.report = LoadReport()
        self.area = Municipality.objects.get(code="0851").geom
        self.area_prepared = self.area.prepared

    # -- helpers -------------------------------------------------------------------------
    def create_once(self, model, external_id: str, **fields):
        obj = model.objects.filter(external_id=external_id).first()
        if obj is not None:
            return obj
        obj = model(external_id=external_id, **fields)
        if hasattr(obj, "save_through_lifecycle"):  # a partnership of the past took its moves one by one
            obj.save_through_lifecycle()
        else:
            obj.full_clean()
            obj.save()
        self.report.count(model, True)
        return obj

    def point_in_municipality(self, near=None, spread=6_000) -> Point:
        xmin, ymin, xmax, ymax = self.area.extent
        while True:
            if near:
                x, y = self.rng.gauss(near[0], spread), self.rng.gauss(near[1], spread)
            else:
                x, y = self.rng.uniform(xmin, xmax), self.rng.uniform(ymin, ymax)
            point = Point(round(x, 1), round(y, 1), srid=25832)
            if self.area_prepared.contains(point):
                return point

    def rectangle_around(self, point: Point, width: float, height: float) -> Polygon:
        x, y = point.x, point.y
        return Polygon(((x, y), (x + width, y), (x + width, y + height), (x, y + height), (x, y)), srid=25832)

    def route(self, start: Point, end: Point) -> LineString:
        mid = Point(
            (start.x + end.x) / 2 + self.rng.uniform(-400, 400),
            (start.y + end.y) / 2 + self.rng.uniform(-400, 400),
            srid=25832,
        )
        return LineString([start.coords, mid.coords, end.coords], srid=25832)

    def site_geometry(self, site_type: str, near):
        """A point, a solar field or a pipe route lying wholly inside the municipality."""
        while True:
            start = self.point_in_municipality(near=near, spread=4_000)
            if site_type in EnergySite.PIPE_TYPES:
                geometry = self.route(start, self.point_in_municipality(near=RØRDAL_HARBOUR, spread=2_000))
            elif site_type == "solar":
                geometry = self.rectangle_around(start, self.rng.uniform(300, 900), self.rng.uniform(250, 700))
            else:
                return start
            if self.area_prepared.contains(geometry):
                return geometry

    def day_in(self, year: int) -> date:
        start = date(year, 1, 10)
        end = min(date(year, 12, 15), TODAY)
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    # -- the data set --------------------------------------------------------------------
    def users(self):
        """One user per role, as an administrator makes them: in the role's group, without staff status."""
        sync_roles()
        User = get_user_model()
        for role in ROLES:
            user, created = User.objects.get_or_create(
                username=f"{DEMO_USER_PREFIX}{role}",
                defaults={
                    "first_name": "Demo",
                    "last_name": role.capitalize(),
                    "email": f"{DEMO_USER_PREFIX}{role}@example.invalid",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                user.groups.add(Group.objects.get(name=role))
            self.report.count(User, created)

    def organisations(self):
        orgs = []
        for i, name in enumerate(COMPANY_NAMES, 1):
            orgs.append(
                self._organisation(
                    f"demo:org:company:{i}", f"{name} A/S", "company", near=RØRDAL_HARBOUR if i % 2 else AALBORG_CENTRE
                )
            )
        for i, name in enumerate(FARM_NAMES, 1):
            orgs.append(self._organisation(f"demo:org:farm:{i}", name, "farm", near=None))
        for i, name in enumerate(UTILITY_NAMES, 1):
            orgs.append(self._organisation(f"demo:org:utility:{i}", name, "utility", near=RØRDAL_HARBOUR))
        return orgs

    def _organisation(self, external_id, name, kind, near):
        cvr = cvr_with_check_digit(self.rng)
        location = self.point_in_municipality(near=near, spread=3_000 if near else 6_000)
        chr_number = str(self.rng.randint(10000, 99999)) if kind == "farm" else ""
        org = self.create_once(
            Organisation, external_id, name=name, kind=kind, cvr=cvr, chr_number=chr_number, notes=DEMO_LABEL
        )
        if not org.sites.exists():
            site = OrganisationSite(
                organisation=org, name=name if kind != "farm" else f"{name}, stald og mark", location=location
            )
            site.full_clean()
            site.save()
            self.report.count(OrganisationSite, True)
        return org

    def energy_sites(self, utilities):
        sites = {}
        with TURBINES.open(encoding="utf-8") as fh:
            turbines = json.load(fh)["features"]
        turbines.sort(key=lambda f: (-f["properties"]["capacityKw"], f["geometry"]["coordinates"]))
        for i, feature in enumerate(turbines[:16], 1):
            props = feature["properties"]
            point = Point(*feature["geometry"]["coordinates"], srid=4326).transform(25832, clone=True)
            sites.setdefault("wind", []).append(
                self.create_once(
                    EnergySite,
                    f"demo:site:wind-existing:{i}",
                    name=f"{props['manufacturer']} turbine {i}",
                    site_type="wind",
                    planning_status="operating",
                    geometry=point,
                    capacity=(Decimal(str(props["capacityKw"])) / 1000).quantize(Decimal("0.001")),
                    capacity_unit="MW",
                    data_source="Energistyrelsen, Stamdataregister for vindmøller (via shared data set)",
                    description=f"Hub height {props['hubHeightMeter']} m, rotor {props['rotorDiameterMeter']} m.",
                )
            )
        for site_type, count, statuses, (low, high), unit in SITE_PLAN:
            for i in range(1, count + 1):
                status = statuses[(i - 1) % len(statuses)]
                near = RØRDAL_HARBOUR if site_type in {"co2_capture", "power_to_x", "biochar"} else None
                geometry = self.site_geometry(site_type, near)
                capacity = Decimal(self.rng.randint(low, high))
                if site_type in EnergySite.PIPE_TYPES:
                    capacity = Decimal(str(round(geometry.length / 1000, 1)))
                label = dict(EnergySite.SiteType.choices)[site_type]
                sites.setdefault(site_type, []).append(
                    self.create_once(
                        EnergySite,
                        f"demo:site:{site_type}:{i}",
                        name=f"{label} {i} (demo)",
                        site_type=site_type,
                        planning_status=status,
                        geometry=geometry,
                        capacity=capacity,
                        capacity_unit=unit,
                        operator=self.rng.choice(utilities),
                        commissioning_year=2024 + i % 4 if status in {"operating", "under_construction"} else None,
                        data_source=DEMO_LABEL,
                    )
                )
        return sites

    def symbioses(self, companies, heat_utility):
        symbioses = []
        specs = [
            ("Cement kiln heat to Aalborg district heating", "Kiln exhaust heat exchanger", 18, 140_000, 95),
            ("Data centre heat via heat pump", "Server hall cooling water, heat pump 70 °C", 6, 42_000, 70),
            ("Dairy cooling heat to Nibe network", "Refrigeration condensers", 1.5, 9_000, 55),
            ("Brewery process heat", "Wort boiling and malting exhaust", 2.5, 14_000, 80),
            ("Supermarket cooling heat", "CO2 refrigeration heat recovery", 0.4, 2_200, 45),
        ]
        for i, (name, source, mw, mwh, temp) in enumerate(specs, 1):
            org = companies[i * 3 % len(companies)]
            start = org.sites.first().location
            route = self.route(start, self.point_in_municipality(near=AALBORG_CENTRE, spread=1_500))
            while not self.area_prepared.contains(route):
                route = self.route(start, self.point_in_municipality(near=AALBORG_CENTRE, spread=1_500))
            symbioses.append(
                self.create_once(
                    HeatSymbiosis,
                    f"demo:symbiosis:{i}",
                    name=f"{name} (demo)",
                    source_organisation=org,
                    source_description=source,
                    receiving_network=heat_utility.name,
                    status=["operating", "agreed", "feasibility", "under_construction", "idea"][i - 1],
                    capacity_mw=Decimal(str(mw)),
                    heat_mwh_per_yr=Decimal(mwh),
                    supply_temperature_c=Decimal(temp),
                    source_location=start,
                    pipe_route=route,
                    description=DEMO_LABEL,
                )
            )
        return symbioses

    def heat(self, companies, heat_utility):
        """A few district heating areas and heat sources, so the opportunity list shows something at once."""
        for i, (name, (x, y), half_w, half_h, temperature) in enumerate(HEATING_AREAS, 1):
            area = Polygon.from_bbox((x - half_w, y - half_h, x + half_w, y + half_h))
            area.srid = 25832
            self.create_once(
                HeatingNetwork,
                f"demo:heating-area:{i}",
                name=name,
                operator=heat_utility,
                network_kind="heating",
                geometry=area.intersection(self.area),
                supply_temperature_c=Decimal(temperature),
                data_source=DEMO_LABEL,
            )
        name, points, temperature = HEATING_LINE
        self.create_once(
            HeatingNetwork,
            "demo:heating-line:1",
            name=name,
            operator=heat_utility,
            network_kind="heating",
            geometry=LineString(points, srid=25832),
            supply_temperature_c=Decimal(temperature),
            data_source=DEMO_LABEL,
        )
        for i, (name, company, (x, y), mwh, temperature) in enumerate(HEAT_SOURCES, 1):
            self.create_once(
                HeatSource,
                f"demo:heat-source:{i}",
                name=f"{name} (demo)",
                organisation=companies[company % len(companies)],
                location=Point(x, y, srid=25832),
                surplus_heat_mwh_per_yr=Decimal(mwh),
                temperature_c=Decimal(temperature),
                data_source=DEMO_LABEL,
            )

    def build(self) -> LoadReport:
        self.users()
        orgs = self.organisations()
        companies = [o for o in orgs if o.kind == "company"]
        farms = [o for o in orgs if o.kind == "farm"]
        utilities = [o for o in orgs if o.kind == "utility"]
        sites = self.energy_sites(utilities)
        symbioses = self.symbioses(companies, utilities[0])
        partnerships = self.partnerships(companies, farms, sites, symbioses)
        self.international()
        self.funding(partnerships)
        self.heat(companies, utilities[0])
        return self.report


@transaction.atomic
def load_demo(seed: int = 851) -> LoadReport:
    """Load the demo data set; records that already exist (by external id) are left alone."""
    return DemoBuilder(seed).build()
