"""Demo data and debug mode stay away from production: DEBUG off by default, no demo users, no demo sign-in."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.checks import run_checks
from django.db import connection

from access.roles import sync_roles

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "kR7#pL2@vQ9&zM4!wX8^" * 4


def clean_env(**env):
    """The environment of a fresh shell: nothing of Django's or the test run's own settings."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEMO_", "DATABASE_"))}
    return {**base, **env}


def test_debug_and_the_demo_sign_in_are_off_when_the_environment_says_nothing():
    code = (
        "import os; os.environ['DJANGO_SECRET_KEY'] = 'x' * 60; "
        "from config import settings; print(settings.DEBUG, settings.DEMO_LOGIN_ENABLED, settings.DEMO_DATA_ALLOWED)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=clean_env(), timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False"]


def test_without_debug_the_development_secret_key_is_refused_with_a_hint():
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr and "DJANGO_DEBUG=1" in result.stderr


def test_load_demo_refuses_when_debug_is_off_and_creates_no_users(db):
    """manage.py load_demo as production runs it: DJANGO_DEBUG=0, a real key, against the test database."""
    db_settings = connection.settings_dict
    url = f"postgis://{db_settings['USER']}@{db_settings['HOST']}:{db_settings['PORT']}/{db_settings['NAME']}"
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=clean_env(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=PRODUCTION_KEY,
            DATABASE_URL=url,
            PGPASSWORD=db_settings["PASSWORD"] or "",
        ),
        timeout=120,
    )
    assert result.returncode != 0
    assert "Refusing to load the demo data with DJANGO_DEBUG off" in result.stderr
    assert not get_user_model().objects.filter(username__startswith="demo-").exists()


def test_load_demo_refuses_in_process_when_demo_data_is_not_allowed(db, settings):
    from django.core.management import CommandError, call_command

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG off"):
        call_command("load_demo")
    assert not get_user_model().objects.filter(username__startswith="demo-").exists()


def deploy_warnings():
    return {message.id: message for message in run_checks(include_deployment_checks=True)}


def test_check_deploy_warns_while_a_demo_user_exists(db):
    assert "demo.W001" not in deploy_warnings()
    sync_roles()
    user = get_user_model().objects.create_user(username="demo-administrator", password="demo")
    user.groups.add(Group.objects.get(name="administrator"))
    warning = deploy_warnings()["demo.W001"]
    assert "demo-administrator" in warning.msg
    user.is_active = False  # a deactivated demo user cannot sign in
    user.save()
    assert "demo.W001" not in deploy_warnings()


def test_the_production_test_server_gets_production_defaults(monkeypatch):
    """bench/gunicorn_server.py starts "production" with no development or demo setting of this process."""
    from bench.gunicorn_server import production_env

    monkeypatch.setenv("DEMO_LOGIN_ENABLED", "1")
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    env = production_env("postgis://x@127.0.0.1:1/x", secret_key="k" * 50)
    assert env["DJANGO_DEBUG"] == "0" and "DEMO_LOGIN_ENABLED" not in env
