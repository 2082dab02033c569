"""A milestone's name in both languages, as an agency's or a service's (name_sv, name_en)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0004_outreach_stops"),
    ]

    operations = [
        migrations.RenameField(model_name="milestone", old_name="name", new_name="name_sv"),
        migrations.AlterField(
            model_name="milestone",
            name="name_sv",
            field=models.CharField(max_length=200, verbose_name="name (Swedish)"),
        ),
        migrations.AddField(
            model_name="milestone",
            name="name_en",
            field=models.CharField(
                blank=True,
                help_text="Shown on the English pages; empty: the Swedish name.",
                max_length=200,
                verbose_name="name (English)",
            ),
        ),
    ]
