from django.urls import path

from . import views

urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("map/boundary.geojson", views.boundary, name="map-boundary"),
    path("map/search", views.search, name="map-search"),
    path("map/registry.qgz", views.qgis_project, name="qgis-project"),
    path("map/sites/<int:site_id>/partnerships", views.site_partnerships, name="map-site-partnerships"),
    path("tiles/<str:layer>/<int:z>/<int:x>/<int:y>.pbf", views.tile, name="tile"),
]
