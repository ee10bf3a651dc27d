"""Uploaded agreements under /media/: only for signed-in users who may read partnerships, as a download."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from .conftest import make_organisation, make_partnership

AGREEMENT = b"%PDF-1.4\n% signed climate partnership agreement\n"


@pytest.fixture
def agreement(db, settings, tmp_path):
    """A partnership with a signed agreement stored the way an upload through the admin stores it."""
    settings.MEDIA_ROOT = tmp_path
    partnership = make_partnership(make_organisation())
    partnership.agreement.save("aftale.pdf", ContentFile(AGREEMENT))
    return partnership


def test_an_anonymous_visitor_gets_the_sign_in_page_not_the_agreement(client, agreement):
    response = client.get(agreement.agreement.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert AGREEMENT not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_a_partnership_manager_downloads_the_agreement(client_for, agreement):
    response = client_for("editor").get(agreement.agreement.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == AGREEMENT
    assert response["Content-Disposition"].startswith("attachment;")
    assert "aftale" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_a_viewer_may_read_agreements_too(client_for, agreement):
    assert client_for("viewer").get(agreement.agreement.url).status_code == 200


def test_a_user_without_a_role_is_refused(client, agreement):
    client.force_login(get_user_model().objects.create_user(username="no-role", password=None))
    response = client.get(agreement.agreement.url)
    assert response.status_code == 403
    assert AGREEMENT not in response.content


def test_a_file_under_media_that_no_record_holds_is_not_served(client_for, agreement, tmp_path):
    (tmp_path / "private-notes.txt").write_bytes(b"not an agreement")
    response = client_for("administrator").get("/media/private-notes.txt")
    assert response.status_code == 404
    assert b"not an agreement" not in response.content
