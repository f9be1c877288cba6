from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from shouzhan.accounts.models import Membership, Organisation, User
from shouzhan.core.limits import BoundedFormMixin


class ShouzhanUserCreationForm(BoundedFormMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("name", "mobile", "email", "role")


class ShouzhanUserChangeForm(BoundedFormMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = ShouzhanUserChangeForm
    add_form = ShouzhanUserCreationForm
    ordering = ["id"]
    list_display = ["name", "mobile", "email", "role", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["name", "mobile", "email"]
    fieldsets = (
        (None, {"fields": ("name", "mobile", "email", "password")}),
        (_("角色与权限"), {"fields": ("role", "is_active", "is_staff", "is_superuser", "groups")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("name", "mobile", "email", "role", "password1", "password2")},
        ),
    )
    filter_horizontal = ("groups",)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [MembershipInline]
