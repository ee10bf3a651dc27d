"""Configuration from the environment, and the Danish translation."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.validators import validate_cvr

ROOT = Path(__file__).resolve().parent.parent


def django_check(**env):
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_production_refuses_the_development_secret_key():
    for secret in ("", "dev-only-insecure-key-change-me"):
        result = django_check(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secret)
        assert result.returncode != 0
        assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = django_check(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="registry.example")
    assert result.returncode == 0, result.stderr


def test_deploy_checks_are_clean_with_production_settings(db):
    """Against the test database (no demo users: the development database has them, and demo.W001 says so)."""
    from django.db import connection

    database = connection.settings_dict
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "kR7#pL2@vQ9&zM4!wX8^" * 4,
            "DJANGO_ALLOWED_HOSTS": "registry.example",
            "DATABASE_URL": f"postgis://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_url_must_be_postgis():
    result = django_check(DATABASE_URL="sqlite:///tmp/x.db")
    assert result.returncode != 0
    assert "PostGIS" in result.stderr


def test_validation_messages_come_in_danish():
    with translation.override("da"), pytest.raises(ValidationError) as error:
        validate_cvr("29403474")
    assert "ikke et gyldigt CVR-nummer" in error.value.messages[0]


def test_language_code_is_configurable():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
            "django.setup(); from django.conf import settings; print(settings.LANGUAGE_CODE)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_LANGUAGE_CODE": "da"},
        timeout=60,
    )
    assert result.stdout.strip() == "da"
