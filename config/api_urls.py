from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from progress import api as progress_api

urlpatterns = [
    path("progress/", progress_api.ProgressView.as_view(), name="api-progress"),
    path("progress/by-measure-type/", progress_api.BreakdownView.as_view(), name="api-progress-by-type"),
    path("progress/measures/", progress_api.MeasuresBehindView.as_view(), name="api-progress-measures"),
    path("progress/partnerships/", progress_api.PartnershipsBehindView.as_view(), name="api-progress-partnerships"),
    path("progress/realised/", progress_api.RealisedBehindView.as_view(), name="api-progress-realised"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
