from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ApiToken
from .roles import role_name


@admin.action(description=gettext_lazy("Revoke selected tokens"))
def revoke_tokens(modeladmin, request, queryset):
    for token in queryset.filter(revoked_at__isnull=True):
        token.revoke()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators issue tokens here; the key is shown once, right after saving."""

    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    fields = ("user", "name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    actions = [revoke_tokens]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, raw = ApiToken.issue(user=obj.user, name=obj.name, issued_by=request.user)
        obj.pk, obj.prefix, obj.key_hash = token.pk, token.prefix, token.key_hash
        messages.warning(
            request,
            _("The new token is %(key)s — copy it now; it is not stored and will not be shown again.") % {"key": raw},
        )


class RoleFilter(admin.SimpleListFilter):
    """The users of a role, with the role's translated name."""

    title = gettext_lazy("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(name, role_name(name)) for name in Group.objects.order_by("name").values_list("name", flat=True)]

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


admin.site.unregister(Group)
admin.site.unregister(get_user_model())


@admin.register(Group)
class RoleGroupAdmin(GroupAdmin):
    """The roles are groups; their names stay English in the database (code looks them up) and show translated."""

    list_display = ("name", "shown_as")

    @admin.display(description=gettext_lazy("shown as"), ordering="name")
    def shown_as(self, group):
        return role_name(group.name)


@admin.register(get_user_model())
class RoleUserAdmin(UserAdmin):
    """User accounts: the role is the group; no role needs staff status (access/admin_site.py)."""

    list_display = ("username", "email", "first_name", "last_name", "roles", "is_active")
    list_filter = ("is_active", RoleFilter, "is_staff", "is_superuser")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=gettext_lazy("roles"))
    def roles(self, user):
        return ", ".join(role_name(group.name) for group in user.groups.all())

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if db_field.name == "groups":
            formfield.label = gettext_lazy("Roles")
            formfield.help_text = ROLES_HELP
            formfield.label_from_instance = lambda group: role_name(group.name)
        return formfield

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "is_staff" in form.base_fields:
            form.base_fields["is_staff"].help_text = STAFF_HELP
        return form


ROLES_HELP = gettext_lazy(
    "Give every user one role. Viewer: reads every record on the dashboard, the map and the other pages. "
    "Editor: also adds and changes the records, here in the admin. Administrator: everything, including user "
    "accounts. Every role signs in on the sign-in page; none needs staff status."
)
STAFF_HELP = gettext_lazy(
    "Not needed for any role: editors and administrators open the admin through their role. "
    "Staff status alone opens the admin even without a role."
)
