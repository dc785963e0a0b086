"""The 2011 SME size standard's rule table (``funds.sizes.STANDARD_2011``), loaded as data."""

from django.db import migrations

from gonghui.funds.sizes import LEVELS, STANDARD_2011


def forwards(apps, schema_editor):
    SizeRule = apps.get_model("funds", "SizeRule")
    for sort, (code, name, industries, *floors) in enumerate(STANDARD_2011):
        values = {}
        for level, (employees, revenue, assets) in zip(LEVELS, floors, strict=True):
            values[f"employees_{level}"] = employees
            values[f"revenue_{level}"] = revenue
            values[f"assets_{level}"] = assets
        SizeRule.objects.update_or_create(
            code=code, defaults={"name": name, "industries": industries, "sort": sort, **values}
        )


def backwards(apps, schema_editor):
    apps.get_model("funds", "SizeRule").objects.filter(
        code__in=[row[0] for row in STANDARD_2011]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_fee_ledger_sizes_refunds")]
    operations = [migrations.RunPython(forwards, backwards)]
