"""Keeping uploaded files: within the size limit, under our own name, outside anything served."""

import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler

from .files import max_bytes


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Stops reading an upload as soon as it passes IMPORT_MAX_MB, instead of filling the disk first."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > max_bytes():
            self.request.upload_too_large = True
            raise SkipFile()
        return super().receive_data_chunk(raw_data, start)


def keep_upload(uploaded) -> Path:
    """Store the upload as IMPORT_ROOT/<random>/upload<.ext>: the user's file name decides nothing on disk."""
    folder = Path(settings.IMPORT_ROOT) / uuid.uuid4().hex
    folder.mkdir(parents=True, mode=0o700)
    suffix = Path(uploaded.name).suffix.lower()
    target = folder / f"upload{suffix if suffix.isascii() and len(suffix) <= 8 else ''}"
    with open(target, "wb") as handle:
        for chunk in uploaded.chunks():
            handle.write(chunk)
    return target


def discard_upload(stored_file: str) -> None:
    """Remove a kept upload with its folder; only ever a folder of our own directly under IMPORT_ROOT."""
    root = Path(settings.IMPORT_ROOT).resolve()
    folder = (root / stored_file).resolve().parent
    if folder.parent == root:
        shutil.rmtree(folder, ignore_errors=True)
