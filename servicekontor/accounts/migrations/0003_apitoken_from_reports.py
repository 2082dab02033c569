"""A person's API token is an `accounts` model (decision 0082): the table was renamed by
`reports 0005`; here the model's state is taken over, and its content type (and so its
permissions) follows it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="accounts", model="apitoken").exists():
        content_type.objects.filter(app_label="reports", model="apitoken").update(
            app_label="accounts"
        )


def content_type_goes_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="reports", model="apitoken").exists():
        content_type.objects.filter(app_label="accounts", model="apitoken").update(
            app_label="reports"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_clients"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reports", "0005_apitoken_moves_to_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=80, verbose_name="name")),
                        ("token_hash", models.CharField(max_length=64, unique=True)),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                        ("created_at", models.DateTimeField(verbose_name="created")),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="api_tokens",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "API token",
                        "verbose_name_plural": "API tokens",
                    },
                ),
            ],
        ),
        migrations.RunPython(content_type_follows, content_type_goes_back),
    ]
