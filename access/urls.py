"""The sign-in pages every role uses, under /accounts/: Django's own views with our templates and the sign-in limit.

The names are Django's (login, logout, password_change, password_reset, ...), so LOGIN_URL, the password-reset
e-mail and django.contrib.auth's defaults find them.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from .forms import QueuedPasswordResetForm, RateLimitedAuthenticationForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=RateLimitedAuthenticationForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path("password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
