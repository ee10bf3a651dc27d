"""The sign-in pages every role uses (/accounts/), and the admin opened by the role rather than by staff status.

Users are made as an administrator makes them: on the admin's "add user" form, then the change form giving the
role (the group), with no staff status; then they sign in on the sign-in page. The password-reset mail goes
through a real SMTP server (aiosmtpd on a free local port) and its link is followed.
"""

import email
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from access.roles import ADMINISTRATOR, EDITOR, VIEWER, sync_roles

from .jobs import run_queued_jobs

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "Limfjorden-2030"
ADMIN_PASSWORD = "Nordjylland-Admin-77"


def sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def sign_in_fresh(username, password):
    client = Client()
    sign_in(client, username, password)
    return client


@pytest.fixture
def administrator(db):
    """The first administrator (made by `createsuperuser`'s successor: a user in the administrator group)."""
    sync_roles()
    user = get_user_model().objects.create_user("admin1", password=ADMIN_PASSWORD, email="admin1@aalborg.example")
    user.groups.add(Group.objects.get(name=ADMINISTRATOR))
    return user


@pytest.fixture
def admin_client(administrator):
    client = Client()
    assert sign_in(client, "admin1", ADMIN_PASSWORD).status_code == 302
    return client


def admin_makes_user(admin_client, username, role, email_address=""):
    """The admin's add form (name and password), then the change form it leads to (role, e-mail), as a person would."""
    added = admin_client.post(
        "/admin/auth/user/add/",
        {"username": username, "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert added.status_code == 302, added.context["adminform"].form.errors if added.context else added
    user = get_user_model().objects.get(username=username)
    change_url = f"/admin/auth/user/{user.pk}/change/"
    assert added["Location"] == change_url
    page = admin_client.get(change_url)
    assert page.status_code == 200
    joined = timezone.localtime(user.date_joined)
    changed = admin_client.post(
        change_url,
        {
            "username": username,
            "first_name": "",
            "last_name": "",
            "email": email_address,
            "is_active": "on",
            "groups": [Group.objects.get(name=role).pk],
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
            "last_login_0": "",
            "last_login_1": "",
        },
    )
    assert changed.status_code == 302, changed.context["adminform"].form.errors if changed.context else changed
    user.refresh_from_db()
    assert not user.is_staff and list(user.groups.values_list("name", flat=True)) == [role]
    return user


def test_a_planner_made_in_the_admin_signs_in_and_reads_the_dashboard_and_the_map(admin_client):
    form = admin_client.get("/admin/auth/user/add/")
    assert form.status_code == 200
    admin_makes_user(admin_client, "planlaegger1", VIEWER)
    change = admin_client.get(f"/admin/auth/user/{get_user_model().objects.get(username='planlaegger1').pk}/change/")
    assert "none needs staff status" in change.content.decode()  # the user form says so
    planner = Client()
    response = sign_in(planner, "planlaegger1", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    dashboard = planner.get("/")
    assert "progress/dashboard.html" in {t.name for t in dashboard.templates}
    assert "planlaegger1 (viewer)" in dashboard.content.decode()  # the header names the role
    assert planner.get("/map/").status_code == 200
    assert planner.get("/heat/opportunities/").status_code == 200
    assert 'href="/admin/"' not in dashboard.content.decode()  # the admin is not offered to a viewer


def test_the_groups_and_the_users_list_show_the_role_names(admin_client):
    admin_makes_user(admin_client, "redaktoer1", EDITOR)
    groups = admin_client.get("/admin/auth/group/")
    assert groups.status_code == 200 and "Shown as" in groups.content.decode()
    users = admin_client.get("/admin/auth/user/?role=editor")
    assert [u.username for u in users.context["cl"].result_list] == ["redaktoer1"]


def test_a_wrong_password_shows_the_error_and_no_staff_message(administrator):
    client = Client()
    response = sign_in(client, "admin1", "wrong password")
    html = response.content.decode()
    assert response.status_code == 200 and not signed_in(client)
    assert "Please enter a correct username and password" in html
    assert 'role="alert"' in html and "staff" not in html


def test_the_sign_in_limit_applies_on_the_page(administrator):
    for _ in range(5):
        assert not signed_in(sign_in_fresh("admin1", "wrong"))
    client = Client()
    response = sign_in(client, "admin1", ADMIN_PASSWORD)
    assert response.status_code == 200 and not signed_in(client)
    assert "Too many failed sign-ins for this user name or from this address." in response.content.decode()


@pytest.mark.parametrize(
    "next_url, lands_on",
    [
        ("/map/", "/map/"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("http://testserver.evil.example/", "/"),
    ],
)
def test_next_is_followed_only_within_the_site(administrator, next_url, lands_on):
    client = Client()
    page = client.get(LOGIN, {"next": next_url})
    shown = 'name="next" value="' + (next_url if lands_on == next_url else "") + '"'
    assert shown in page.content.decode()
    response = sign_in(client, "admin1", ADMIN_PASSWORD, next=next_url)
    assert response.status_code == 302 and response["Location"] == lands_on


def test_signing_out_takes_a_post_and_ends_the_session(admin_client):
    assert admin_client.get("/accounts/logout/").status_code == 405
    page = admin_client.get("/")
    assert 'action="/accounts/logout/"' in page.content.decode()
    response = admin_client.post("/accounts/logout/")
    assert response.status_code == 200 and "You are signed out" in response.content.decode()
    assert not signed_in(admin_client)
    assert admin_client.get("/map/")["Location"] == "/accounts/login/?next=/map/"


def test_changing_the_password(admin_client):
    page = admin_client.get("/accounts/password_change/")
    assert page.status_code == 200
    mismatch = admin_client.post(
        "/accounts/password_change/",
        {"old_password": ADMIN_PASSWORD, "new_password1": "Ny-Adgangskode-2031", "new_password2": "something else"},
    )
    html = mismatch.content.decode()
    assert mismatch.status_code == 200
    assert re.search(r'<input[^>]*name="new_password2"[^>]*aria-invalid="true"', html)
    assert re.search(r'<input[^>]*name="new_password2"[^>]*aria-describedby="[^"]*id_new_password2_error', html)
    assert 'id="id_new_password2_error"' in html
    done = admin_client.post(
        "/accounts/password_change/",
        {
            "old_password": ADMIN_PASSWORD,
            "new_password1": "Ny-Adgangskode-2031",
            "new_password2": "Ny-Adgangskode-2031",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/password_change/done/"
    assert signed_in(admin_client)  # the session survives its own password change
    assert not signed_in(sign_in_fresh("admin1", ADMIN_PASSWORD))
    assert signed_in(sign_in_fresh("admin1", "Ny-Adgangskode-2031"))


def test_the_pages_are_labelled_for_password_managers_and_screen_readers(admin_client):
    anonymous = Client()
    pages = {LOGIN: anonymous, "/accounts/password_reset/": anonymous, "/accounts/password_change/": admin_client}
    autocompletes = {
        LOGIN: {"username": "username", "password": "current-password"},
        "/accounts/password_reset/": {"email": "email"},
        "/accounts/password_change/": {
            "old_password": "current-password",
            "new_password1": "new-password",
            "new_password2": "new-password",
        },
    }
    for url, client in pages.items():
        html = client.get(url).content.decode()
        assert html.count("<h1") == 1, url
        assert re.search(r'<html lang="\w+"', html), url
        for name, autocomplete in autocompletes[url].items():
            field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
            assert f'autocomplete="{autocomplete}"' in field, (url, field)
            assert f'<label for="id_{name}"' in html, (url, name)


def test_an_editor_without_staff_status_opens_the_admin(admin_client):
    admin_makes_user(admin_client, "projektleder1", EDITOR)
    editor = Client()
    # the admin sends an anonymous visitor to the sign-in page, and back
    first = editor.get("/admin/partnerships/climatepartnership/", follow=True)
    assert first.redirect_chain[-1][0] == "/accounts/login/?next=/admin/partnerships/climatepartnership/"
    response = sign_in(editor, "projektleder1", PASSWORD, next="/admin/partnerships/climatepartnership/")
    assert response["Location"] == "/admin/partnerships/climatepartnership/"
    assert editor.get("/admin/").status_code == 200
    assert editor.get("/admin/partnerships/climatepartnership/").status_code == 200
    assert editor.get("/admin/partnerships/climatepartnership/add/").status_code == 200
    assert editor.get("/admin/auth/user/").status_code == 403  # still only what the role allows
    assert 'href="/admin/"' in editor.get("/map/").content.decode()


def test_a_viewer_gets_a_clear_refusal_at_the_admin(admin_client):
    admin_makes_user(admin_client, "planlaegger2", VIEWER)
    viewer = Client()
    sign_in(viewer, "planlaegger2", PASSWORD)
    for url in ("/admin/", "/admin/partnerships/climatepartnership/"):
        response = viewer.get(url)
        html = response.content.decode()
        assert response.status_code == 403, url
        assert "The admin is for editors and administrators" in html and "staff account" not in html
        assert "Your role, viewer, reads the records" in html
        assert 'href="/map/"' in html
    # the admin's own sign-in page says the same (and answers 200, as Django's sign-in page does)
    assert "The admin is for editors and administrators" in viewer.get("/admin/login/").content.decode()
    # and its form, posted as the viewer, says why instead of "a staff account"
    refused = Client().post("/admin/login/", {"username": "planlaegger2", "password": PASSWORD})
    assert "only reads the records" in refused.content.decode()


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port, and Django's SMTP backend pointed at it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "klimapartnerskaber@aalborg.example"
    yield mailbox
    controller.stop()


# the mail is sent by a worker of the job queue, whose own connection sees only what was committed
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_forgotten_password_is_reset_through_the_mailed_link(admin_client, smtp_server):
    admin_makes_user(admin_client, "planlaegger3", VIEWER, email_address="planlaegger3@aalborg.example")
    client = Client()
    response = client.post("/accounts/password_reset/", {"email": "Planlaegger3@aalborg.example"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()
    # an unknown address sends nothing, and the page says the same
    assert client.post("/accounts/password_reset/", {"email": "nobody@example.org"}).status_code == 302
    assert smtp_server.messages == []  # queued, not sent by the web request
    run_queued_jobs()
    (mail,) = smtp_server.messages
    assert mail["To"] == "planlaegger3@aalborg.example"
    assert mail["From"] == "klimapartnerskaber@aalborg.example"
    assert "climate partnership registry" in mail["Subject"]
    body = mail.get_payload(decode=True).decode()
    assert "planlaegger3" in body
    link = re.search(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    set_url = form.redirect_chain[-1][0]
    new_password = "Ny-Adgangskode-Limfjord-9"
    done = client.post(set_url, {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert not signed_in(sign_in_fresh("planlaegger3", PASSWORD))
    planner = sign_in_fresh("planlaegger3", new_password)
    assert signed_in(planner)
    assert planner.get("/map/").status_code == 200
    # the link works once
    again = Client().get(link, follow=True)
    assert not again.context["validlink"]
