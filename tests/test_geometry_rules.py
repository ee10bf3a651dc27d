"""Geometry rules: valid, not empty, in Denmark, with a message that names the likely cause."""

import pytest
from django.contrib.gis.geos import GEOSGeometry, LineString, Point, Polygon
from django.core.exceptions import ValidationError

from gis.validation import validate_geometry
from registry.models import EnergySite, HeatSymbiosis

from .conftest import make_site

AALBORG_LONLAT = (9.9217, 57.0488)


def rejection(geom, **kwargs) -> str:
    with pytest.raises(ValidationError) as error:
        validate_geometry(geom, **kwargs)
    return error.value.messages[0]


def test_a_point_in_aalborg_given_in_wgs84_is_stored_in_utm32():
    stored = validate_geometry(Point(*AALBORG_LONLAT, srid=4326))
    assert stored.srid == 25832
    assert stored.x == pytest.approx(556_200, abs=500)
    assert stored.y == pytest.approx(6_322_800, abs=500)


def test_swapped_latitude_and_longitude_is_named_as_the_cause():
    message = rejection(Point(AALBORG_LONLAT[1], AALBORG_LONLAT[0], srid=4326))
    assert "swapped" in message and "latitude and longitude" in message


def test_swapped_easting_and_northing_is_named_as_the_cause():
    assert "swapped" in rejection(Point(6_322_900, 556_000, srid=25832))


def test_degrees_declared_as_utm_metres_are_named_as_the_cause():
    message = rejection(Point(*AALBORG_LONLAT, srid=25832))
    assert "degrees" in message and "EPSG:25832" in message


@pytest.mark.parametrize("lonlat", [(9.4333, 54.7833), (9.99, 53.55), (13.0, 55.6)])
def test_points_in_germany_or_sweden_are_outside_denmark(lonlat):
    """Flensburg (10 km south of the border), Hamburg, Malmö."""
    message = rejection(Point(*lonlat, srid=4326))
    assert "outside Denmark" in message and "km" in message


def test_zero_zero_is_reported_as_missing_coordinates():
    assert "0,0" in rejection(Point(0, 0, srid=4326))
    assert "0,0" in rejection(Point(0, 0, srid=25832))


def test_offshore_wind_in_danish_waters_is_accepted():
    horns_rev = Point(7.85, 55.55, srid=4326)
    assert validate_geometry(horns_rev).srid == 25832


def test_self_intersecting_polygon_is_invalid_with_the_reason():
    x, y = 556_000, 6_322_900
    bowtie = Polygon(((x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100), (x, y)), srid=25832)
    message = rejection(bowtie)
    assert "not valid" in message and "Self-intersection" in message


def test_empty_geometry_is_rejected():
    assert "empty" in rejection(GEOSGeometry("POINT EMPTY", srid=25832))


def test_energy_site_reports_geometry_errors_under_its_field(db):
    site = EnergySite(name="Solar", site_type="solar", geometry=Point(9.99, 53.55, srid=4326))
    with pytest.raises(ValidationError) as error:
        site.full_clean()
    assert "outside Denmark" in error.value.message_dict["geometry"][0]


def test_pipelines_must_be_lines_and_plants_must_not(db):
    with pytest.raises(ValidationError) as error:
        make_site(name="H2 pipe", site_type="hydrogen_pipe")
    assert "LineString" in error.value.message_dict["geometry"][0]
    line = LineString((556_000, 6_322_900), (560_000, 6_323_000), srid=25832)
    assert make_site(name="H2 pipe", site_type="hydrogen_pipe", geometry=line).pk
    with pytest.raises(ValidationError):
        make_site(name="Biogas", site_type="biogas", geometry=line)


def test_site_knows_whether_it_lies_in_the_municipality(db):
    in_aalborg = make_site()
    in_aarhus = make_site(name="Aarhus solar", site_type="solar", geometry=Point(10.2, 56.15, srid=4326))
    offshore = make_site(name="Horns Rev", site_type="wind", geometry=Point(7.85, 55.55, srid=4326))
    assert (in_aalborg.municipality_code, in_aalborg.in_home_municipality) == ("0851", True)
    assert (in_aarhus.municipality_code, in_aarhus.in_home_municipality) == ("0751", False)
    assert offshore.municipality_code == ""


def test_the_bulk_municipality_lookup_places_every_geometry_as_the_single_lookup_does(db):
    """Imports place 100,000 sites with MunicipalityLocator; a site saved alone uses the database query."""
    import numpy as np
    import shapely

    from gis.models import MunicipalityLocator, municipality_code_for

    rng = np.random.default_rng(7)
    points = list(shapely.points(rng.uniform(440_000, 720_000, 300), rng.uniform(6_050_000, 6_400_000, 300)))
    others = [
        shapely.box(555_000, 6_320_000, 556_000, 6_321_000),  # Aalborg
        shapely.LineString([(570_000, 6_220_000), (580_000, 6_230_000)]),  # Aarhus way
        shapely.Point(410_000, 6_160_000),  # North Sea
        # an L whose centroid lies outside it
        shapely.Polygon(
            [
                (550_000, 6_300_000),
                (560_000, 6_300_000),
                (560_000, 6_300_100),
                (550_100, 6_300_100),
                (550_100, 6_310_000),
                (550_000, 6_310_000),
            ]
        ),
    ]
    geometries = np.array(points + others, dtype=object)
    codes = MunicipalityLocator().codes_for(geometries)
    expected = [municipality_code_for(GEOSGeometry(g.wkt, srid=25832)) for g in geometries]
    assert codes.tolist() == expected
    assert len(set(expected)) > 10 and "" in expected and expected[300] == "0851"


def test_database_refuses_an_invalid_geometry_written_around_the_rules(db):
    from django.db import IntegrityError, transaction

    x, y = 556_000, 6_322_900
    bowtie = Polygon(((x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100), (x, y)), srid=25832)
    with pytest.raises(IntegrityError), transaction.atomic():
        EnergySite.objects.create(name="bad", site_type="solar", geometry=bowtie)


def test_symbiosis_pipe_route_is_checked_like_any_geometry(db):
    symbiosis = HeatSymbiosis(
        name="Heat",
        source_description="kiln",
        receiving_network="Aalborg",
        capacity_mw=1,
        heat_mwh_per_yr=1000,
        pipe_route=LineString((57.04, 9.92), (57.05, 9.95), srid=4326),
    )
    with pytest.raises(ValidationError) as error:
        symbiosis.full_clean()
    assert "swapped" in error.value.message_dict["pipe_route"][0]
