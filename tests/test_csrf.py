"""CSRF on every form: a POST without the token is refused, the same POST with it goes through.

The forms are found in the pages themselves (every <form method="post"> on the pages each role sees), so a
new form on these pages is checked without being listed here.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from imports.models import ImportRun

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/map/",
    "/heat/opportunities/",
    "/imports/",
    "/admin/registry/energysite/add/",
    "/admin/partnerships/climatepartnership/add/",
]
FORM = re.compile(r'<form\b[^>]*method="post"[^>]*>', re.IGNORECASE)
ACTION = re.compile(r'action="([^"]*)"')


def post_forms(client, page) -> set[str]:
    html = client.get(page).content.decode()
    return {
        (ACTION.search(tag).group(1) if ACTION.search(tag) else page).replace("&amp;", "&")
        for tag in FORM.findall(html)
    }


def test_every_form_needs_its_csrf_token(role_users, tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    # an import run waiting to be applied, so its page (and its form) exists
    ImportRun.objects.create(
        kind="sites",
        file_name="x.csv",
        status="checked",
        stored_file=str(tmp_path / "x.csv"),
        created_by=role_users["editor"],
    )
    checked = set()
    for role in ("viewer", "editor", "administrator"):
        client = Client(enforce_csrf_checks=True)
        client.force_login(role_users[role])
        pages = PAGES + [f"/imports/{run.pk}/" for run in ImportRun.objects.all()]
        for page in pages:
            for action in post_forms(client, page):
                refused = client.post(action, {})
                assert refused.status_code == 403 and b"CSRF" in refused.content, (role, page, action)
                checked.add(action.split("?")[0])
        # and with the token the same request gets past the check (whatever the form then says)
        token = client.cookies["csrftoken"].value  # set by the pages above
        allowed = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_X_CSRFTOKEN=token)
        assert allowed.status_code == 302
    # the forms people use: language, sign-out, the admin's forms, imports, proposing a symbiosis
    assert {"/i18n/setlang/", "/admin/logout/", "/imports/"} <= checked
    assert any(re.fullmatch(r"/imports/\d+/apply/?", action) for action in checked), checked
    assert any(action.startswith("/heat/opportunities/") for action in checked), checked
    assert any(action.startswith("/admin/registry/energysite/add") for action in checked), checked


def test_signing_in_needs_the_token_too(db):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 403
    for role in ("viewer", "editor"):
        assert client.post(f"/demo-login/{role}/").status_code == 403
