from django.urls import path

from . import views

urlpatterns = [
    path("heat/opportunities/", views.heat_opportunities, name="heat-opportunities"),
    path("heat/opportunities/<int:source_id>/propose/", views.propose_heat_symbiosis, name="heat-opportunity-propose"),
]
