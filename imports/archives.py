"""Zip archives, opened safely: both Shapefiles and Excel workbooks arrive zipped, so both readers need this."""

import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import FileRefused


def max_uncompressed_bytes() -> int:
    return settings.IMPORT_MAX_UNCOMPRESSED_MB * 1024 * 1024


def check_zip(path: Path) -> None:
    """Refuse archives that expand beyond the limit, counting the bytes really produced, not the headers' claims."""
    budget = max_uncompressed_bytes()
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if len(infos) > 10_000:
            raise FileRefused(
                _("The ZIP archive has %(count)s entries; that is not a data file.") % {"count": len(infos)}
            )
        declared = sum(info.file_size for info in infos)
        if declared > budget:
            raise FileRefused(_zip_bomb_message())
        produced = 0
        for info in infos:
            with archive.open(info) as member:
                while chunk := member.read(1024 * 1024):
                    produced += len(chunk)
                    if produced > budget:
                        raise FileRefused(_zip_bomb_message())


def _zip_bomb_message() -> str:
    return _("The ZIP archive would expand to more than %(limit)s MB (a zip bomb?); refused.") % {
        "limit": settings.IMPORT_MAX_UNCOMPRESSED_MB
    }
