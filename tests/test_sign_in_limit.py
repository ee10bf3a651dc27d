"""Sign-in rate limit: too many failures for a user name or from an address refuse sign-in for a while."""

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.test import Client, RequestFactory
from django.utils import timezone

from access.models import SignInFailure

LOGIN = "/accounts/login/"


def make_user(name, password):
    """As an administrator makes one: a user in a role's group, no staff status."""
    from django.contrib.auth.models import Group

    from access.roles import sync_roles

    sync_roles()
    user = get_user_model().objects.create_user(name, password=password)
    user.groups.add(Group.objects.get(name="editor"))
    return user


@pytest.fixture
def planner(db):
    return make_user("planner", "correct horse battery")


def sign_in(username, password, address="10.0.0.1", language="en"):
    client = Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(LOGIN, {"username": username, "password": password})
    return response, "_auth_user_id" in client.session


def fail(times, username="planner", address="10.0.0.1"):
    for _ in range(times):
        response, signed_in = sign_in(username, "wrong", address)
        assert response.status_code == 200 and not signed_in


def test_the_right_password_is_refused_after_five_failures_and_the_page_says_why(planner, settings):
    fail(4)
    assert sign_in("planner", "correct horse battery")[1]  # below the limit; a success clears the count
    fail(5)
    response, signed_in = sign_in("planner", "correct horse battery")
    assert not signed_in
    assert (
        "Too many failed sign-ins for this user name or from this address. Try again in 15 minutes."
        in response.content.decode()
    )
    # from another address too: the limit is on the user name
    assert not sign_in("planner", "correct horse battery", address="10.0.0.2")[1]
    # and no other path gets to try the password
    request = RequestFactory().post(LOGIN, REMOTE_ADDR="10.0.0.3")
    assert authenticate(request, username="planner", password="correct horse battery") is None


def test_other_users_are_not_locked_out(planner):
    make_user("editor", "another good password")
    fail(5)
    assert sign_in("editor", "another good password", address="10.0.0.9")[1]


def test_one_address_trying_many_user_names_is_limited(planner, settings):
    settings.SIGN_IN_FAILURE_LIMIT_PER_ADDRESS = 8
    for n in range(8):
        fail(1, username=f"guess{n}", address="192.0.2.7")
    response, signed_in = sign_in("planner", "correct horse battery", address="192.0.2.7")
    assert not signed_in and "Too many failed sign-ins" in response.content.decode()
    assert sign_in("planner", "correct horse battery", address="192.0.2.8")[1]


def test_the_limit_lifts_when_the_failures_leave_the_window(planner):
    fail(5)
    assert not sign_in("planner", "correct horse battery")[1]
    SignInFailure.objects.update(at=timezone.now() - timedelta(minutes=14))
    response, _ = sign_in("planner", "correct horse battery")
    assert "Try again in 1 minute." in response.content.decode()
    SignInFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    assert sign_in("planner", "correct horse battery")[1]
    assert not SignInFailure.objects.filter(username="planner").exists()


def test_behind_a_proxy_the_named_header_gives_the_address(planner, settings):
    settings.SIGN_IN_CLIENT_IP_HEADER = "X-Real-IP"
    settings.SIGN_IN_FAILURE_LIMIT_PER_ADDRESS = 3
    for n in range(3):
        Client(REMOTE_ADDR="10.9.9.9", HTTP_X_REAL_IP="198.51.100.4").post(
            LOGIN, {"username": f"guess{n}", "password": "x"}
        )
    assert set(SignInFailure.objects.values_list("address", flat=True)) == {"198.51.100.4"}
    client = Client(REMOTE_ADDR="10.9.9.9", HTTP_X_REAL_IP="198.51.100.5")  # same proxy, another person
    client.post(LOGIN, {"username": "planner", "password": "correct horse battery"})
    assert "_auth_user_id" in client.session


def test_the_message_comes_in_danish(planner):
    fail(5)
    response, _ = sign_in("planner", "correct horse battery", language="da")
    assert "For mange mislykkede login" in response.content.decode()
