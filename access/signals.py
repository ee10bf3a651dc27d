from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .backends import permission_cache_key

User = get_user_model()


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def _user_permissions_changed(sender, instance, **kwargs):
    if isinstance(instance, User):
        cache.delete(permission_cache_key(instance.pk))
    else:  # the reverse side: a group or permission gained or lost users
        cache.delete_many([permission_cache_key(pk) for pk in kwargs.get("pk_set") or ()])


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_permissions_changed(sender, instance, **kwargs):
    if isinstance(instance, Group):
        cache.delete_many([permission_cache_key(pk) for pk in instance.user_set.values_list("pk", flat=True)])
