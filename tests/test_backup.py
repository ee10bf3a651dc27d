"""manage.py backup / restore: a round trip gives back every table and every uploaded file."""

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from partnerships.models import ClimatePartnership, Measure

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def fingerprints() -> dict:
    """Row count and a checksum of every row, per table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'")
        tables = sorted(row[0] for row in cursor.fetchall())
        result = {}
        for table in tables:
            cursor.execute(f"""SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))
                               FROM "{table}" t""")
            result[table] = cursor.fetchone()
    return result


def test_backup_then_restore_gives_back_every_table_and_file(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=open("/dev/null", "w"))
    partnership = ClimatePartnership.objects.order_by("id").first()
    partnership.agreement.save("aftale-æøå.pdf", ContentFile(b"%PDF-1.4 signed agreement"))
    agreement_path = partnership.agreement.path
    before = fingerprints()
    assert before["partnerships_measure"][0] >= 150

    target = tmp_path / "backup.tar"
    call_command("backup", "--output", str(target), stdout=open("/dev/null", "w"))
    assert target.is_file() and not (tmp_path / "backup.tar.partial").exists()

    # damage: lose measures, rename a partnership, lose the uploaded file
    Measure.objects.filter(partnership=partnership).update(title="changed")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM partnerships_realisedreduction")
    ClimatePartnership.objects.filter(pk=partnership.pk).update(title="Wrong")
    (tmp_path / "media").joinpath(partnership.agreement.name).unlink()
    assert fingerprints() != before

    call_command("restore", str(target), "--yes", stdout=open("/dev/null", "w"))
    assert fingerprints() == before
    with open(agreement_path, "rb") as restored:
        assert restored.read() == b"%PDF-1.4 signed agreement"


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    import tarfile

    bogus = tmp_path / "bogus.tar"
    with tarfile.open(bogus, "w") as archive:
        info = tarfile.TarInfo("notes.txt")
        archive.addfile(info)
    before = fingerprints()
    with pytest.raises(CommandError, match="not a registry backup"):
        call_command("restore", str(bogus), "--yes")
    with pytest.raises(CommandError, match="No such file"):
        call_command("restore", str(tmp_path / "missing.tar"), "--yes")
    assert fingerprints() == before
