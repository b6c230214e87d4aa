"""Drop DRF's plain-text token table: tokens are now hashed and expiring (accounts.ApiToken).

Existing tokens stop working; users issue a new one on their profile page or at /api/auth/token/.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_token_and_scoped_managers")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
