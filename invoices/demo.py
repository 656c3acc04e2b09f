"""Demo invoices and payments: each company's history replayed day by day through the services.

For every demo company (skipped if it already has invoices or payments) the events of its
contracts - initial-payment, installment, fee and buyout invoices, corrections and incoming
payments - are replayed in date order, so credit, allocations and corrections come out exactly
as the services make them. Each company pays in its own way: on time, late and in parts, with an
overpayment, or not at all for the last months.

The benchmark company (`--scale N`) is built in bulk for speed: invoices for the due installments
with the services' own line builder, monthly lump-sum payments, then one `company_settle`. Every
payment is received after all the invoices it settles were issued and never exceeds what was
outstanding then, so the single settlement allocates exactly as paying month by month would.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import F
from django.utils.translation import override

from accounts.demo import AGRO_MECH, BUDREM, MEDLAB, PIEKARNIA, SCALE_COMPANY, TRANS_POL
from accounts.models import Company
from contracts.models import AdditionalFee, Contract, Installment
from ebok.demo import DemoContext
from ebok.money import ZERO, to_money

from .models import Invoice, InvoiceLine, InvoiceNumberSequence, Payment
from .services import (
    LineSpec,
    company_settle,
    invoice_correct,
    invoice_issue_buyout,
    invoice_issue_for_fee,
    invoice_issue_for_installment,
    invoice_issue_initial_payment,
    invoice_lines_build,
    payment_record,
)
from .services.issuing import _installment_lines

ISSUE_AHEAD_DAYS = 7  # installment invoices go out a week before the due date
FEE_INVOICE_AFTER_DAYS = 5  # the newest fees wait for staff to invoice them (admin action)
ISSUE, CORRECT, PAY = 0, 1, 2  # the order of same-day events


@dataclass(order=True)
class _Event:
    day: dt.date
    order: int
    seq: int
    action: Callable[[], None] = field(compare=False)


class Ledger:
    """One company's events, replayed in date order through the services."""

    def __init__(self, ctx: DemoContext, company: Company, behaviour: Behaviour, rng) -> None:
        self.ctx, self.company, self.behaviour, self.rng = ctx, company, behaviour, rng
        self.events: list[_Event] = []
        self.seq = 0

    def at(self, day: dt.date, order: int, action: Callable[[], None]) -> None:
        if day <= self.ctx.today:
            self.seq += 1
            heapq.heappush(self.events, _Event(day, order, self.seq, action))

    def run(self) -> None:
        while self.events:
            heapq.heappop(self.events).action()

    # -- what happens --------------------------------------------------------------------------

    def issued(self, invoice: Invoice) -> None:
        self.behaviour.on_invoice(self, invoice)

    def pay(
        self,
        day: dt.date,
        invoice: Invoice,
        share: Decimal = Decimal(1),
        *,
        remainder: bool = False,
    ) -> None:
        """The client pays `share` of the invoice (or what is still due on it), naming it."""

        def action() -> None:
            invoice.refresh_from_db()
            amount = invoice.amount_due if remainder else to_money(invoice.amount_payable * share)
            if amount > 0:
                self.transfer(day, amount, _title(invoice), invoice)

        self.at(day, PAY, action)

    def transfer(
        self, day: dt.date, amount: Decimal, title: str, invoice: Invoice | None = None
    ) -> None:
        payment_record(
            company=self.company,
            amount=amount,
            received_on=day,
            title=title,
            bank_reference=f"ELX{day:%Y%m%d}{self.rng.randint(0, 10**8):08d}",
            assigned_invoice=invoice,
        )

    def later_transfer(self, day: dt.date, amount: Decimal, title: str) -> None:
        self.at(day, PAY, lambda: self.transfer(day, amount, title))


def _title(invoice: Invoice) -> str:
    contract = f" umowa {invoice.contract.number}" if invoice.contract_id else ""
    return f"Faktura {invoice.number}{contract}"


# --- how each company pays -------------------------------------------------------------------


class Behaviour:
    """On time: every invoice in full, a few days before its due date."""

    def start(self, ledger: Ledger) -> None:
        pass

    def payment_day(self, ledger: Ledger, invoice: Invoice) -> dt.date:
        return max(invoice.issue_date, invoice.due_date - dt.timedelta(ledger.rng.randint(0, 3)))

    def on_invoice(self, ledger: Ledger, invoice: Invoice) -> None:
        ledger.pay(self.payment_day(ledger, invoice), invoice)


class PaysLate(Behaviour):
    """Pays one to four weeks late; now and then half first and the rest a month later."""

    def payment_day(self, ledger: Ledger, invoice: Invoice) -> dt.date:
        return invoice.due_date + dt.timedelta(ledger.rng.randint(5, 25))

    def on_invoice(self, ledger: Ledger, invoice: Invoice) -> None:
        day = self.payment_day(ledger, invoice)
        if ledger.rng.random() < 0.25:
            ledger.pay(day, invoice, Decimal("0.5"))
            ledger.pay(day + dt.timedelta(days=35), invoice, remainder=True)
        else:
            ledger.pay(day, invoice)


@dataclass
class StoppedPaying(Behaviour):
    """Paid on time until `stopped_days_ago`, then only one small transfer towards the debt."""

    stopped_days_ago: int = 95
    token_payment: Decimal = Decimal("1500.00")

    def start(self, ledger: Ledger) -> None:
        day = ledger.ctx.today - dt.timedelta(days=20)
        ledger.later_transfer(day, self.token_payment, "Wpłata częściowa – zaległe raty")

    def on_invoice(self, ledger: Ledger, invoice: Invoice) -> None:
        day = self.payment_day(ledger, invoice)
        if day < ledger.ctx.today - dt.timedelta(days=self.stopped_days_ago):
            ledger.pay(day, invoice)


@dataclass
class PaysAhead(Behaviour):
    """On time, plus a transfer "towards future installments": an overpayment (credit)."""

    advance: Decimal = Decimal("20000.00")

    def start(self, ledger: Ledger) -> None:
        day = ledger.ctx.today - dt.timedelta(days=20)
        ledger.later_transfer(day, self.advance, "Wpłata na poczet przyszłych rat")


BEHAVIOURS: dict[str, Behaviour] = {
    TRANS_POL: Behaviour(),
    AGRO_MECH: PaysLate(),
    MEDLAB: PaysAhead(),
    BUDREM: StoppedPaying(),
    PIEKARNIA: Behaviour(),
}


@dataclass(frozen=True)
class CorrectionPlan:
    fee_kind: str
    days_after: int
    net_delta: Decimal
    description: str
    reason: str


CORRECTIONS = {
    MEDLAB: CorrectionPlan(
        AdditionalFee.Kind.ADMIN,
        12,
        Decimal("-150.00"),
        "Korekta opłaty administracyjnej do stawki z Tabeli Opłat",
        "Błędnie naliczona opłata administracyjna (250 zł zamiast 100 zł netto)",
    ),
}


# --- replaying a company's history -----------------------------------------------------------


def _schedule_contract(ledger: Ledger, contract: Contract) -> None:
    today = ledger.ctx.today

    def issue(day: dt.date, make: Callable[[], Invoice]) -> None:
        ledger.at(day, ISSUE, lambda: ledger.issued(make()))

    handover = contract.start_date if contract.start_date <= today else contract.signed_on
    issue(handover, lambda: invoice_issue_initial_payment(contract=contract, issue_date=handover))
    for installment in contract.installments.order_by("number"):
        day = installment.due_date - dt.timedelta(days=ISSUE_AHEAD_DAYS)
        issue(
            day,
            lambda i=installment, d=day: invoice_issue_for_installment(installment=i, issue_date=d),
        )
    for fee in contract.fees.order_by("charged_on", "id"):
        if fee.charged_on <= today - dt.timedelta(days=FEE_INVOICE_AFTER_DAYS):
            issue(fee.charged_on, lambda f=fee: _issue_fee(ledger, f))
    if contract.status == Contract.Status.ENDED:
        issue(
            contract.end_date,
            lambda: invoice_issue_buyout(contract=contract, issue_date=contract.end_date),
        )


def _issue_fee(ledger: Ledger, fee: AdditionalFee) -> Invoice:
    invoice = invoice_issue_for_fee(fee=fee, issue_date=fee.charged_on)
    plan = CORRECTIONS.get(ledger.company.client_number)
    if plan is not None and plan.fee_kind == fee.kind:
        day = invoice.issue_date + dt.timedelta(days=plan.days_after)
        line = LineSpec(plan.description, plan.net_delta)
        ledger.at(
            day,
            CORRECT,
            lambda: invoice_correct(
                invoice=invoice, lines=[line], reason=plan.reason, issue_date=day
            ),
        )
    return invoice


def _seed_company(ctx: DemoContext, client_number: str, behaviour: Behaviour) -> None:
    company = Company.objects.filter(client_number=client_number).first()
    if company is None or company.invoices.exists() or company.payments.exists():
        return
    ledger = Ledger(ctx, company, behaviour, ctx.random(f"invoices:{client_number}"))
    behaviour.start(ledger)
    contracts = company.contracts.select_related("company").order_by("start_date", "number")
    for contract in contracts:
        _schedule_contract(ledger, contract)
    ledger.run()
    ctx.log(
        f"{company.name}: {company.invoices.count()} invoices, {company.payments.count()} payments"
    )


def seed(ctx: DemoContext) -> None:
    for client_number, behaviour in BEHAVIOURS.items():
        _seed_company(ctx, client_number, behaviour)
    if ctx.scale:
        seed_scale_invoices(ctx)


# --- the benchmark company, in bulk ----------------------------------------------------------


def _reserve_numbers(issue_date: dt.date, count: int) -> list[str]:
    """`count` consecutive numbers of the month's series (what invoice_next_number hands out)."""
    series = f"FV/{issue_date:%Y/%m}"
    sequence, _created = InvoiceNumberSequence.objects.select_for_update().get_or_create(
        prefix=series
    )
    InvoiceNumberSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + count)
    sequence.refresh_from_db(fields=["last_value"])
    first = sequence.last_value - count + 1
    return [f"{series}/{n:06d}" for n in range(first, sequence.last_value + 1)]


def installment_invoice(
    company: Company, installment: Installment, number: str
) -> tuple[Invoice, list[InvoiceLine]]:
    """The invoice `invoice_issue_for_installment` issues a week before the due date, unsaved.

    Built in memory so thousands can be inserted in a few statements; the lines come from the
    service's own builder and tests compare the result with the service's, field by field.
    """
    issue_date = installment.due_date - dt.timedelta(days=ISSUE_AHEAD_DAYS)
    invoice = Invoice(
        company=company,
        contract=installment.contract,
        number=number,
        kind=Invoice.Kind.INSTALLMENT,
        issue_date=issue_date,
        sale_date=installment.due_date,
        due_date=max(installment.due_date, issue_date),
        net=ZERO,
        vat=ZERO,
        buyer_name=company.name,
        buyer_nip=company.nip,
        buyer_address=company.address,
    )
    with override("pl"):
        specs = _installment_lines(installment)
    lines = invoice_lines_build(invoice=invoice, specs=specs)
    invoice.amount_payable = invoice.gross
    return invoice, lines


def seed_scale_invoices(ctx: DemoContext) -> None:
    """Invoices for the benchmark company's installments due so far (and in the coming week),
    paid by monthly lump sums: in full up to two months back, 80 % of last month, then nothing.
    """
    company = Company.objects.get(client_number=SCALE_COMPANY)
    horizon = ctx.today + dt.timedelta(days=ISSUE_AHEAD_DAYS)
    # Only contracts added by this run (none of their installments invoiced yet): like the
    # other demo companies, existing history is not extended when the command runs again later.
    invoiced = Installment.objects.filter(contract__company=company, invoice__isnull=False).values(
        "contract_id"
    )
    installments = list(
        Installment.objects.filter(contract__company=company, due_date__lte=horizon)
        .exclude(contract_id__in=invoiced)
        .select_related("contract")
        .order_by("due_date", "contract_id", "number")
    )
    if not installments:
        return
    by_month: dict[tuple[int, int], list[Installment]] = defaultdict(list)
    for installment in installments:
        issue_date = installment.due_date - dt.timedelta(days=ISSUE_AHEAD_DAYS)
        by_month[(issue_date.year, issue_date.month)].append(installment)

    invoices, lines = [], []
    due_by_month: dict[dt.date, Decimal] = defaultdict(Decimal)
    for group in by_month.values():
        first_issue = group[0].due_date - dt.timedelta(days=ISSUE_AHEAD_DAYS)
        for installment, number in zip(
            group, _reserve_numbers(first_issue, len(group)), strict=True
        ):
            invoice, invoice_lines = installment_invoice(company, installment, number)
            invoices.append(invoice)
            lines.extend(invoice_lines)
            installment.invoice = invoice
            due_by_month[invoice.due_date.replace(day=1)] += invoice.gross
    Invoice.objects.bulk_create(invoices, batch_size=1000)  # sets their primary keys
    InvoiceLine.objects.bulk_create(lines, batch_size=2000)
    Installment.objects.bulk_update(installments, ["invoice"], batch_size=1000)

    # One transfer a month, received on the month's last day, for that month's installments.
    last_month = ctx.today.replace(day=1) - relativedelta(months=1)
    payments = []
    for month, total in sorted(due_by_month.items()):
        if month > last_month:
            break
        amount = total if month < last_month else to_money(total * Decimal("0.8"))
        received_on = month + relativedelta(months=1, days=-1)
        payments.append(
            Payment(
                company=company,
                amount=amount,
                received_on=received_on,
                title=f"Raty leasingowe {month:%m/%Y}",
                bank_reference=f"ELX{received_on:%Y%m%d}{len(payments):08d}",
                unallocated=amount,
            )
        )
    Payment.objects.bulk_create(payments, batch_size=500)
    allocations = company_settle(company=company)
    ctx.log(
        f"{company.name}: {len(installments)} invoices, {len(payments)} payments, "
        f"{allocations} allocations"
    )
