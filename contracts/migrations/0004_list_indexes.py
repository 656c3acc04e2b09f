from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0003_decimal_safe_sum_checks"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contract",
            index=models.Index(
                fields=["company", "-start_date", "-number", "-id"],
                name="contract_company_start_idx",
            ),
        ),
    ]
