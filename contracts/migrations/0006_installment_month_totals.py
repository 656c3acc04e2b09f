"""Per company and month, the gross of the installments due (the dashboard's chart), kept by
PostgreSQL triggers on every write of the schedule; filled from the installments once here.

Statement-level triggers with transition tables: a bulk insert of a whole schedule (or a seed
of thousands) updates each (company, month) row once. Rows are upserted in (company, month)
order, so two concurrent writers never wait for each other crosswise. A contract moving to
another company takes its months along.
"""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

# `rows`: (contract_id, due_date, gross) to add to the totals (negative gross: to take away).
UPSERT = """
    INSERT INTO contracts_installmentmonthtotal (company_id, month, gross)
        SELECT c.company_id, date_trunc('month', r.due_date::timestamp)::date, SUM(r.gross)
        FROM ({rows}) AS r (contract_id, due_date, gross)
        JOIN contracts_contract c ON c.id = r.contract_id
        GROUP BY 1, 2
        ORDER BY 1, 2
    ON CONFLICT (company_id, month)
        DO UPDATE SET gross = contracts_installmentmonthtotal.gross + EXCLUDED.gross;
"""
MOVE = """
    INSERT INTO contracts_installmentmonthtotal (company_id, month, gross)
        SELECT {company}, date_trunc('month', i.due_date::timestamp)::date, {sign}SUM(i.gross)
        FROM contracts_installment i
        WHERE i.contract_id = NEW.id
        GROUP BY 1, 2
        ORDER BY 1, 2
    ON CONFLICT (company_id, month)
        DO UPDATE SET gross = contracts_installmentmonthtotal.gross + EXCLUDED.gross;
"""
NEW = "SELECT contract_id, due_date, gross FROM new_rows"
OLD = "SELECT contract_id, due_date, -gross FROM old_rows"

CREATE = f"""
CREATE OR REPLACE FUNCTION contracts_installment_month_totals() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {UPSERT.format(rows=NEW)}
    ELSIF TG_OP = 'DELETE' THEN
        {UPSERT.format(rows=OLD)}
    ELSE
        {UPSERT.format(rows=f"{NEW} UNION ALL {OLD}")}
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER contracts_installment_month_totals_insert
    AFTER INSERT ON contracts_installment REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contracts_installment_month_totals();
CREATE TRIGGER contracts_installment_month_totals_update
    AFTER UPDATE ON contracts_installment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contracts_installment_month_totals();
CREATE TRIGGER contracts_installment_month_totals_delete
    AFTER DELETE ON contracts_installment REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contracts_installment_month_totals();

CREATE OR REPLACE FUNCTION contracts_contract_month_totals() RETURNS trigger AS $$
BEGIN
    -- The contract's installments leave the old company's months for the new one's.
    {MOVE.format(company="OLD.company_id", sign="-")}
    {MOVE.format(company="NEW.company_id", sign="")}
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER contracts_contract_month_totals
    AFTER UPDATE OF company_id ON contracts_contract
    FOR EACH ROW WHEN (OLD.company_id IS DISTINCT FROM NEW.company_id)
    EXECUTE FUNCTION contracts_contract_month_totals();

INSERT INTO contracts_installmentmonthtotal (company_id, month, gross)
    SELECT c.company_id, date_trunc('month', i.due_date::timestamp)::date, SUM(i.gross)
    FROM contracts_installment i JOIN contracts_contract c ON c.id = i.contract_id
    GROUP BY 1, 2;
"""

DROP = """
DROP TRIGGER IF EXISTS contracts_installment_month_totals_insert ON contracts_installment;
DROP TRIGGER IF EXISTS contracts_installment_month_totals_update ON contracts_installment;
DROP TRIGGER IF EXISTS contracts_installment_month_totals_delete ON contracts_installment;
DROP FUNCTION IF EXISTS contracts_installment_month_totals();
DROP TRIGGER IF EXISTS contracts_contract_month_totals ON contracts_contract;
DROP FUNCTION IF EXISTS contracts_contract_month_totals();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contracts", "0005_external_ids"),
    ]

    operations = [
        migrations.CreateModel(
            name="InstallmentMonthTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                (
                    "gross",
                    models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=16),
                ),
                (
                    "company",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.company",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("company", "month"), name="installment_month_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
