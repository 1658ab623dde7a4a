from django.contrib import admin

from .models import GradeThreshold, IndexWeight, KpiSnapshot


@admin.register(IndexWeight)
class IndexWeightAdmin(admin.ModelAdmin):
    list_display = ["county", "metric", "weight"]
    list_editable = ["weight"]
    list_filter = [("county", admin.EmptyFieldListFilter), "metric"]
    raw_id_fields = ["county"]


@admin.register(GradeThreshold)
class GradeThresholdAdmin(admin.ModelAdmin):
    list_display = ["county", "grade", "min_index"]
    list_editable = ["min_index"]
    list_filter = [("county", admin.EmptyFieldListFilter), "grade"]
    raw_id_fields = ["county"]


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(admin.ModelAdmin):
    list_display = ["area", "period_key", "safety_index", "grade", "computed_at"]
    list_filter = ["period_kind", "grade"]
    search_fields = ["area__name", "area__code", "period_key"]
    raw_id_fields = ["area"]
    readonly_fields = ["metrics", "computed_at"]
