"""Two people editing the same record: the second gets a clear conflict, nothing is silently overwritten."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from rest_framework.test import APIClient

from access.models import ApiToken
from partnerships.models import ClimatePartnership

from .conftest import make_organisation, make_partnership
from .test_admin_roles import partnership_form


@pytest.fixture
def editors(role_users, django_user_model):
    from django.contrib.auth.models import Group

    second = django_user_model.objects.create_user("second-editor")  # as an administrator makes one: a role
    second.groups.add(Group.objects.get(name="editor"))
    clients = []
    for user in (role_users["editor"], second):
        client = APIClient()
        client.force_login(user)
        clients.append(client)
    return clients


def test_a_stale_if_match_is_refused_with_who_changed_what(editors):
    first, second = editors
    partnership = make_partnership(make_organisation())
    url = f"/api/partnerships/{partnership.pk}/"
    etag = first.get(url)["ETag"]
    assert second.get(url)["ETag"] == etag
    saved = first.patch(url, {"title": "Første version"}, format="json", HTTP_IF_MATCH=etag)
    assert saved.status_code == 200 and saved["ETag"] != etag
    refused = second.patch(url, {"notes": "Anden redaktør"}, format="json", HTTP_IF_MATCH=etag)
    assert refused.status_code == 412
    body = refused.json()
    assert body["changed_by"] == "test-editor"
    assert [c["field"] for c in body["changes"]] == ["title"]
    assert "Reload" in body["detail"] and body["current_etag"] == saved["ETag"]
    partnership.refresh_from_db()
    assert (partnership.title, partnership.notes) == ("Første version", "")
    retried = second.patch(url, {"notes": "Anden redaktør"}, format="json", HTTP_IF_MATCH=body["current_etag"])
    assert retried.status_code == 200


def test_archiving_over_a_newer_version_is_refused(editors):
    first, second = editors
    partnership = make_partnership(make_organisation())
    url = f"/api/partnerships/{partnership.pk}/"
    etag = first.get(url)["ETag"]
    assert first.patch(url, {"title": "Changed"}, format="json").status_code == 200
    assert second.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    assert not ClimatePartnership.objects.get(pk=partnership.pk).is_archived


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_writes_with_the_same_version_only_one_wins(live_server, django_user_model):
    from django.contrib.auth.models import Group

    raws = []
    for name in ("writer-a", "writer-b"):
        user = django_user_model.objects.create_user(name)
        user.groups.add(Group.objects.get(name="editor"))
        raws.append(ApiToken.issue(user=user, name="test")[1])
    partnership = make_partnership(make_organisation())
    url = f"{live_server.url}/api/partnerships/{partnership.pk}/"
    for round_ in range(ROUNDS):  # a lucky timing must not pass it: every round exactly one write wins
        statuses = race(url, raws, round_)
        assert sorted(statuses) == [200, 412], f"round {round_}: {statuses}"
        assert ClimatePartnership.objects.get(pk=partnership.pk).title in {f"Title {round_}-0", f"Title {round_}-1"}
    assert ClimatePartnership.history.filter(id=partnership.pk).count() == 1 + ROUNDS


ROUNDS = 20


def race(url, raws, round_) -> list[int]:
    """Two writers PATCH the same version at the same moment (a barrier); returns their two statuses."""
    current = urllib.request.Request(url, headers={"Authorization": f"Token {raws[0]}"})
    etag = urllib.request.urlopen(current).headers["ETag"]
    barrier, statuses = threading.Barrier(2), []

    def write(raw, title):
        request = urllib.request.Request(
            url,
            method="PATCH",
            data=json.dumps({"title": title}).encode(),
            headers={"Authorization": f"Token {raw}", "If-Match": etag, "Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            statuses.append(urllib.request.urlopen(request).status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=write, args=(raw, f"Title {round_}-{i}")) for i, raw in enumerate(raws)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


def test_the_admin_form_refuses_to_save_over_a_newer_version(client_for, role_users):
    org = make_organisation()
    partnership = make_partnership(org, status="dialogue")
    client = client_for("editor")
    form = client.get(f"/admin/partnerships/climatepartnership/{partnership.pk}/change/")
    started_from = form.context["adminform"].form["record_version"].value()
    assert started_from
    # meanwhile, someone else renames it
    other = ClimatePartnership.objects.get(pk=partnership.pk)
    other.title = "Renamed by a colleague"
    other.save()
    data = partnership_form(
        org,
        **{
            "record_version": started_from,
            "status": "dialogue",
            "signed_on": "",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": str(partnership.memberships.get().pk),
            "memberships-0-partnership": str(partnership.pk),
            "measures-TOTAL_FORMS": "0",
        },
    )
    response = client.post(f"/admin/partnerships/climatepartnership/{partnership.pk}/change/", data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Someone else" in errors and "title" in errors
    assert ClimatePartnership.objects.get(pk=partnership.pk).title == "Renamed by a colleague"
