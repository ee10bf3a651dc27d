"""The layer catalogue: each layer declared once, and every output (exports, tiles, OGC API) gives exactly the
properties the declaration lists for it, no more, no fewer."""

import pytest
from django.db import connection
from django.test import RequestFactory
from rest_framework.request import Request

from ogc.collections import COLLECTIONS
from publish.api import EXPORT_LAYERS
from publish.catalogue import CATALOGUE, LAYERS
from publish.layers import Output
from publish.tiles import TILE_LAYERS

TYPES = {"string", "integer", "number", "boolean", "date", "datetime"}


def api_request(user):
    request = Request(RequestFactory().get("/"))
    request.user = user
    return request


def columns(sql, params) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) t LIMIT 0", params)
        return [c.name for c in cursor.description]


def test_each_layer_is_declared_once_and_every_output_reads_the_catalogue():
    assert len(CATALOGUE) == len(LAYERS)
    assert all(EXPORT_LAYERS[i] is CATALOGUE[i] for i in EXPORT_LAYERS)
    assert all(TILE_LAYERS[i] is CATALOGUE[i] for i in TILE_LAYERS)
    # OGC API has the catalogue's layers, and after each mixed one its collections of one geometry type
    assert all(COLLECTIONS[i].layer is CATALOGUE[i] for i in COLLECTIONS if COLLECTIONS[i].layer.part is None)
    parts = {i: c.layer for i, c in COLLECTIONS.items() if c.layer.part}
    assert all(CATALOGUE[i.rsplit("-", 1)[0]].properties == layer.properties for i, layer in parts.items())
    assert set(EXPORT_LAYERS) == {
        "sites",
        "partnerships",
        "symbioses",
        "heat-sources",
        "heating-networks",
        "heat-opportunities",
    }
    assert set(TILE_LAYERS) == {"sites", "partnerships", "symbioses"}
    assert set(COLLECTIONS) == {
        "sites",
        "partnerships",
        "organisation-sites",
        "symbioses",
        "heat-sources",
        "heating-networks",
        "sites-points",
        "sites-areas",
        "sites-lines",
        "heating-networks-areas",
        "heating-networks-pipes",
    }


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.id)
def test_every_property_has_a_type_and_a_label(layer):
    for prop in layer.properties:
        assert layer.property_type(prop) in TYPES, prop.name
        assert str(layer.property_label(prop)), prop.name
    assert len({p.name for p in layer.properties}) == len(layer.properties)


@pytest.mark.django_db
@pytest.mark.parametrize("layer_id", sorted(EXPORT_LAYERS))
def test_an_export_has_the_declared_columns_in_their_order(layer_id, role_users):
    layer = EXPORT_LAYERS[layer_id]
    query = layer.export_query(api_request(role_users["viewer"]), 4326)
    assert columns(query.sql, query.params) == [
        *(["id"] if layer_id != "heat-opportunities" else []),
        *(p.name for p in layer.properties_for(Output.EXPORT)),
        "geom",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("layer_id", sorted(TILE_LAYERS))
def test_a_tile_has_the_declared_attributes(layer_id, role_users):
    layer = TILE_LAYERS[layer_id]
    sql, params = layer.tile_query(api_request(role_users["viewer"]), 10, 544, 314)
    assert columns(sql, params) == ["id", *(p.name for p in layer.properties_for(Output.TILE)), "mvt"]


@pytest.mark.django_db
@pytest.mark.parametrize("layer_id", sorted(COLLECTIONS))
def test_an_ogc_feature_has_the_declared_properties(layer_id, role_users):
    collection = COLLECTIONS[layer_id]
    rows = collection.rows(collection.base_queryset(api_request(role_users["viewer"]), {}), 4326)
    columns(*rows.query.sql_with_params())  # the query runs
    keys = [*rows.query.values_select, *rows.query.annotation_select]  # the keys of each row
    assert sorted(keys) == sorted(["pk", "_geometry", *(p.name for p in collection.layer.properties_for(Output.OGC))])
