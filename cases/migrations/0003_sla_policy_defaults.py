"""Seed the handling deadlines of DESIGN.md §7 (editable afterwards in the admin)."""

from django.db import migrations

WD, H = "working_days", "hours"
DEFAULTS = [
    # level, red, assign, respond, resolve
    ("village", False, (1, WD), (2, WD), (15, WD)),
    ("village", True, (2, H), (6, H), (3, WD)),
    ("town", False, (1, WD), (2, WD), (20, WD)),
    ("town", True, (2, H), (6, H), (5, WD)),
    ("county", False, (1, WD), (2, WD), (30, WD)),
    ("county", True, (1, WD), (2, WD), (30, WD)),
]


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("cases", "SlaPolicy")
    for level, red, assign, respond, resolve in DEFAULTS:
        SlaPolicy.objects.get_or_create(
            level=level,
            red=red,
            defaults={
                "assign_value": assign[0],
                "assign_unit": assign[1],
                "respond_value": respond[0],
                "respond_unit": respond[1],
                "resolve_value": resolve[0],
                "resolve_unit": resolve[1],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_sla_policy_calendar_overrides")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
