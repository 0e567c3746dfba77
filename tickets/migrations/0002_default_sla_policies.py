"""Default SLA promises; supervisors tune them in the admin afterwards."""

from django.db import migrations

DEFAULTS = {
    # priority: (first response minutes, resolution minutes)
    "urgent": (15, 4 * 60),
    "high": (60, 24 * 60),
    "normal": (4 * 60, 48 * 60),
    "low": (24 * 60, 5 * 24 * 60),
}


def create_policies(apps, schema_editor):
    SLAPolicy = apps.get_model("tickets", "SLAPolicy")
    for priority, (first, resolution) in DEFAULTS.items():
        SLAPolicy.objects.get_or_create(
            priority=priority,
            defaults={"first_response_minutes": first, "resolution_minutes": resolution},
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(create_policies, migrations.RunPython.noop)]
