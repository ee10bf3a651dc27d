from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("demo-login/<str:role>/", views.demo_login, name="demo-login"),
    path("healthz", views.healthz, name="healthz"),
]
