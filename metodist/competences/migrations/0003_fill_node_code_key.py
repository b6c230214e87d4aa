"""Fill CompetenceNode.code_key for nodes created before it existed (models.code_key)."""

from django.db import migrations

_HOMOGLYPHS = str.maketrans("АВЕКМНОРСТХУ", "ABEKMHOPCTXY")
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-"})


def code_key(code):
    # A frozen copy of metodist.competences.models.code_key as it was when this migration was written.
    return "".join(code.split()).upper().translate(_HOMOGLYPHS).translate(_DASHES)


def fill(apps, schema_editor):
    Node = apps.get_model("competences", "CompetenceNode")
    for node in Node.objects.filter(code_key="").only("pk", "code").iterator():
        Node.objects.filter(pk=node.pk).update(code_key=code_key(node.code))


class Migration(migrations.Migration):
    dependencies = [
        ("competences", "0002_framework_kind_code_key_closing"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
