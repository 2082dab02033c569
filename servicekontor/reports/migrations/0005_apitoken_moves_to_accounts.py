"""A person's API token moves to `accounts` (decision 0082): its table is renamed
`accounts_apitoken` here, and `accounts 0003` takes the model over without touching the
database. Rows, ids and hashes stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_visits_that_reached_the_agency"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="ApiToken", table="accounts_apitoken"),
            ],
            state_operations=[
                migrations.DeleteModel(name="ApiToken"),
            ],
        ),
    ]
