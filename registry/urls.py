from django.urls import path

from progress.views import front_page

from . import views

urlpatterns = [
    path("", front_page, name="home"),
    path("demo-login/<str:role>/", views.demo_login, name="demo-login"),
    path("healthz", views.healthz, name="healthz"),
    path("heat/opportunities/", views.heat_opportunities, name="heat-opportunities"),
    path("heat/opportunities/<int:source_id>/propose/", views.propose_heat_symbiosis, name="heat-opportunity-propose"),
]
