from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("competences", "0003_fill_node_code_key"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='competencenode',
            constraint=models.UniqueConstraint(fields=('framework', 'code_key'), name='competences_node_unique_code_key'),
        ),
        migrations.AddConstraint(
            model_name='competencenode',
            constraint=models.CheckConstraint(condition=models.Q(('code_key', ''), _negated=True), name='competences_node_code_key_set'),
        ),
    ]
