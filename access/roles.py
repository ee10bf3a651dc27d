"""The three roles, as Django groups whose permissions are kept in sync after every migrate.

viewer (planner): view everything. editor (partnership manager): also add, change and
archive partnerships, measures, organisations, sites, symbioses, heat sources and networks, international
partnerships and funding, and import files. administrator: everything, including targets, users and API tokens.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.utils.translation import pgettext_lazy

VIEWER, EDITOR, ADMINISTRATOR = "viewer", "editor", "administrator"
ROLES = (VIEWER, EDITOR, ADMINISTRATOR)
# What users see: the groups keep their English names (code looks them up), the name shown is translated.
ROLE_NAMES = {
    VIEWER: pgettext_lazy("role", "viewer"),
    EDITOR: pgettext_lazy("role", "editor"),
    ADMINISTRATOR: pgettext_lazy("role", "administrator"),
}


def role_name(name: str) -> str:
    """The translated name of a role (a group's name); any other group keeps its own name."""
    return str(ROLE_NAMES.get(name, name))


DOMAIN_APPS = ("registry", "partnerships", "geo")
# Models an editor may write; everything else in the domain apps is read-only to them.
EDITOR_WRITES = {
    "registry": {"organisation", "organisationsite", "energysite", "heatsymbiosis", "heatsource", "heatingnetwork"},
    "partnerships": {
        "climatepartnership",
        "partnershiporganisation",
        "measure",
        "realisedreduction",
        "internationalpartnership",
        "externalfunding",
    },
}
# Import runs are the editors' own audit trail; viewers neither see nor start them.
EDITOR_IMPORT_PERMISSIONS = ("view_importrun", "add_importrun", "run_import")


def _role_permissions(role: str):
    domain = Permission.objects.filter(content_type__app_label__in=DOMAIN_APPS)
    if role == VIEWER:
        return domain.filter(codename__startswith="view_")
    if role == EDITOR:
        wanted = [
            p.pk
            for p in domain.select_related("content_type")
            if p.codename.startswith("view_")
            or p.content_type.model in EDITOR_WRITES.get(p.content_type.app_label, set())
        ]
        return Permission.objects.filter(pk__in=wanted) | Permission.objects.filter(
            content_type__app_label="imports", codename__in=EDITOR_IMPORT_PERMISSIONS
        )
    # administrators also look into the job queue (the admin's read-only Procrastinate pages)
    return Permission.objects.filter(
        content_type__app_label__in=(*DOMAIN_APPS, "auth", "access", "imports")
    ) | Permission.objects.filter(content_type__app_label="procrastinate", codename__startswith="view_")


def sync_roles() -> None:
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(_role_permissions(role))


@receiver(post_migrate)
def _sync_roles_after_migrate(sender, **kwargs):
    # The last of our apps: by then every app's permissions exist.
    if sender.label == "imports":
        sync_roles()
