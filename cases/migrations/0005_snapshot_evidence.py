from django.db import migrations, models


class Migration(migrations.Migration):
    """Detention events keep why each 287(g) model was in force on their date."""

    dependencies = [("cases", "0004_snapshot_other")]

    operations = [
        migrations.AddField(
            model_name="detentionevent",
            name="snapshot_evidence",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Why each model was in force: {"arresting": {"TFM": "signed …"}}',
            ),
        ),
    ]
