from django.urls import path
from drf_spectacular.views import SpectacularSwaggerSplitView

from . import views

app_name = "ogc"
urlpatterns = [
    path("", views.LandingPage.as_view(), name="landing"),
    path("conformance", views.Conformance.as_view(), name="conformance"),
    path("api", views.ApiDefinition.as_view(), name="api"),
    path("api.html", SpectacularSwaggerSplitView.as_view(url="/ogc/api"), name="api-doc"),
    path("collections", views.Collections.as_view(), name="collections"),
    path("collections/<str:collection_id>", views.CollectionDetail.as_view(), name="collection"),
    path("collections/<str:collection_id>/schema", views.Schema.as_view(), name="schema"),
    path("collections/<str:collection_id>/items", views.Items.as_view(), name="items"),
    path("collections/<str:collection_id>/items/<str:feature_id>", views.Item.as_view(), name="item"),
]
