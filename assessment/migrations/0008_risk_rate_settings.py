from django.db import migrations

# The village risk rating's rates per 100 cases (assessment/risk.py DEFAULTS at the time): the
# thresholds scale with a village's case volume, the counts stay as floors.
RATES = {
    "red_risk_yellow_rate": 10,
    "red_risk_red_rate": 20,
    "repeat_yellow_rate": 10,
    "repeat_red_rate": 20,
    "group_yellow_rate": 10,
    "group_red_rate": 20,
    "criminal_yellow_rate": 5,
    "criminal_red_rate": 10,
    "overdue_yellow_rate": 10,
    "overdue_red_rate": 15,
}


def seed(apps, schema_editor):
    RiskSetting = apps.get_model("assessment", "RiskSetting")
    for key, value in RATES.items():
        RiskSetting.objects.get_or_create(county=None, key=key, defaults={"value": value})


def unseed(apps, schema_editor):
    RiskSetting = apps.get_model("assessment", "RiskSetting")
    RiskSetting.objects.filter(key__in=list(RATES)).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0007_default_risk_settings")]
    operations = [migrations.RunPython(seed, unseed)]
