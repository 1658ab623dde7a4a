from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from config.errors import DomainError

from . import devices, services
from .models import Role, TrustedDevice, User


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


@admin.register(TrustedDevice)
class TrustedDeviceAdmin(admin.ModelAdmin):
    """Remembered devices (记住此设备); an admin signs a lost phone out with 注销."""

    list_display = ["user", "name", "created_at", "last_seen_at", "expires_at", "revoked_at"]
    search_fields = ["user__username", "user__display_name", "name"]
    raw_id_fields = ["user", "revoked_by"]
    readonly_fields = ["token_hash", "created_at", "last_seen_at", "revoked_at", "revoked_by"]
    actions = ["revoke"]

    @admin.action(description="注销所选设备")
    def revoke(self, request, queryset):
        revoked = 0
        for device in queryset.select_related("user"):
            try:
                devices.device_revoke(actor=request.user, device_id=device.pk, user=device.user)
                revoked += 1
            except DomainError as error:
                self.message_user(request, f"{device}：{error.message}", messages.ERROR)
        self.message_user(request, f"已注销 {revoked} 台设备。")
