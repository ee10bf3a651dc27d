from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

PERMISSION_TTL_SECONDS = 30


def permission_cache_key(user_id: int) -> str:
    return f"perms:{user_id}"


class CachedPermissionBackend(ModelBackend):
    """Django's permissions, remembered for 30 s per user so map tiles and API calls skip two queries.

    A change to a user's groups or to a group's permissions clears the entry in this process at once
    (access/signals.py); other worker processes see it within PERMISSION_TTL_SECONDS.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        from .sign_in_limit import refusal

        if refusal(request, username or kwargs.get("username")):
            raise PermissionDenied  # past the sign-in limit: the password is not even tried
        return super().authenticate(request, username, password, **kwargs)

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            key = permission_cache_key(user_obj.pk)
            permissions = cache.get(key)
            if permissions is None:
                permissions = super().get_all_permissions(user_obj, obj)
                cache.set(key, permissions, PERMISSION_TTL_SECONDS)
            user_obj._perm_cache = permissions
        return user_obj._perm_cache
