"""The phone hash of the parties written before it existed (search by a full phone number)."""

from django.db import migrations


def backfill(apps, schema_editor):
    from cases import crypto

    Party = apps.get_model("cases", "Party")
    rows = Party.objects.filter(phone_hash="").exclude(phone_encrypted=None)
    batch = []
    for party in rows.only("id", "phone_encrypted").iterator(chunk_size=2000):
        try:
            phone = crypto.decrypt(party.phone_encrypted, field="party.phone")
        except crypto.DecryptionError:
            continue
        party.phone_hash = crypto.phone_hash(phone)
        batch.append(party)
        if len(batch) >= 2000:
            Party.objects.bulk_update(batch, ["phone_hash"])
            batch = []
    if batch:
        Party.objects.bulk_update(batch, ["phone_hash"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_intake_keys_held_photos_phone_hash")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
