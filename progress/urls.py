from django.urls import path

from . import views

app_name = "progress"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rows/<str:kind>/", views.drill_down, name="rows"),
    path("reports/", views.status_reports, name="status_reports"),
    path("reports/<int:pk>/", views.status_report, name="status_report"),
    path("reports/<int:pk>/status.json", views.status_report_status, name="status_report_status"),
    path("reports/<int:pk>/file", views.status_report_file, name="status_report_file"),
]
