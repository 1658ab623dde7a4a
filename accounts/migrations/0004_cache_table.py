"""The shared cache's table (settings.CACHES without Redis): the login throttle counts in it,
and the beat's heartbeat is kept there."""

from django.core.management import call_command
from django.db import migrations

TABLE = "cache_entries"


def create(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_audit_kinds_and_target")]

    operations = [migrations.RunPython(create, drop)]
