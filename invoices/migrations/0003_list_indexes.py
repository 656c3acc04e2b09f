from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0002_decimal_safe_sum_checks"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                condition=models.Q(("amount_payable__gt", models.F("amount_paid"))),
                fields=["company", "due_date"],
                name="invoice_outstanding_due_idx",
            ),
        ),
    ]
