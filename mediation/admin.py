"""Admin pages for the mediation records, in Chinese."""

from django.contrib import admin

from .models import (
    Agreement,
    AgreementSignature,
    Committee,
    Consultation,
    FileDocument,
    FollowUp,
    InspectionReport,
    JudicialConfirmation,
    MediationSession,
    MediatorProfile,
    Reward,
    RewardRate,
)


class MediatorProfileInline(admin.TabularInline):
    model = MediatorProfile
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "position", "employment", "specialty", "certified", "title", "active"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area", "category", "active"]
    list_filter = ["kind", "active", "category"]
    search_fields = ["name", "area__name", "area__code"]
    raw_id_fields = ["area", "parent"]
    inlines = [MediatorProfileInline]


@admin.register(MediatorProfile)
class MediatorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "committee", "position", "employment", "certified", "active"]
    list_filter = ["employment", "position", "certified", "active"]
    search_fields = ["user__username", "user__display_name", "committee__name", "specialty"]
    raw_id_fields = ["user", "committee"]


@admin.register(MediationSession)
class MediationSessionAdmin(admin.ModelAdmin):
    list_display = ["case", "held_at", "place", "recorded_by"]
    search_fields = ["case__number", "place", "minutes"]
    raw_id_fields = ["case", "recorded_by"]
    filter_horizontal = ["mediators"]
    date_hierarchy = "held_at"


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["case", "consultant_kind", "consultant_name", "due_at", "answered_at"]
    list_filter = ["consultant_kind"]
    search_fields = ["case__number", "consultant_name", "question"]
    raw_id_fields = ["case", "consultant", "asked_by"]


class AgreementSignatureInline(admin.TabularInline):
    model = AgreementSignature
    extra = 0
    raw_id_fields = ["party"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["number", "case", "form", "perform_by", "effective_on"]
    list_filter = ["form"]
    search_fields = ["number", "case__number", "terms"]
    raw_id_fields = ["case", "committee", "mediator", "recorded_by"]
    # Effectiveness is derived from the signatures: change it through the API, not by hand.
    readonly_fields = ["effective_on", "reached_on"]
    inlines = [AgreementSignatureInline]


@admin.register(JudicialConfirmation)
class JudicialConfirmationAdmin(admin.ModelAdmin):
    list_display = ["case", "status", "opened_on", "due_at", "court", "applied_on"]
    list_filter = ["status"]
    search_fields = ["case__number", "court", "ruling_number"]
    raw_id_fields = ["case", "agreement"]
    readonly_fields = ["opened_on", "remind_at", "due_at"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["case", "performed_on", "method", "performed", "satisfaction"]
    list_filter = ["method", "performed", "satisfaction", "remaining_risk"]
    search_fields = ["case__number", "note"]
    raw_id_fields = ["case", "recorded_by"]


@admin.register(FileDocument)
class FileDocumentAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "note", "recorded_at"]
    list_filter = ["kind"]
    search_fields = ["case__number", "note"]
    raw_id_fields = ["case", "attachment", "recorded_by"]


@admin.register(RewardRate)
class RewardRateAdmin(admin.ModelAdmin):
    list_display = ["county", "difficulty", "category", "level", "amount", "active"]
    list_editable = ["amount", "active"]
    list_filter = [("county", admin.EmptyFieldListFilter), "difficulty", "level", "active"]
    raw_id_fields = ["county"]


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ["case", "mediator", "committee", "difficulty", "amount", "month"]
    list_filter = ["difficulty", "month"]
    search_fields = ["case__number", "mediator__username", "mediator__display_name"]
    raw_id_fields = [
        "case",
        "mediator",
        "committee",
        "rate",
        "claimed_by",
        "province",
        "city",
        "county",
        "town",
        "village",
    ]


@admin.register(InspectionReport)
class InspectionReportAdmin(admin.ModelAdmin):
    list_display = ["grid", "period", "zero", "reporter", "submitted_at"]
    list_filter = ["zero", "period"]
    search_fields = ["grid__name", "grid__code", "reporter__username"]
    raw_id_fields = [
        "grid",
        "reporter",
        "cases",
        "province",
        "city",
        "county",
        "town",
        "village",
    ]
