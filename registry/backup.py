"""Backup and restore of the whole registry: the database (pg_dump custom format) and uploaded files."""

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections

DUMP_NAME, MEDIA_NAME = "database.dump", "media.tar"


class BackupError(RuntimeError):
    """pg_dump or pg_restore failed or is missing, or a file is not a registry backup."""


def _connection_env(alias="default") -> tuple[list[str], dict]:
    db = settings.DATABASES[alias]
    args = [
        "--host",
        db["HOST"] or "localhost",
        "--port",
        str(db["PORT"] or 5432),
        "--username",
        db["USER"],
        "--dbname",
        db["NAME"],
    ]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def _run(command: list[str], env: dict) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} not found: install postgresql-client-15")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def backup(target: Path) -> Path:
    """Write <target> (a .tar holding database.dump and media.tar); refuse to leave a partial file."""
    args, env = _connection_env()
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / DUMP_NAME
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), *args], env)
        media = Path(tmp) / MEDIA_NAME
        with tarfile.open(media, "w") as archive:
            if Path(settings.MEDIA_ROOT).exists():
                archive.add(settings.MEDIA_ROOT, arcname=".")
        partial = target.with_suffix(target.suffix + ".partial")
        with tarfile.open(partial, "w") as bundle:
            bundle.add(dump, arcname=DUMP_NAME)
            bundle.add(media, arcname=MEDIA_NAME)
        os.replace(partial, target)  # only a complete backup ever carries the final name
    return target


def restore(source: Path) -> None:
    """Replace the database and uploaded files with the backup's."""
    args, env = _connection_env()
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(source) as bundle:
        names = set(bundle.getnames())
        if not {DUMP_NAME, MEDIA_NAME} <= names:
            raise BackupError(f"{source} is not a registry backup (expected {DUMP_NAME} and {MEDIA_NAME}).")
        bundle.extract(DUMP_NAME, tmp, filter="data")
        media_bytes = bundle.extractfile(MEDIA_NAME).read()
        connections.close_all()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(Path(tmp) / DUMP_NAME),
            ],
            env,
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.rmtree(media_root)
    media_root.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(media_bytes)) as archive:
        archive.extractall(media_root, filter="data")
