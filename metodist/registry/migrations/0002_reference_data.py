from django.db import migrations

from metodist.registry.reference_data import POSITIONS, SUBJECTS


def load(apps, schema_editor):
    Position = apps.get_model("registry", "Position")
    Subject = apps.get_model("registry", "Subject")
    for order, (name, group, is_teaching) in enumerate(POSITIONS):
        Position.objects.update_or_create(
            name=name, defaults={"group": group, "is_teaching": is_teaching, "sort_order": order}
        )
    for order, name in enumerate(SUBJECTS):
        Subject.objects.update_or_create(name=name, defaults={"sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
