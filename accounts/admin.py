from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from config.errors import DomainError

from . import services
from .models import Role, User


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    raw_id_fields = ["area"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "phone", "is_active", "is_staff"]
    search_fields = ["username", "display_name", "phone"]
    fieldsets = BaseUserAdmin.fieldsets + (("联系信息", {"fields": ("display_name", "phone")}),)
    inlines = [RoleInline]
    actions = ["unlock"]

    @admin.action(description="解除登录锁定")
    def unlock(self, request, queryset):
        cleared = 0
        for user in queryset:
            try:
                cleared += services.user_unlock(actor=request.user, user=user)
            except DomainError as error:
                self.message_user(request, f"{user}：{error.message}", messages.ERROR)
        self.message_user(request, f"已清除 {cleared} 条登录失败记录。")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "area", "created_at"]
    list_filter = ["kind", "area__level"]
    search_fields = ["user__username", "user__display_name", "area__name", "area__code"]
    raw_id_fields = ["user", "area"]


from .agencies import Agency, AgencyMember, PoliceBeat  # noqa: E402


class AgencyMemberInline(admin.TabularInline):
    model = AgencyMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    """三调联动 agencies (imported with `import_agencies`; edited here when one changes)."""

    list_display = ["name", "kind", "department", "area", "county", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name", "area__name"]
    raw_id_fields = ["area", "county"]
    inlines = [AgencyMemberInline]


@admin.register(PoliceBeat)
class PoliceBeatAdmin(admin.ModelAdmin):
    list_display = ["village", "member"]
    search_fields = ["village__name", "village__code", "member__user__display_name"]
    raw_id_fields = ["village", "member"]
