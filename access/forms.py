from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from jobs.mail import queue_mail

from .admin_site import may_use_admin
from .sign_in_limit import refusal


class RateLimitMixin:
    """Says so when the sign-in limit is reached, instead of trying the password (access/sign_in_limit.py)."""

    def clean(self):
        message = refusal(self.request, self.cleaned_data.get("username"))
        if message:
            raise forms.ValidationError(message, code="rate_limited")
        return super().clean()


class RateLimitedAuthenticationForm(RateLimitMixin, AuthenticationForm):
    """The sign-in page's form (/accounts/login/), for every role: no staff status needed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the password managers' and screen readers' hints; Django sets autocomplete, autofocus on the name
        self.fields["username"].widget.attrs.update(autocapitalize="none", spellcheck="false")


class RateLimitedAdminAuthenticationForm(RateLimitMixin, AdminAuthenticationForm):
    """The admin's sign-in form: the same limit, and the admin's door (may_use_admin) instead of staff status."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": AuthenticationForm.error_messages["invalid_login"],
        "no_admin": _(
            "This account's role only reads the records: sign in on the sign-in page and use the dashboard and the map."
        ),
    }

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)
        if not may_use_admin(user):
            raise forms.ValidationError(self.error_messages["no_admin"], code="no_admin")


class QueuedPasswordResetForm(PasswordResetForm):
    """The password-reset form whose e-mail leaves through the job queue: the page answers at once,
    whether or not the mail server does, and a refusing server is tried again (jobs/tasks.py)."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = loader.render_to_string(html_email_template_name, context) if html_email_template_name else ""
        queue_mail(subject, body, [to_email], html=html, from_email=from_email or "")
