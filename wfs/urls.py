from django.urls import path

from . import views

app_name = "wfs"
urlpatterns = [path("", views.RegistryWFSView.as_view(), name="wfs")]
