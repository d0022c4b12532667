from django.db import migrations, models


class Migration(migrations.Migration):
    """snapshot_pending also held ended models: the name now says "not in force that day"."""

    dependencies = [("cases", "0003_scope_review")]

    operations = [
        migrations.RenameField(
            model_name="detentionevent", old_name="snapshot_pending", new_name="snapshot_other"
        ),
        migrations.AlterField(
            model_name="detentionevent",
            name="snapshot_other",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Models not in force that day, pending or ended: {"arresting": {...}}',
            ),
        ),
    ]
