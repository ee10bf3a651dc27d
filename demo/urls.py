from django.urls import path

from . import views

urlpatterns = [path("demo-login/<str:role>/", views.demo_login, name="demo-login")]
