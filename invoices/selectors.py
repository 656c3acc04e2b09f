from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404

from accounts.models import Company
from contracts.selectors import user_sees_all_contracts, visibility_scope
from ebok.datacache import company_cached
from ebok.dates import today as business_today
from ebok.lists import order_by_key
from ebok.money import ZERO, to_money

from .models import Invoice, Payment, PaymentAllocation


@dataclass(frozen=True)
class Balance:
    """The company's account with the lessor (saldo). Positive balance = the client owes."""

    # all invoiced gross, corrections included, less the part of a financial lease's asset
    # price that its installment and buyout invoices charge (Invoice.settled_by_schedule)
    charges: Decimal
    payments: Decimal  # all money received
    due: Decimal  # unpaid and payable now (due date today or earlier), overdue included
    overdue: Decimal  # unpaid after the due date
    not_yet_due: Decimal  # unpaid, due date in the future
    overpayment: Decimal  # money received and not yet settled against any invoice

    @property
    def balance(self) -> Decimal:
        return self.charges - self.payments

    @property
    def outstanding(self) -> Decimal:
        return self.due + self.not_yet_due

    @property
    def tone(self) -> str:
        """Tile colour: red with debt or anything overdue, blue when overpaid, else neutral."""
        if self.due > 0:  # something payable now is unpaid (overdue included)
            return "debt"
        if self.balance < 0:  # credit larger than everything invoiced and unpaid
            return "overpaid"
        return "neutral"


def _sum(expression, condition: Q | None = None):
    return Coalesce(
        Sum(expression, filter=condition),
        Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


# What an invoice charges the client's account: an upward correction its own increase, a
# downward one its (negative) gross, a financial lease's handover invoice its gross less the
# price the schedule charges. Each document's unpaid part falls due on its own due date.
CHARGED = F("gross") - F("settled_by_schedule")


def company_balance(*, company: Company, today: dt.date | None = None) -> Balance:
    """Two aggregate queries, whatever the number of invoices."""
    today = today or business_today()
    unpaid = F("amount_payable") - F("amount_paid")
    invoice_totals = Invoice.objects.filter(company=company).aggregate(
        charges=_sum(CHARGED),
        due=_sum(unpaid, Q(due_date__lte=today)),
        overdue=_sum(unpaid, Q(due_date__lt=today)),
        not_yet_due=_sum(unpaid, Q(due_date__gt=today)),
    )
    payment_totals = Payment.objects.filter(company=company).aggregate(
        payments=_sum("amount"), overpayment=_sum("unallocated")
    )
    # to_money: SQLite sums decimals as floats (804094.700000001); PostgreSQL is exact anyway.
    return Balance(
        **{name: to_money(value) for name, value in {**invoice_totals, **payment_totals}.items()}
    )


# --- The client portal: every read scoped to the signed-in user --------------------------------
#
# Company-level invoices (no contract: e.g. a fee for the whole account) belong to no contract a
# restricted user was given, so a user restricted to chosen contracts sees only the invoices of
# those contracts. For the same reason their balance counts only those invoices, and payments
# show only the allocations to those invoices (the company's unallocated credit is not theirs to
# see). Users with access to all contracts see the whole company.


def visible_invoices(*, user) -> QuerySet[Invoice]:
    invoices = Invoice.objects.filter(company_id=user.company_id)
    if not user_sees_all_contracts(user):
        invoices = invoices.filter(contract__restricted_users=user)
    return invoices


INVOICE_ORDERINGS = {
    "number": ("number", "pk"),
    "issued": ("issue_date", "number", "pk"),
    "due": ("due_date", "number", "pk"),
    "gross": ("gross", "number", "pk"),
    "amount_due": ("outstanding_amount", "due_date", "pk"),
    "contract": ("contract__number", "-issue_date", "pk"),
}


OUTSTANDING = "outstanding"  # a list filter: unpaid or partially paid, whatever the due date


@dataclass(frozen=True)
class InvoiceFilters:
    q: str | None = None  # part of the invoice number
    contract: str | None = None  # part of a contract number
    contract_id: int | None = None  # one contract (its tab on the contract page)
    # Invoice.Status (paid / unpaid / partially paid / overdue) or OUTSTANDING
    status: str | None = None
    kind: str | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    sort: str = "-issued"


def invoice_list(*, user, filters: InvoiceFilters, today: dt.date) -> QuerySet[Invoice]:
    """The user's invoices, filtered and sorted, with their contract and corrected invoice.

    A list page reads them through `for_list_rows` and `with_corrections`.
    """
    invoices = visible_invoices(user=user)
    if filters.contract_id:
        invoices = invoices.filter(contract_id=filters.contract_id)
    if filters.contract:
        invoices = invoices.filter(contract__number__icontains=filters.contract)
    if filters.q:
        invoices = invoices.filter(number__icontains=filters.q.strip())
    if filters.kind:
        invoices = invoices.filter(kind=filters.kind)
    if filters.status:
        # A downward correction owes nothing itself (it lowers its original), so it has no
        # payment status; an upward correction is payable on its own term and is listed.
        invoices = invoices.exclude(kind=Invoice.Kind.CORRECTION, gross__lte=0)
        if filters.status == OUTSTANDING:
            invoices = invoices.outstanding()
        else:
            invoices = invoices.with_status(filters.status, today)
    for field, lookup, value in (
        ("issue_date", "gte", filters.issued_from),
        ("issue_date", "lte", filters.issued_to),
        ("due_date", "gte", filters.due_from),
        ("due_date", "lte", filters.due_to),
    ):
        if value:
            invoices = invoices.filter(**{f"{field}__{lookup}": value})
    invoices = invoices.select_related("contract", "corrected_invoice")
    return order_by_key(invoices, filters.sort, INVOICE_ORDERINGS)


# What a row of the on-screen list shows (invoices.templatetags.invoice_tables.invoice_rows).
INVOICE_ROW_FIELDS = (
    "number",
    "kind",
    "contract_id",
    "issue_date",
    "due_date",
    "gross",
    "amount_payable",
    "amount_paid",
    "settled_by_schedule",
    "corrected_invoice_id",
)


def for_list_rows(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """`invoice_list` narrowed to what a list page shows: the row's columns, and the numbers
    of its contract and corrected invoice (`contract_number`, `corrected_number`) instead of
    whole related objects. Pages then add `with_corrections`."""
    return (
        invoices.select_related(None)
        .only(*INVOICE_ROW_FIELDS)
        .annotate(
            contract_number=F("contract__number"),
            corrected_number=F("corrected_invoice__number"),
        )
    )


@dataclass(frozen=True, slots=True)
class CorrectionRef:
    pk: int
    number: str


def with_corrections(invoices: Iterable[Invoice]) -> list[Invoice]:
    """The invoices (a page of them), each with `correction_list`: its corrections, oldest
    first. One query for the whole page."""
    invoices = list(invoices)
    corrections: dict[int, list[CorrectionRef]] = {}
    if invoices:
        rows = (
            Invoice.objects.filter(corrected_invoice_id__in=[invoice.pk for invoice in invoices])
            .order_by("issue_date", "pk")
            .values_list("corrected_invoice_id", "pk", "number")
        )
        for original, pk, number in rows:
            corrections.setdefault(original, []).append(CorrectionRef(pk, number))
    for invoice in invoices:
        invoice.correction_list = corrections.get(invoice.pk, [])
    return invoices


def invoice_count(*, user, filters: InvoiceFilters, today: dt.date) -> int:
    """How many invoices `invoice_list` lists (for its pages), kept per data version."""
    key = (
        f"invoice-count:{visibility_scope(user)}:{today.isoformat()}"
        f":{dataclasses.replace(filters, sort='')!r}"
    )
    return company_cached(
        user.company_id,
        key,
        lambda: invoice_list(user=user, filters=filters, today=today).count(),
    )


def get_invoice_file_for_user(*, user, pk: int) -> Invoice:
    """The invoice as its PDF download needs it (number, stored file), nothing it does not
    serve; 404 if `user` may not see it. One query."""
    return get_object_or_404(
        visible_invoices(user=user).only("pk", "number", "issue_date", "pdf"), pk=pk
    )


def get_invoice_for_user(*, user, pk: int) -> Invoice:
    """The invoice with its lines, corrections and settlements; 404 if `user` may not see it."""
    invoices = visible_invoices(user=user).select_related("contract", "corrected_invoice")
    invoices = invoices.prefetch_related(
        "lines",
        Prefetch("corrections", queryset=Invoice.objects.order_by("issue_date", "pk")),
        Prefetch(
            "allocations",
            queryset=PaymentAllocation.objects.select_related("payment").order_by(
                "payment__received_on", "pk"
            ),
        ),
    )
    return get_object_or_404(invoices, pk=pk)


def balance_for_user(*, user, today: dt.date | None = None) -> Balance:
    """The company's balance; for a user restricted to chosen contracts, theirs only."""
    today = today or business_today()
    if user_sees_all_contracts(user):
        return company_balance(company=user.company, today=today)
    unpaid = F("amount_payable") - F("amount_paid")
    totals = visible_invoices(user=user).aggregate(
        charges=_sum(CHARGED),
        payments=_sum("amount_paid"),
        due=_sum(unpaid, Q(due_date__lte=today)),
        overdue=_sum(unpaid, Q(due_date__lt=today)),
        not_yet_due=_sum(unpaid, Q(due_date__gt=today)),
    )
    return Balance(**{name: to_money(value) for name, value in totals.items()}, overpayment=ZERO)


def cached_balance(*, user, today: dt.date) -> Balance:
    """`balance_for_user`, computed once per data version of the company, day and scope."""
    key = f"balance:{visibility_scope(user)}:{today.isoformat()}"
    return company_cached(user.company_id, key, lambda: balance_for_user(user=user, today=today))


PAYMENT_ORDERINGS = {
    "received": ("received_on", "pk"),
    # What the user is shown (`shown_amount`): sorting by the whole amount would let a
    # restricted user read the order of amounts they may not see.
    "amount": ("shown_amount", "pk"),
}


@dataclass(frozen=True)
class PaymentFilters:
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    q: str | None = None  # part of the transfer title, bank reference or a settled invoice number
    sort: str = "-received"


ALLOCATIONS_SHOWN = 5  # per payment in the list; the payment's own page lists them all


def _visible_allocations(user) -> QuerySet[PaymentAllocation]:
    allocations = PaymentAllocation.objects.filter(payment__company_id=user.company_id)
    if not user_sees_all_contracts(user):
        allocations = allocations.filter(invoice__in=visible_invoices(user=user))
    return allocations


def _visible_payments(user) -> QuerySet[Payment]:
    """The payments the user may see, each with `shown_amount`: the whole amount for a user who
    sees the company, else only the part allocated to their invoices.

    A restricted user sees of a payment only what concerns their contracts: when it came and
    how much of it settled which of their invoices. Its whole amount, transfer title, bank
    reference, the invoice named in the title and the unallocated rest may tell of other
    contracts (a title is free text: "UL/7 and UL/9"), so the pages leave them out and the
    search does not look in them.
    """
    payments = Payment.objects.filter(company_id=user.company_id)
    if user_sees_all_contracts(user):
        return payments.annotate(shown_amount=F("amount"))
    visible = _visible_allocations(user).filter(payment=OuterRef("pk"))
    allocated = visible.order_by().values("payment").annotate(total=Sum("amount")).values("total")
    return payments.filter(Exists(visible)).annotate(
        shown_amount=Subquery(allocated, output_field=DecimalField(max_digits=16, decimal_places=2))
    )


def payment_list(*, user, filters: PaymentFilters) -> QuerySet[Payment]:
    """The payments the user may see, filtered and sorted. The list page adds each payment's
    first few allocations and their count to its page of rows with `with_first_allocations`
    (cached: a payment that settled a thousand invoices costs the same; its page shows them
    all)."""
    payments = _visible_payments(user)
    allocations = _visible_allocations(user)
    if filters.received_from:
        payments = payments.filter(received_on__gte=filters.received_from)
    if filters.received_to:
        payments = payments.filter(received_on__lte=filters.received_to)
    if filters.q:
        settled = allocations.filter(payment=OuterRef("pk"), invoice__number__icontains=filters.q)
        if user_sees_all_contracts(user):
            found = Q(title__icontains=filters.q) | Q(bank_reference__icontains=filters.q)
            payments = payments.filter(found | Exists(settled))
        else:  # what they are not shown is not searched either (no guessing the title)
            payments = payments.filter(Exists(settled))
    return order_by_key(payments, filters.sort, PAYMENT_ORDERINGS)


@dataclass(frozen=True)
class ShownAllocation:
    """What the payments list shows of one allocation (plain data: it is cached)."""

    invoice_id: int
    invoice_number: str
    amount: Decimal


def with_first_allocations(*, user, payments: Iterable[Payment]) -> list[Payment]:
    """The payments of a list page, each with `first_allocations` (the first ALLOCATIONS_SHOWN
    the user may see, by the invoices' due dates) and `allocation_count`.

    A payment may settle hundreds of invoices: picking the first few of each means sorting
    all of their allocations (40 ms for a page of the scale company), so the result is kept per
    data version of the company, per visibility scope and page of payments. Two queries on a
    miss, none on a hit, whatever the number of allocations.
    """
    payments = list(payments)
    ids = sorted(p.pk for p in payments)

    def compute() -> dict[int, tuple[int, list[ShownAllocation]]]:
        visible = _visible_allocations(user).filter(payment_id__in=ids)
        counts = dict(
            visible.order_by().values("payment").annotate(n=Count("pk")).values_list("payment", "n")
        )
        first: dict[int, list[ShownAllocation]] = {pk: [] for pk in ids}
        # The first ALLOCATIONS_SHOWN of each payment, in one query (a window function).
        ranked = visible.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("payment_id")],
                order_by=[F("invoice__due_date").asc(), F("pk").asc()],
            )
        ).filter(rank__lte=ALLOCATIONS_SHOWN)
        for payment_id, invoice_id, number, amount in ranked.order_by(
            "payment_id", "rank"
        ).values_list("payment_id", "invoice_id", "invoice__number", "amount"):
            first[payment_id].append(
                ShownAllocation(invoice_id=invoice_id, invoice_number=number, amount=amount)
            )
        return {pk: (counts.get(pk, 0), first[pk]) for pk in ids}

    if ids:
        key = f"payment-first-allocations:{visibility_scope(user)}:{','.join(map(str, ids))}"
        found = company_cached(user.company_id, key, compute)
    else:
        found = {}
    for payment in payments:
        payment.allocation_count, payment.first_allocations = found[payment.pk]
    return payments


def get_payment_for_user(*, user, pk: int) -> Payment:
    """The payment if `user` may see it (for a restricted user: it settled one of their
    invoices); 404 for anything else."""
    return get_object_or_404(_visible_payments(user).select_related("assigned_invoice"), pk=pk)


def payment_allocations(*, user, payment: Payment) -> QuerySet[PaymentAllocation]:
    # The invoices' due dates by a correlated subquery, not a join: joined, PostgreSQL merges
    # the payment's allocations with the whole invoice table (12 ms for a payment that settled
    # 900 invoices); this way it looks up each invoice by its key (1.5 ms). The page's invoices
    # come in one more query.
    due_date = Invoice.objects.filter(pk=OuterRef("invoice_id")).values("due_date")[:1]
    return (
        _visible_allocations(user)
        .filter(payment=payment)
        .annotate(invoice_due_date=Subquery(due_date))
        .order_by("invoice_due_date", "pk")
        .prefetch_related("invoice")
    )
