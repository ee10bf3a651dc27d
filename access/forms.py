from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm

from .sign_in_limit import refusal


class RateLimitedAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in form, which says so when the sign-in limit is reached instead of trying the password."""

    def clean(self):
        message = refusal(self.request, self.cleaned_data.get("username"))
        if message:
            raise forms.ValidationError(message, code="rate_limited")
        return super().clean()
