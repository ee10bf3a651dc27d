"""Partnerships, their measures and realised reductions, international partnerships and funding.

Kept apart from demo.builder so each module stays small; DemoBuilder mixes this in and
calls these steps in the same order as before, so the random draws are unchanged.
"""

from datetime import date, timedelta
from decimal import Decimal

from partnerships.models import (
    ClimatePartnership,
    ExternalFunding,
    InternationalPartnership,
    Measure,
    PartnershipOrganisation,
    RealisedReduction,
)

from .dataset import AGRICULTURE_MEASURES, DEMO_LABEL, INDUSTRY_MEASURES, TODAY


class AgreementsMixin:
    """The agreement part of the demo data set; relies on DemoBuilder's rng, create_once and day_in."""

    def partnerships(self, companies, farms, sites, symbioses):
        plan = []  # (sector, year or None, status)
        for year, per_sector in ((2023, 7), (2024, 8), (2025, 9), (2026, 7)):
            for sector in ("industry", "agriculture"):
                for k in range(per_sector):
                    if year <= 2024:
                        status = [
                            "completed",
                            "active",
                            "active",
                            "cancelled",
                            "active",
                            "completed",
                            "active",
                            "active",
                        ][k]
                    elif year == 2025:
                        status = "active" if k % 3 else "signed"
                    else:
                        status = "signed"
                    plan.append((sector, year, status))
        for sector in ("industry", "agriculture"):
            plan += [(sector, None, "dialogue")] * 5
        partnerships = []
        counters = {"industry": 0, "agriculture": 0}
        for n, (sector, year, status) in enumerate(plan, 1):
            pool = companies if sector == "industry" else farms
            org = pool[counters[sector] % len(pool)]
            counters[sector] += 1
            signed_on = self.day_in(year) if year else None
            dialogue = (signed_on or self.day_in(2026)) - timedelta(days=self.rng.randint(30, 200))
            partnership = self.create_once(
                ClimatePartnership,
                f"demo:partnership:{n}",
                title=f"Klimapartnerskab: {org.name}",
                sector=sector,
                status=status,
                dialogue_started_on=dialogue,
                signed_on=signed_on,
                completed_on=min(signed_on + timedelta(days=500), TODAY) if status == "completed" else None,
                cancelled_on=min(signed_on + timedelta(days=120), TODAY) if status == "cancelled" else None,
                notes=DEMO_LABEL,
            )
            PartnershipOrganisation.objects.get_or_create(
                partnership=partnership, organisation=org, defaults={"role": "lead"}
            )
            if n % 9 == 0:  # a few joint agreements with a second organisation
                second = pool[(counters[sector] + 5) % len(pool)]
                PartnershipOrganisation.objects.get_or_create(
                    partnership=partnership, organisation=second, defaults={"role": "partner"}
                )
            self._measures(partnership, n, sector, year or 2027, sites, symbioses)
            partnerships.append(partnership)
        return partnerships

    def _measures(self, partnership, n, sector, year, sites, symbioses):
        catalogue = INDUSTRY_MEASURES if sector == "industry" else AGRICULTURE_MEASURES
        for m in range(1, 2 + n % 3 + 1):
            measure_type, title, low, high = catalogue[(n + m) % len(catalogue)]
            energy_site = heat_symbiosis = None
            if measure_type == "biogas":
                energy_site = sites["biogas"][n % len(sites["biogas"])]  # plants are shared by several farms
            if measure_type == "surplus_heat" and n % 2 == 0:
                heat_symbiosis = symbioses[(n // 2) % len(symbioses)]
            if measure_type == "renewable_energy":
                energy_site = sites["solar"][n % len(sites["solar"])]
            measure = self.create_once(
                Measure,
                f"demo:measure:{n}:{m}",
                partnership=partnership,
                title=title,
                measure_type=measure_type,
                annual_reduction_t=Decimal(self.rng.randint(low, high)),
                first_year=min(year + m % 2, 2030),
                method=self.rng.choice(Measure.Method.values),
                source="Demo estimate, Energistyrelsen standard factors 2023"
                if sector == "industry"
                else "Demo estimate, SEGES climate calculator",
                energy_site=energy_site,
                heat_symbiosis=heat_symbiosis,
            )
            if partnership.status in {"active", "completed"}:
                for report_year in range(measure.first_year, 2026):
                    share = Decimal(self.rng.randint(55, 105)) / 100
                    RealisedReduction.objects.get_or_create(
                        measure=measure,
                        year=report_year,
                        defaults={
                            "realised_t": (measure.annual_reduction_t * share).quantize(Decimal("0.01")),
                            "source": "Demo: partner's annual report",
                            "reported_on": date(report_year + 1, 3, 1),
                        },
                    )

    def international(self):
        specs = [
            ("Wind and hydrogen valley", "Region Schleswig-Holstein", "DE", "signed", 2023),
            ("Green district heating exchange", "Tartu linn", "EE", "active", 2023),
            ("Biogas knowledge partnership", "Gemeente Groningen", "NL", "active", 2024),
            ("CO2 capture and storage corridor", "Porsgrunn kommune", "NO", "signed", 2024),
            ("Climate partnership twinning", "Gdańsk", "PL", "signed", 2025),
            ("Power-to-X supply chain", "Västra Götalandsregionen", "SE", "exploring", None),
        ]
        for i, (title, partner, country, status, year) in enumerate(specs, 1):
            self.create_once(
                InternationalPartnership,
                f"demo:international:{i}",
                title=f"{title} (demo)",
                partner_name=partner,
                country=country,
                status=status,
                signed_on=self.day_in(year) if year else None,
                description=DEMO_LABEL,
            )

    def funding(self, partnerships):
        specs = [
            ("EU Horizon Europe", "eu", 18_500_000, "granted", 2023),
            ("EUDP", "national", 9_200_000, "granted", 2023),
            ("Interreg ÖKS", "eu", 12_000_000, "granted", 2024),
            ("Grøn Omstillingsfond", "national", 6_500_000, "granted", 2024),
            ("LIFE programme", "eu", 21_000_000, "granted", 2025),
            ("Innovationsfonden", "national", 4_800_000, "granted", 2025),
            ("Realdania", "foundation", 3_000_000, "granted", 2026),
            ("EU Just Transition Fund", "eu", 15_000_000, "applied", 2026),
            ("Biogaspuljen", "national", 2_500_000, "rejected", 2025),
            ("EUDP", "national", 7_700_000, "granted", 2026),
        ]
        for i, (funder, source, amount, status, year) in enumerate(specs, 1):
            applied = self.day_in(year) - timedelta(days=90)
            self.create_once(
                ExternalFunding,
                f"demo:funding:{i}",
                title=f"Green transition project {i} (demo)",
                funder=funder,
                source=source,
                amount_dkk=Decimal(amount),
                status=status,
                applied_on=applied,
                granted_on=applied + timedelta(days=80) if status == "granted" else None,
                partnership=partnerships[i * 5 % len(partnerships)],
            )
