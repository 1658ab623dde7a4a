"""The default 以奖代补 schedule: 100/200/300 元 for ordinary/difficult/major cases."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [("ordinary", Decimal("100")), ("difficult", Decimal("200")), ("major", Decimal("300"))]


def add_defaults(apps, schema_editor):
    RewardRate = apps.get_model("mediation", "RewardRate")
    for difficulty, amount in DEFAULTS:
        RewardRate.objects.get_or_create(
            difficulty=difficulty, category="", level="", defaults={"amount": amount}
        )


def remove_defaults(apps, schema_editor):
    RewardRate = apps.get_model("mediation", "RewardRate")
    RewardRate.objects.filter(category="", level="", difficulty__in=[d for d, _ in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("mediation", "0001_records")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
