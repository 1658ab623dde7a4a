from django.contrib import admin

from .models import Feedback, Letter, Supervision


class FeedbackInline(admin.TabularInline):
    model = Feedback
    extra = 0
    readonly_fields = ["text", "file", "given_by", "given_at", "returned_at", "return_reason"]
    can_delete = False


@admin.register(Supervision)
class SupervisionAdmin(admin.ModelAdmin):
    list_display = ["id", "unit", "case", "status", "due_at", "opened_by", "opened_at"]
    list_filter = ["status"]
    raw_id_fields = ["case", "unit", "county", "town", "village", "opened_by", "answered_by"]
    inlines = [FeedbackInline]


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "title", "area", "issued_by", "issued_at"]
    list_filter = ["kind", "year"]
    raw_id_fields = ["area", "county", "town", "village", "issued_by"]
