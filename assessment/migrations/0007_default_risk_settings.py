from django.db import migrations

# The national defaults of the village risk rating (assessment/risk.py DEFAULTS at the time).
DEFAULTS = {
    "red_risk_yellow": 1,
    "red_risk_red": 2,
    "repeat_yellow": 2,
    "repeat_red": 4,
    "group_yellow": 1,
    "group_red": 2,
    "criminal_yellow": 1,
    "criminal_red": 1,
    "overdue_yellow": 1,
    "overdue_red": 3,
    "group_size": 5,
    "report_days_red": 7,
    "report_days_yellow": 14,
    "report_days_green": 30,
    "visit_days_red": 7,
    "visit_days_yellow": 14,
    "visit_days_green": 30,
}


def seed(apps, schema_editor):
    RiskSetting = apps.get_model("assessment", "RiskSetting")
    for key, value in DEFAULTS.items():
        RiskSetting.objects.get_or_create(county=None, key=key, defaults={"value": value})


class Migration(migrations.Migration):
    dependencies = [("assessment", "0006_village_risk_ratings")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
