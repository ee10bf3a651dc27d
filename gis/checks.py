"""`manage.py check --deploy` names records stored before the vertex limit with geometries over it: they
can still be read, but no edit of them saves until the geometry is simplified (gis/validation.py)."""

from django.apps import apps
from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import NumPoints
from django.core.checks import Info, Tags, Warning, register
from django.db import DatabaseError
from django.utils.translation import gettext as _

SHOWN_IDS = 20


def _over_the_limit(limit: int):
    for model in apps.get_models():
        if model._meta.proxy or model.__name__.startswith("Historical") or model._meta.app_label == "geo":
            continue  # history keeps what was; the boundaries are ours, not records people edit
        for field in model._meta.concrete_fields:
            if isinstance(field, GeometryField):
                ids = list(
                    model._base_manager.annotate(_vertices=NumPoints(field.name))
                    .filter(_vertices__gt=limit)
                    .order_by("pk")
                    .values_list("pk", flat=True)[: SHOWN_IDS + 1]
                )
                if ids:
                    yield model, field, ids


@register(Tags.models, deploy=True)
def geometries_over_the_vertex_limit(app_configs=None, **kwargs):
    """geo.W001 per model and geometry field holding geometries over MAX_GEOMETRY_VERTICES."""
    limit = settings.MAX_GEOMETRY_VERTICES
    try:
        found = list(_over_the_limit(limit))
    except DatabaseError as error:
        return [Info(_("Could not count the stored geometries' vertices: %s") % error, id="geo.I002")]
    return [
        Warning(
            _("%(records)s with a %(field)s over the limit of %(limit)s vertices: ids %(ids)s.")
            % {
                "records": model._meta.verbose_name_plural,
                "field": field.verbose_name,
                "limit": f"{limit:,}",
                "ids": ", ".join(map(str, ids[:SHOWN_IDS])) + (" …" if len(ids) > SHOWN_IDS else ""),
            },
            hint=_(
                "They can be read but not saved until simplified (e.g. in QGIS: Vector > Geometry Tools > Simplify)."
            ),
            id="geo.W001",
        )
        for model, field, ids in found
    ]
