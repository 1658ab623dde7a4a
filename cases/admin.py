"""Django admin for cases (read-only: changes go through the services), SLA policy and calendar
overrides."""

from django.contrib import admin

from .models import CalendarOverride, Case, CaseEvent, HandlingPeriod, Party, SlaPolicy

WORKFLOW_FIELDS = [
    "number",
    "status",
    "level",
    "peak_level",
    "holder",
    "assignee",
    "outcome",
    "outcome_note",
    "origin",
    "province",
    "city",
    "county",
    "town",
    "village",
    "grid",
    "reported_by",
    "reported_at",
    "resolved_at",
    "closed_at",
    "concluded_at",
    "repeat_dispute",
    "updated_at",
]


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0
    can_delete = False
    fields = ["name", "role", "id_number_masked", "phone_masked", "address", "area"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class PeriodInline(admin.TabularInline):
    model = HandlingPeriod
    extra = 0
    can_delete = False
    fields = [
        "level",
        "area",
        "entered_by",
        "arrived_at",
        "assign_due",
        "assigned_at",
        "respond_due",
        "responded_at",
        "resolve_due",
        "ended_at",
        "end_reason",
        "next_deadline",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "kind",
        "actor",
        "from_status",
        "to_status",
        "from_level",
        "to_level",
        "note",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Cases, read-only: every change goes through the services (an event per change)."""

    list_display = [
        "number",
        "title",
        "category",
        "risk",
        "level",
        "status",
        "holder",
        "reported_at",
    ]
    list_filter = ["status", "level", "risk", "category", "source", "supervised"]
    search_fields = ["number", "title"]
    date_hierarchy = "reported_at"
    list_select_related = ["holder"]
    readonly_fields = WORKFLOW_FIELDS
    fields = [
        "title",
        "facts",
        "category",
        "source",
        "risk",
        "occurred_on",
        "amount",
        "people_involved",
        "supervised",
        *WORKFLOW_FIELDS,
    ]
    inlines = [PartyInline, PeriodInline, EventInline]

    def has_add_permission(self, request):
        # Intake goes through the service (numbering, screening, clocks).
        return False

    def has_change_permission(self, request, obj=None):
        # Every change of a case (risk, level, status, facts…) is a service with its case
        # event and re-timed clocks; admin only shows the case.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    """The handling deadlines per level (red risk or not): the default rows (blank county) and
    the counties' own, which their admins change in the app's settings pages."""

    list_display = [
        "county",
        "level",
        "red",
        "assign_value",
        "assign_unit",
        "respond_value",
        "respond_unit",
        "resolve_value",
        "resolve_unit",
        "updated_at",
    ]
    list_filter = [("county", admin.EmptyFieldListFilter), "level", "red"]
    raw_id_fields = ["county"]
    list_editable = [
        "assign_value",
        "assign_unit",
        "respond_value",
        "respond_unit",
        "resolve_value",
        "resolve_unit",
    ]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Days whose working status is set by hand (a year the holiday library lacks)."""

    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["note"]
