from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_encrypt_existing_rows")]

    operations = [
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['date_of_birth_bidx'], name='cases_clien_date_of_fec005_idx'),
        ),
        migrations.AddConstraint(
            model_name='client',
            constraint=models.UniqueConstraint(condition=models.Q(('a_number_bidx__isnull', False)), fields=('a_number_bidx',), name='client_unique_a_number_bidx'),
        ),
        migrations.AddConstraint(
            model_name='client',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('a_number__isnull', True), ('a_number_bidx__isnull', True)), models.Q(('a_number__isnull', False), ('a_number_bidx__isnull', False)), _connector='OR'), name='client_a_number_has_bidx'),
        ),
    ]
