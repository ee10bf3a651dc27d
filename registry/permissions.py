from rest_framework.permissions import BasePermission


class CanViewRegistry(BasePermission):
    """Signed in with a role that may read the registry (viewer, editor or administrator)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("partnerships.view_measure"))
