from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from ebok.datacache import company_data_changed
from ebok.money import ZERO

from .models import Contract, Installment, RateChange
from .schedule import ScheduleRow, build_rows, due_dates


class ScheduleError(Exception):
    """A schedule operation that cannot be done; the message is shown to staff as is."""


def _vat_rate_for(contract: Contract) -> int:
    # Operating lease: VAT on every installment. Financial lease: VAT on the whole asset once,
    # at handover, so the installments carry none.
    return contract.vat_rate if contract.kind == Contract.Kind.OPERATING else 0


def first_due_date(contract: Contract) -> dt.date:
    return contract.start_date + relativedelta(months=1)


@transaction.atomic
def schedule_generate(*, contract: Contract) -> list[Installment]:
    """(Re)build the whole schedule. Refused once any installment has been invoiced."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.installments.filter(invoice__isnull=False).exists():
        raise ScheduleError(
            _("Umowa %(number)s ma już zafakturowane raty; zmień stopę zamiast generować od nowa.")
            % {"number": contract.number}
        )
    contract.installments.all().delete()
    rows = build_rows(
        capital=contract.financed_capital,
        buyout=contract.buyout_value,
        annual_rate_percent=contract.interest_rate,
        dates=due_dates(contract.start_date, contract.installment_count),
        vat_rate_percent=_vat_rate_for(contract),
    )
    installments = Installment.objects.bulk_create(
        Installment(contract=contract, **row.__dict__) for row in rows
    )
    company_data_changed(contract.company_id)
    return installments


@transaction.atomic
def schedule_apply_rate_change(
    *, contract: Contract, new_reference_rate: Decimal, effective_from: dt.date
) -> RateChange:
    """Recompute the installments not yet invoiced and due on or after `effective_from`.

    The remaining capital (financed capital minus the capital of the installments kept) is
    amortised again over the same remaining periods, to the same buyout value: n and RV stay.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if new_reference_rate < 0:
        raise ScheduleError(_("Stopa referencyjna nie może być ujemna."))
    installments = list(contract.installments.order_by("number"))
    if not installments:
        raise ScheduleError(
            _("Umowa %(number)s nie ma harmonogramu.") % {"number": contract.number}
        )
    to_recompute = [
        i for i in installments if i.due_date >= effective_from and i.invoice_id is None
    ]
    if to_recompute and any(
        i.number > to_recompute[0].number and i.invoice_id is not None for i in installments
    ):
        raise ScheduleError(_("Po racie do przeliczenia jest rata już zafakturowana."))
    kept_capital = (
        contract.installments.filter(number__lt=to_recompute[0].number).aggregate(
            total=Sum("capital")
        )["total"]
        if to_recompute
        else None
    )

    old_rate = contract.reference_rate_value
    contract.reference_rate_value = new_reference_rate
    contract.save(update_fields=["reference_rate_value"])

    if to_recompute:
        remaining = contract.financed_capital - (kept_capital or ZERO)
        rows = build_rows(
            capital=remaining,
            buyout=contract.buyout_value,
            annual_rate_percent=contract.interest_rate,
            dates=[i.due_date for i in to_recompute],
            first_number=to_recompute[0].number,
            vat_rate_percent=_vat_rate_for(contract),
        )
        for installment, row in zip(to_recompute, rows, strict=True):
            for field in ("capital", "interest", "net", "vat", "gross", "remaining_capital"):
                setattr(installment, field, getattr(row, field))
        Installment.objects.bulk_update(
            to_recompute, ["capital", "interest", "net", "vat", "gross", "remaining_capital"]
        )
    company_data_changed(contract.company_id)
    return RateChange.objects.create(
        contract=contract,
        effective_from=effective_from,
        old_rate=old_rate,
        new_rate=new_reference_rate,
        installments_recomputed=len(to_recompute),
    )


@transaction.atomic
def schedule_replace(*, contract: Contract, rows: list[ScheduleRow]) -> int:
    """Replace the whole schedule with `rows` (the core system's, after a rate change, say),
    keeping every installment already invoiced as it is: such a row must come back unchanged.
    Returns the number of installments written.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if [row.number for row in rows] != list(range(1, len(rows) + 1)):
        raise ScheduleError(_("Raty muszą mieć numery 1, 2, 3… po kolei."))
    if len(rows) != contract.installment_count:
        raise ScheduleError(
            _("Umowa %(number)s ma %(count)s rat, harmonogram podaje %(rows)s.")
            % {"number": contract.number, "count": contract.installment_count, "rows": len(rows)}
        )
    kept = {i.number: i for i in contract.installments.filter(invoice__isnull=False)}
    fields = ("due_date", "capital", "interest", "net", "vat", "gross")
    for row in rows:
        installment = kept.get(row.number)
        if installment is not None and any(
            getattr(installment, f) != getattr(row, f) for f in fields
        ):
            raise ScheduleError(
                _("Rata nr %(number)s jest już zafakturowana i nie może się zmienić.")
                % {"number": row.number}
            )
    contract.installments.filter(invoice__isnull=True).delete()
    written = Installment.objects.bulk_create(
        Installment(contract=contract, **row.__dict__) for row in rows if row.number not in kept
    )
    company_data_changed(contract.company_id)
    return len(written)
