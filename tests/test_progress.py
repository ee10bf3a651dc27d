"""Progress totals: every tonne counted once, traceable to its rows, as of any date."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from partnerships.models import (
    ClimatePartnership,
    ExternalFunding,
    InternationalPartnership,
    Measure,
    RealisedReduction,
    Target,
)
from progress.selectors import measure_type_breakdown, measures_behind, partnerships_behind, progress_totals
from registry.models import EnergySite

from .conftest import make_measure, make_organisation, make_partnership, make_site

PAST = timezone.make_aware(dt.datetime(2025, 1, 15, 12, 0))


def backdate(obj, when=PAST):
    """Pretend everything recorded so far about obj happened at `when`."""
    obj.history.filter(id=obj.pk).update(history_date=when)


def change(obj, **fields):
    obj = type(obj).objects.get(pk=obj.pk)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


@pytest.fixture
def cement(db):
    return make_organisation()


def test_a_measure_reachable_from_a_partnership_and_a_site_counts_once(cement):
    site = make_site()
    make_measure(make_partnership(cement), tonnes="1000", energy_site=site)
    totals = progress_totals()
    assert totals["industry"]["committed_tonnes"] == 1000
    assert EnergySite.objects.filter(pk=site.pk).aggregate(t=Sum("measures__annual_reduction_t"))["t"] == 1000
    assert [m["annual_reduction_t"] for m in measures_behind(sector="industry", bucket="committed")] == [1000]


def test_a_partnership_with_two_organisations_counts_its_measures_once(cement):
    partnership = make_partnership(cement, make_organisation(name="Havn A/S", cvr="29403473"))
    make_measure(partnership, tonnes="700")
    assert partnership.organisations.count() == 2
    assert progress_totals()["industry"]["committed_tonnes"] == 700
    assert len(measures_behind(sector="industry")) == 1


def test_a_site_shared_by_two_partnerships_counts_each_measure_once(cement):
    biogas = make_site()
    farm_a = make_partnership(make_organisation(name="Farm A", cvr="29403473"), sector="agriculture")
    farm_b = make_partnership(make_organisation(name="Farm B", cvr="25313763"), sector="agriculture")
    make_measure(farm_a, tonnes="300", measure_type="biogas", energy_site=biogas)
    make_measure(farm_b, tonnes="500", measure_type="biogas", energy_site=biogas)
    totals = progress_totals()["agriculture"]
    assert totals["committed_tonnes"] == 800
    assert measure_type_breakdown()["agriculture"]["biogas"] == {"committed": 800, "pipeline": 0}
    assert sorted(m["partnership_id"] for m in measures_behind(sector="agriculture")) == sorted([farm_a.pk, farm_b.pk])


def test_a_measure_moved_between_partnerships_counts_only_where_it_is(cement):
    industry = make_partnership(cement)
    agriculture = make_partnership(make_organisation(name="Farm", cvr="29403473"), sector="agriculture")
    measure = make_measure(industry, tonnes="1000")
    for obj in (industry, agriculture, measure):
        backdate(obj)
    change(measure, partnership=agriculture)

    now = progress_totals()
    assert (now["industry"]["committed_tonnes"], now["agriculture"]["committed_tonnes"]) == (0, 1000)
    before = progress_totals(as_of=dt.date(2025, 2, 1))
    assert (before["industry"]["committed_tonnes"], before["agriculture"]["committed_tonnes"]) == (1000, 0)
    assert [m["partnership_id"] for m in measures_behind(as_of=dt.date(2025, 2, 1))] == [industry.pk]


def test_a_partnership_cancelled_after_signing_counts_nowhere(cement):
    partnership = make_partnership(cement, signed_on=dt.date(2024, 6, 1))
    measure = make_measure(partnership, tonnes="1000")
    RealisedReduction.objects.create(measure=measure, year=2024, realised_t=Decimal(900))
    backdate(partnership)
    backdate(measure)
    change(partnership, status="cancelled", cancelled_on=dt.date(2025, 3, 1))

    now = progress_totals()["industry"]
    assert (now["committed_tonnes"], now["pipeline_tonnes"], now["realised_tonnes"]) == (0, 0, 0)
    assert now["partnerships_signed"]["2024"]["count"] == 0
    before = progress_totals(as_of=dt.date(2025, 2, 1))["industry"]
    assert before["committed_tonnes"] == 1000
    assert before["partnerships_signed"]["2024"]["count"] == 1


def test_dialogue_is_pipeline_and_archived_measures_count_nowhere(cement):
    dialogue = make_partnership(cement, status="dialogue")
    make_measure(dialogue, tonnes="250")
    signed = make_partnership(make_organisation(name="B", cvr="29403473"))
    make_measure(signed, tonnes="400")
    make_measure(signed, tonnes="999").delete()  # archived
    totals = progress_totals()["industry"]
    assert (totals["committed_tonnes"], totals["pipeline_tonnes"]) == (400, 250)
    assert totals["by_status"] == {"dialogue": 250, "signed": 400}


def test_an_archived_partnership_counts_nowhere(cement):
    partnership = make_partnership(cement)
    make_measure(partnership, tonnes="400")
    partnership.delete()
    totals = progress_totals()["industry"]
    assert totals["committed_tonnes"] == 0
    assert totals["partnerships_signed"]["2024"]["count"] == 0


def test_trajectory_counts_each_measure_from_its_first_year(cement):
    partnership = make_partnership(cement)
    make_measure(partnership, tonnes="1000", first_year=2024)
    make_measure(partnership, tonnes="500", first_year=2027)
    make_measure(partnership, tonnes="50", first_year=2033)  # after 2030: committed, outside the path
    totals = progress_totals()["industry"]
    assert totals["trajectory"] == {
        "2023": 0,
        "2024": 1000,
        "2025": 1000,
        "2026": 1000,
        "2027": 1500,
        "2028": 1500,
        "2029": 1500,
        "2030": 1500,
    }
    assert totals["committed_tonnes"] == 1550
    assert totals["target_path"]["2030"] == 100_000
    assert totals["target_path"]["2026"] == pytest.approx(50_000)


def test_realised_is_the_latest_reported_year(cement):
    measure = make_measure(make_partnership(cement), first_year=2023)
    RealisedReduction.objects.create(measure=measure, year=2023, realised_t=Decimal(400))
    RealisedReduction.objects.create(measure=measure, year=2024, realised_t=Decimal(900))
    totals = progress_totals()["industry"]
    assert (totals["realised_tonnes"], totals["realised_year"]) == (900, 2024)
    assert totals["realised_by_year"] == {"2023": 400, "2024": 900}


def test_partnerships_signed_per_year_against_the_annual_target(cement):
    for i, day in enumerate([dt.date(2023, 3, 1), dt.date(2023, 9, 1), dt.date(2024, 2, 1)]):
        make_partnership(cement, sector="agriculture", signed_on=day, title=f"P{i}")
    make_partnership(cement, sector="agriculture", status="dialogue", title="talking")
    signed = progress_totals()["agriculture"]["partnerships_signed"]
    assert signed["2023"] == {"count": 2, "target": 20, "target_max": 30}
    assert signed["2024"]["count"] == 1
    assert [p["year"] for p in partnerships_behind(sector="agriculture")] == [2023, 2023, 2024]


def test_international_and_funding_indicators(db):
    InternationalPartnership.objects.create(
        title="A", partner_name="Kiel", country="DE", status="signed", signed_on=dt.date(2024, 5, 1)
    )
    InternationalPartnership.objects.create(title="B", partner_name="Oslo", country="NO", status="exploring")
    ExternalFunding.objects.create(
        title="X",
        funder="EUDP",
        source="national",
        amount_dkk=Decimal(7_000_000),
        status="granted",
        granted_on=dt.date(2024, 6, 1),
    )
    ExternalFunding.objects.create(
        title="Y", funder="LIFE", source="eu", amount_dkk=Decimal(9_000_000), status="applied"
    )
    totals = progress_totals()
    # every year of the strategy period, a year with nothing signed or granted as 0
    assert totals["international_partnerships"] == {
        "target_per_year": 2,
        "by_year": {"2023": 0, "2024": 1, "2025": 0, "2026": 0},
    }
    assert totals["external_funding"] == {
        "target_per_year": 50_000_000,
        "by_year": {"2023": 0, "2024": 7_000_000, "2025": 0, "2026": 0},
    }


def test_a_year_without_signings_is_a_zero_in_every_per_year_figure_and_the_report(cement, monkeypatch):
    """2026 has no signing: it is 0 against its target in the totals the dashboard, the API and the PDF read."""
    from progress.reports import pdf

    make_partnership(cement, sector="agriculture", signed_on=dt.date(2024, 3, 1), title="P24")
    InternationalPartnership.objects.create(
        title="A", partner_name="Kiel", country="DE", status="signed", signed_on=dt.date(2025, 5, 1)
    )
    for as_of in (None, dt.date(2025, 6, 30)):
        totals = progress_totals(as_of=as_of)
        assert list(totals["international_partnerships"]["by_year"]) == ["2023", "2024", "2025", "2026"]
        assert totals["international_partnerships"]["by_year"]["2026"] == 0
        signed = totals["agriculture"]["partnerships_signed"]
        assert list(signed) == ["2023", "2024", "2025", "2026"]
        assert signed["2026"]["count"] == 0
    assert progress_totals()["agriculture"]["partnerships_signed"]["2026"] == {
        "count": 0,
        "target": 20,
        "target_max": 30,
    }
    charted = []
    per_year = pdf._per_year
    monkeypatch.setattr(
        pdf, "_per_year", lambda by_year, *args, **kw: charted.append(by_year) or per_year(by_year, *args, **kw)
    )
    assert pdf.build_pdf(progress_totals(), generated=timezone.now()).startswith(b"%PDF")
    assert charted and all(list(by_year) == ["2023", "2024", "2025", "2026"] for by_year in charted)
    assert {"2023": 0, "2024": 0, "2025": 1, "2026": 0} in charted  # the international partnerships


def test_an_edited_target_applies_from_its_edit_and_history_keeps_the_old_one(db):
    target = Target.objects.get(indicator="reduction_t", sector="industry")
    backdate(target)
    change(target, value=120_000)
    assert progress_totals()["industry"]["target_tonnes"] == 120_000
    assert progress_totals(as_of=dt.date(2025, 2, 1))["industry"]["target_tonnes"] == 100_000


def test_every_figure_is_the_sum_of_the_rows_behind_it(demo_db, db):
    from progress import selectors

    totals = progress_totals()
    for sector in ("industry", "agriculture"):
        figures = totals[sector]
        for bucket in ("committed", "pipeline"):
            rows = measures_behind(sector=sector, bucket=bucket)
            assert figures[f"{bucket}_tonnes"] == pytest.approx(float(sum(r["annual_reduction_t"] for r in rows)))
            assert figures[f"measures_{bucket}"] == len(rows)
        for year, value in figures["trajectory"].items():
            rows = measures_behind(sector=sector, bucket="committed", up_to_year=int(year))
            assert value == pytest.approx(float(sum(r["annual_reduction_t"] for r in rows)))
        for year, signed in figures["partnerships_signed"].items():
            assert signed["count"] == len(partnerships_behind(sector=sector, year=int(year)))
        realised = selectors.realised_behind(sector=sector, year=figures["realised_year"])
        assert figures["realised_tonnes"] == pytest.approx(float(sum(r["realised_t"] for r in realised)))
    for sector, types in measure_type_breakdown().items():
        for measure_type, buckets in types.items():
            for bucket, value in buckets.items():
                rows = measures_behind(sector=sector, bucket=bucket, measure_type=measure_type)
                assert value == pytest.approx(float(sum(r["annual_reduction_t"] for r in rows)))
    for year, count in totals["international_partnerships"]["by_year"].items():
        assert count == len(selectors.international_behind(year=int(year)))
    for year, amount in totals["external_funding"]["by_year"].items():
        assert amount == float(sum(r["amount_dkk"] for r in selectors.funding_behind(year=int(year))))
    # and the grand total equals the measures table filtered by hand with the ORM
    by_orm = Measure.objects.filter(
        archived_at=None, partnership__archived_at=None, partnership__status__in=ClimatePartnership.COMMITTED_STATUSES
    ).aggregate(t=Sum("annual_reduction_t"))["t"]
    assert totals["industry"]["committed_tonnes"] + totals["agriculture"]["committed_tonnes"] == float(by_orm)


def _grow(n):
    org = make_organisation(name=f"Org {n}", cvr=None or "", kind="company")
    for i in range(n):
        partnership = make_partnership(org, title=f"P{n}-{i}", sector="industry" if i % 2 else "agriculture")
        make_measure(partnership, tonnes=str(10 + i))


def test_totals_take_a_fixed_number_of_queries_however_much_data(db, django_assert_num_queries):
    _grow(2)
    with django_assert_num_queries(2):
        small = progress_totals()
    _grow(40)
    with django_assert_num_queries(2):
        large = progress_totals()
    assert large["industry"]["measures_committed"] > small["industry"]["measures_committed"]
    with django_assert_num_queries(2):
        progress_totals(as_of=timezone.localdate())
