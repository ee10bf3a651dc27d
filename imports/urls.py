from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status.json", views.status, name="status"),
    path("<int:pk>/rejected-rows.csv", views.report_csv, name="report"),
    path("<int:pk>/apply", views.apply, name="apply"),
]
