from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission, DjangoModelPermissions


def may_read(user, model) -> bool:
    """The read rule of RolePermissions, for views that serve a model without being its viewset (exports, OGC)."""
    if settings.API_ANONYMOUS_READ and not user.is_authenticated:
        return True
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


class RolePermissions(DjangoModelPermissions):
    """The roles on the API: reading needs the view permission, writing add/change, archiving delete.

    Anonymous requests get nothing, unless API_ANONYMOUS_READ opens read-only access.
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS and settings.API_ANONYMOUS_READ and not request.user.is_authenticated:
            return True
        return super().has_permission(request, view)


class CanViewRegistry(BasePermission):
    """Signed in with a role that may read the registry (viewer, editor or administrator)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("partnerships.view_measure"))
