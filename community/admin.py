from django.contrib import admin

from .models import (
    Campaign,
    CampaignReport,
    ConsultationDay,
    ConsultationItem,
    DutyLogEntry,
    DutyShift,
    DutyTeam,
    Volunteer,
)


class ItemInline(admin.TabularInline):
    model = ConsultationItem
    extra = 0
    raw_id_fields = ["case"]


@admin.register(ConsultationDay)
class ConsultationDayAdmin(admin.ModelAdmin):
    list_display = ["village", "held_on", "chair", "attendance"]
    list_filter = ["month"]
    raw_id_fields = ["village", "town", "county", "recorded_by"]
    inlines = [ItemInline]


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["name", "phone_masked", "grid", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    raw_id_fields = ["grid", "village", "town", "county", "user"]
    readonly_fields = ["phone_masked"]


@admin.register(DutyTeam)
class DutyTeamAdmin(admin.ModelAdmin):
    list_display = ["grid", "cadre_name", "grid_worker"]
    raw_id_fields = ["grid", "village", "town", "county", "grid_worker"]


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    list_display = ["on_date", "village", "volunteer", "checked_in_at"]
    date_hierarchy = "on_date"
    raw_id_fields = ["village", "town", "county", "volunteer"]


@admin.register(DutyLogEntry)
class DutyLogEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "village", "kind", "case"]
    list_filter = ["kind"]
    raw_id_fields = ["shift", "village", "town", "county", "author", "case"]


class ReportInline(admin.TabularInline):
    model = CampaignReport
    extra = 0
    raw_id_fields = ["grid", "village", "town", "county", "reporter"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "starts_on", "ends_on"]
    raw_id_fields = ["area", "county", "opened_by"]
    inlines = [ReportInline]
