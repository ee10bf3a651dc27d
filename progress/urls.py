from django.urls import path

from . import views

app_name = "progress"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rows/<str:kind>/", views.drill_down, name="rows"),
    path("report.<str:fmt>", views.status_report, name="report"),
]
