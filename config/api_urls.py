from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from config import openapi  # noqa: F401  (registers the GeoJSON schema extension)
from partnerships.api import sites as partnership_sites
from partnerships.api import views as partnership_views
from progress import api as progress_api
from publish.api import LayerExportView
from registry.api import heat as heat_api
from registry.api import views as registry_views

router = DefaultRouter()
router.register("organisations", registry_views.OrganisationViewSet)
router.register("organisation-sites", registry_views.OrganisationSiteViewSet)
router.register("sites", partnership_sites.EnergySiteViewSet)  # with the tonnes of its measures
router.register("symbioses", registry_views.HeatSymbiosisViewSet)
router.register("heat-sources", heat_api.HeatSourceViewSet)
router.register("heating-networks", heat_api.HeatingNetworkViewSet)
router.register("partnerships", partnership_views.PartnershipViewSet)
router.register("measures", partnership_views.MeasureViewSet)
router.register("realised-reductions", partnership_views.RealisedReductionViewSet)
router.register("international-partnerships", partnership_views.InternationalPartnershipViewSet)
router.register("funding", partnership_views.ExternalFundingViewSet)
router.register("targets", partnership_views.TargetViewSet)

urlpatterns = [
    path("progress/", progress_api.ProgressView.as_view(), name="api-progress"),
    path("progress/by-measure-type/", progress_api.BreakdownView.as_view(), name="api-progress-by-type"),
    path("progress/measures/", progress_api.MeasuresBehindView.as_view(), name="api-progress-measures"),
    path("progress/partnerships/", progress_api.PartnershipsBehindView.as_view(), name="api-progress-partnerships"),
    path("progress/realised/", progress_api.RealisedBehindView.as_view(), name="api-progress-realised"),
    path("heat-opportunities/", heat_api.HeatOpportunityListView.as_view(), name="api-heat-opportunities"),
    path(
        "heat-opportunities/<int:source_id>/propose/",
        heat_api.ProposeSymbiosisView.as_view(),
        name="api-heat-opportunity-propose",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *LayerExportView.urlpatterns(),  # one pattern per format: each is its own operation in /api/schema/
    path("", include(router.urls)),
]
