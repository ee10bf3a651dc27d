"""Municipality boundaries: all 98, with the waters their shores enclose, and nothing of the open sea or Germany."""

import importlib

import pytest
import shapely
from django.apps import apps
from django.contrib.gis.geos import MultiPolygon, Point

from gis.models import Municipality, MunicipalityLocator, municipality_code_for
from gis.validation import validate_geometry

from .conftest import make_site


def code_at(lon, lat) -> str:
    return municipality_code_for(Point(lon, lat, srid=4326).transform(25832, clone=True))


def test_every_danish_municipality_is_loaded(db):
    codes = set(Municipality.objects.values_list("code", flat=True))
    assert len(codes) == 98
    assert {"0155", "0169", "0201", "0223", "0269", "0306", "0336", "0340", "0350", "0440"} <= codes
    assert {"0482", "0492", "0563", "0665", "0727", "0741", "0773", "0825", "0840"} <= codes  # missing before
    assert "0411" not in codes  # Christiansø is Danish land in no municipality


@pytest.mark.parametrize(
    "place, lonlat, code",
    [
        ("Nørresundby", (9.923, 57.061), "0851"),
        ("Hals", (10.31, 56.995), "0851"),
        ("Aabybro", (9.73, 57.15), "0849"),
        ("Hobro", (9.79, 56.64), "0846"),
        ("Støvring", (9.835, 56.885), "0840"),
        ("Nykøbing Mors", (8.86, 56.795), "0773"),
        ("Byrum, Læsø", (11.0, 57.255), "0825"),
        ("Odder", (10.15, 55.975), "0727"),
        ("Nordby, Fanø", (8.40, 55.445), "0563"),
        ("Ærøskøbing", (10.41, 54.89), "0492"),
        ("Dragør", (12.67, 55.593), "0155"),
        ("Frederiksberg, inside København", (12.53, 55.68), "0147"),
    ],
)
def test_towns_lie_in_their_municipality(db, place, lonlat, code):
    assert code_at(*lonlat) == code, place


@pytest.mark.parametrize(
    "place, lonlat, code",
    [
        ("Aalborg harbour, the Limfjord by the city centre", (9.93, 57.05), "0851"),
        ("Limfjordsbroen", (9.9236, 57.0535), "0851"),
        ("Limfjordstunnelen", (9.9605, 57.0585), "0851"),
        ("Egholmfærgen", (9.877, 57.064), "0851"),
        ("Aggersundbroen, Vesthimmerland on both shores", (9.2925, 56.9977), "0820"),
    ],
)
def test_fjord_waters_between_a_municipalitys_shores_are_in_it(db, place, lonlat, code):
    assert code_at(*lonlat) == code, place


def test_water_between_two_municipalities_goes_to_the_nearer_shore(db):
    """East of Aggersund: Vesthimmerland's shore to the south, Jammerbugt's 1.5 km to the north."""
    assert code_at(9.3293, 57.0051) == "0820"  # 300 m from Vesthimmerland, 1.2 km from Jammerbugt
    assert code_at(9.3294, 57.0141) == "0849"  # 1.2 km from Vesthimmerland, 300 m from Jammerbugt


@pytest.mark.parametrize(
    "place, lonlat",
    [
        ("Horns Rev", (7.85, 55.55)),
        ("Anholt", (11.21, 56.60)),
        ("Rødsand 2", (11.55, 54.55)),
        ("Middelgrunden", (12.67, 55.69)),
    ],
)
def test_offshore_wind_is_in_danish_waters_but_in_no_municipality(db, place, lonlat):
    turbine = make_site(name=place, site_type="wind", geometry=Point(*lonlat, srid=4326))
    assert turbine.municipality_code == ""
    assert not turbine.in_home_municipality


@pytest.mark.parametrize("lonlat", [(9.2962, 54.805), (8.8024, 54.9044)])
def test_german_land_by_the_border_gets_no_danish_code(db, lonlat):
    """South of Padborg and of Tønder: a closing of Danish land alone would take it for Danish water."""
    assert code_at(*lonlat) == ""


def test_the_bulk_lookup_of_imports_places_the_harbour_too(db):
    harbour = Point(9.93, 57.05, srid=4326).transform(25832, clone=True)
    assert MunicipalityLocator().codes_for([shapely.from_wkt(harbour.wkt)]).tolist() == ["0851"]


def test_the_migration_reloads_old_land_only_boundaries_and_their_parts(db):
    """An install made before: Aalborg without its waters, Rebild missing. After 0006 both are right."""
    reload = importlib.import_module("gis.migrations.0006_municipality_waters").reload
    aalborg = Municipality.objects.get(code="0851")
    land_only = aalborg.geom.difference(Point(9.93, 57.05, srid=4326).transform(25832, clone=True).buffer(500))
    if land_only.geom_type == "Polygon":
        land_only = MultiPolygon(land_only)
    Municipality.objects.filter(code="0851").update(geom=land_only)
    Municipality.objects.filter(code="0840").delete()
    harbour = shapely.from_wkt(Point(9.93, 57.05, srid=4326).transform(25832, clone=True).wkt)
    assert code_at(9.93, 57.05) == "" and code_at(9.835, 56.885) == ""
    assert MunicipalityLocator().codes_for([harbour]).tolist() == [""]

    reload(apps, None)

    assert (code_at(9.93, 57.05), code_at(9.835, 56.885)) == ("0851", "0840")
    assert MunicipalityLocator().codes_for([harbour]).tolist() == ["0851"]  # the parts followed, by trigger
    assert Municipality.objects.count() == 98


def test_a_site_in_the_harbour_is_in_the_home_municipality(db):
    site = make_site(name="Harbour electrolysis", site_type="power_to_x", geometry=Point(9.93, 57.05, srid=4326))
    assert (site.municipality_code, site.in_home_municipality) == ("0851", True)
    assert validate_geometry(Point(9.93, 57.05, srid=4326)).srid == 25832


def test_the_boundaries_are_credited_on_the_map_and_in_the_qgis_project(client_for):
    import io
    import zipfile

    client = client_for("viewer")
    assert "DAGI" in client.get("/map/").content.decode()
    project = zipfile.ZipFile(io.BytesIO(client.get("/map/registry.qgz").content))
    qgs = next(name for name in project.namelist() if name.endswith(".qgs"))
    assert "<rights>Municipal boundaries: DAGI" in project.read(qgs).decode()


def test_sites_saved_before_the_waters_get_their_municipality(db):
    """registry 0005 recomputes the stored codes, so a harbour site saved with the old boundaries is fixed."""
    from django.db import connection

    from registry.models import EnergySite

    harbour = make_site(name="Havnen", geometry=Point(9.93, 57.05, srid=4326))
    EnergySite.objects.filter(pk=harbour.pk).update(municipality_code="")  # as the old boundaries left it
    migration = importlib.import_module("registry.migrations.0005_recompute_municipality_codes")
    with connection.cursor() as cursor:
        cursor.execute(migration.RECOMPUTE)
    assert EnergySite.objects.get(pk=harbour.pk).municipality_code == "0851"
