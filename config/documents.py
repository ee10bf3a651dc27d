"""Uploaded documents (signed agreements) under MEDIA_URL, only for those who may read the record they belong to.

Nothing under MEDIA_ROOT is served as a directory: a name is served only while a record's file field
holds it, and only to a signed-in user with the view permission of that record's model (viewers,
editors and administrators for a partnership's agreement), even where API_ANONYMOUS_READ opens the
API: agreements are not open data. Always an attachment, never rendered in the browser.
"""

import os

from django.apps import apps
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


def _file_fields():
    """(model, field name) for every file field of an installed model (history copies keep names as text)."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field


def _owner(name: str):
    """The model and field of the record that holds this file name, or None when no record does."""
    for model, field in _file_fields():
        if name and model._base_manager.filter(**{field.name: name}).exists():
            return model, field
    return None


def document(request, name):
    """GET /media/<name>: the file, to a user who may read its record; a sign-in redirect for anonymous users."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    owner = _owner(name)
    if owner is None:
        raise Http404(_("No record holds the document “%(name)s”.") % {"name": name})
    model, field = owner
    if not request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
        raise PermissionDenied(
            _("You may not read the documents of %(records)s.") % {"records": model._meta.verbose_name_plural}
        )
    try:
        handle = field.storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404(_("The document “%(name)s” is recorded but its file is missing.") % {"name": name}) from None
    response = FileResponse(handle, as_attachment=True, filename=os.path.basename(name))
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    return response
