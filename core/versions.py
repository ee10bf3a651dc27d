"""Optimistic locking: a record's version is its last update time; saving over a newer version is refused.

Used by the API (ETag / If-Match, answered with 412) and by the admin forms (a hidden version field),
so two people editing the same record never silently overwrite each other.
"""

from datetime import datetime

from django.utils.translation import gettext as _


def record_version(instance) -> str:
    return f"{instance.updated_at.timestamp():.6f}"


def record_etag(instance) -> str:
    return f'"{instance._meta.model_name}-{instance.pk}-{record_version(instance)}"'


def version_from_etag(etag: str) -> str:
    return etag.strip().strip('"').rsplit("-", 1)[-1]


def what_changed_since(instance, version: str) -> dict:
    """Who changed the record since `version`, when, and which fields (from the record's history)."""
    latest = instance.history.order_by("-history_date", "-history_id").first()
    try:
        seen_at = datetime.fromtimestamp(float(version), tz=instance.updated_at.tzinfo)
    except (TypeError, ValueError, OverflowError):
        seen_at = None
    seen = None
    if seen_at is not None:
        seen = instance.history.filter(updated_at__lte=seen_at).order_by("-history_date", "-history_id").first()
    changes = []
    if latest is not None and seen is not None and latest.pk != seen.pk:
        delta = latest.diff_against(seen)
        changes = [
            {"field": c.field, "was": _plain(c.old), "now": _plain(c.new)}
            for c in delta.changes
            if c.field not in {"updated_at"}
        ]
    return {
        "changed_by": str(latest.history_user) if latest and latest.history_user else None,
        "changed_at": latest.history_date.isoformat() if latest else None,
        "changes": changes,
    }


def _plain(value):
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def conflict_message(details: dict) -> str:
    fields = ", ".join(c["field"] for c in details["changes"]) or _("the record")
    return _(
        "Someone else (%(who)s) changed %(fields)s at %(when)s while you were editing. Reload to see "
        "their changes, then make yours again."
    ) % {"who": details["changed_by"] or _("unknown"), "fields": fields, "when": details["changed_at"]}
