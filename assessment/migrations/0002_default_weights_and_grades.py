from django.db import migrations

WEIGHTS = [
    ("resolution_rate", 30),
    ("village_retention", 10),
    ("town_retention", 10),
    ("flow_through_on_time_rate", 5),
    ("assignment_on_time_rate", 10),
    ("response_on_time_rate", 10),
    ("closure_on_time_rate", 10),
    ("follow_up_rate", 5),
    ("satisfaction_rate", 5),
    ("inspection_coverage", 5),
]
GRADES = [("gold", 95), ("silver", 90), ("bronze", 85)]


def seed(apps, schema_editor):
    IndexWeight = apps.get_model("assessment", "IndexWeight")
    GradeThreshold = apps.get_model("assessment", "GradeThreshold")
    for metric, weight in WEIGHTS:
        IndexWeight.objects.get_or_create(metric=metric, defaults={"weight": weight})
    for grade, minimum in GRADES:
        GradeThreshold.objects.get_or_create(grade=grade, defaults={"min_index": minimum})


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
