"""The rows of the invoice tables built in Python (see contracts.templatetags.contract_tables).

The table around them is templates/invoices/_table.html, the status badge
templates/invoices/_status.html (rendered once per variant and table); the rows stay here
because `make bench` shows the invoice pages missing their target with template rows (the
figures are beside the tag). Every text from the database or a translation goes through
`escape`; amounts and dates come from our own formatters (Decimal / date in, no markup out).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ebok.dates import format_date
from ebok.lists import RenderedOnce, escape, pk_url
from ebok.money import format_money

from ..models import Invoice

register = template.Library()


def _status(badges: RenderedOnce, invoice: Invoice, today: dt.date) -> str:
    """templates/invoices/_status.html, which reads these three things of the invoice."""
    key = (invoice.is_payable, invoice.status, invoice.is_overdue_on(today))
    return badges.get(key, invoice=invoice, today=today)


def _label(text: str) -> str:
    return f' data-label="{escape(text)}"'


# Python rows: the invoice list (25 rows) measures 4.2× the minimal page with template rows vs
# 3.0× with these, the contract's invoices tab 9.5× vs 5.1× (make bench, mean of 3 runs,
# 2026-12-02).
@register.simple_tag
def invoice_rows(
    invoices: Iterable[Invoice],
    *,
    today: dt.date,
    selectable: bool = False,
    show_contract: bool = False,
    can_see_contracts: bool = False,
) -> SafeString:
    """The `<tr>`s of an invoice list (`invoice_list` read through `for_list_rows` and
    `with_corrections`)."""
    language = get_language()
    badges = RenderedOnce("invoices/_status.html")
    detail_url, pdf_url = pk_url("invoices:detail"), pk_url("invoices:pdf")
    contract_url = pk_url("contracts:detail") if show_contract and can_see_contracts else None
    pdf_label = escape(_("Pobierz PDF"))
    corrects, correction = escape(_("koryguje")), escape(_("korekta"))
    after_corrections = escape(_("Kwota należna po korektach"))
    no_contract = f'<span class="ebok-muted">{escape(_("bez umowy"))}</span>'
    contract_l, issued_l = _label(_("Umowa")), _label(_("Data wystawienia"))
    due_l, gross_l = _label(_("Termin płatności")), _label(_("Kwota brutto"))
    amount_due_l, status_l = _label(_("Do zapłaty")), _label(_("Status"))
    kinds = {value: escape(label) for value, label in Invoice.Kind.choices}
    select_text, pdf_text = _("Zaznacz fakturę %(number)s"), _("Pobierz PDF faktury %(number)s")
    after_correction = _("po korekcie: %(amount)s")
    in_schedule = _("reszta ceny w ratach i wykupie: %(amount)s")
    rows = []
    for invoice in invoices:
        number = escape(invoice.number)
        cells = ["<tr>"]
        if selectable:
            select_label = escape(select_text % {"number": invoice.number})
            cells.append(
                '<td class="ebok-check"><input class="form-check-input" type="checkbox" '
                f'name="invoice" value="{invoice.pk}" form="invoice-selection" '
                f'aria-label="{select_label}"></td>'
            )
        pdf_label_row = escape(pdf_text % {"number": invoice.number})
        cells.append(
            '<td class="ebok-cell-main"><span class="nowrap">'
            f'<a class="fw-semibold" href="{detail_url(invoice.pk)}">{number}</a>\n'
            f'<a class="ms-1" href="{pdf_url(invoice.pk)}" download data-invoice-pdf '
            f'title="{pdf_label}"><i class="bi bi-file-earmark-pdf" aria-hidden="true"></i>'
            f'<span class="visually-hidden">{pdf_label_row}</span></a></span>\n'
            f'<span class="ebok-sub">{kinds.get(invoice.kind, escape(invoice.kind))}</span>'
        )
        if invoice.corrected_invoice_id:
            cells.append(
                '\n<span class="ebok-sub"><i class="bi bi-arrow-return-right" aria-hidden="true">'
                f'</i> {corrects} <a href="{detail_url(invoice.corrected_invoice_id)}">'
                f"{escape(invoice.corrected_number)}</a></span>"
            )
        for corr in invoice.correction_list:
            cells.append(
                '\n<span class="ebok-sub"><i class="bi bi-pencil-square" aria-hidden="true"></i> '
                f'{correction} <a href="{detail_url(corr.pk)}">{escape(corr.number)}</a></span>'
            )
        cells.append("</td>")
        if show_contract:
            if invoice.contract_id is None:
                contract = no_contract
            elif contract_url is not None:
                contract = (
                    f'<a href="{contract_url(invoice.contract_id)}">'
                    f"{escape(invoice.contract_number)}</a>"
                )
            else:
                contract = escape(invoice.contract_number)
            cells.append(f"<td{contract_l}>{contract}</td>")
        amount_due = invoice.amount_due
        if not invoice.is_payable:
            due_html = '<span class="ebok-muted fw-normal">—</span>'
        else:
            due_html = format_money(amount_due, language)
            if invoice.settled_by_schedule:
                in_installments = in_schedule % {
                    "amount": format_money(invoice.settled_by_schedule, language)
                }
                due_html += f'<span class="ebok-sub fw-normal">{escape(in_installments)}</span>'
            if invoice.amount_payable != invoice.payable_as_issued:
                payable = after_correction % {
                    "amount": format_money(invoice.amount_payable, language)
                }
                due_html += (
                    f'<span class="ebok-sub fw-normal" title="{after_corrections}">'
                    f"{escape(payable)}</span>"
                )
        due_css = "num fw-semibold" if amount_due else "num ebok-muted"
        if amount_due and invoice.is_overdue_on(today):
            due_css += " ebok-overdue"  # overdue amounts are red wherever they appear
        cells.append(
            f'<td class="tabular nowrap"{issued_l}>{format_date(invoice.issue_date)}</td>'
            f'<td class="tabular nowrap"{due_l}>{format_date(invoice.due_date)}</td>'
            f'<td class="num"{gross_l}>{format_money(invoice.gross, language)}</td>'
            f'<td class="{due_css}"{amount_due_l}>{due_html}</td>'
            f"<td{status_l}>{_status(badges, invoice, today)}</td>"
            "</tr>"
        )
        rows.append("".join(cells))
    return mark_safe("\n".join(rows))  # every text escaped above


# Python rows: the payments list (25 payments, up to 5 settled invoices each) measured 4.1×
# the minimal page with template rows (make bench, 2026-12-02; 190 reverse() calls a page).
@register.simple_tag
def payment_rows(payments: Iterable, *, sees_company: bool) -> SafeString:
    """The `<tr>`s of the payments list (`payment_list` read through
    `with_first_allocations`). A user who does not see the whole company gets neither the
    transfer's title nor its whole amount nor the unallocated rest (see `_visible_payments`)."""
    language = get_language()
    payment_url, invoice_url = pk_url("invoices:payment_detail"), pk_url("invoices:detail")
    received_l, title_l = _label(_("Data wpływu")), _label(_("Tytuł"))
    amount_l, shown_l = _label(_("Kwota wpłaty")), _label(_("Zaliczono na Twoje faktury"))
    settled_l, rest_l = _label(_("Rozliczenie")), _label(_("Nierozliczone"))
    reference = escape(_("ref."))
    not_settled = f'<span class="ebok-muted">{escape(_("jeszcze nierozliczona"))}</span>'
    more_text = _("i jeszcze %(n)s – zobacz wszystkie")
    rows = []
    for payment in payments:
        url = payment_url(payment.pk)
        cells = [
            f'<tr><td class="tabular nowrap ebok-cell-main"{received_l}><a href="{url}">'
            f"{format_date(payment.received_on)}</a></td>"
        ]
        if sees_company:
            title = escape(payment.title) if payment.title else "—"
            if payment.bank_reference:
                title += (
                    f'<span class="ebok-sub">{reference} {escape(payment.bank_reference)}</span>'
                )
            cells.append(
                f"<td{title_l}>{title}</td>"
                f'<td class="num fw-semibold"{amount_l}>'
                f"{format_money(payment.amount, language)}</td>"
            )
        else:
            cells.append(
                f'<td class="num fw-semibold"{shown_l}>'
                f"{format_money(payment.shown_amount, language)}</td>"
            )
        settled = [
            f'<div class="ebok-allocation"><a href="{invoice_url(a.invoice_id)}">'
            f'{escape(a.invoice_number)}</a><span class="num">'
            f"{format_money(a.amount, language)}</span></div>"
            for a in payment.first_allocations
        ] or [not_settled]
        if payment.allocation_count > len(payment.first_allocations):
            # "- 5" as the template had it: the first five are listed.
            more = escape(more_text % {"n": payment.allocation_count - 5})
            settled.append(f'<a class="small" href="{url}">{more}</a>')
        cells.append(f"<td{settled_l}>{''.join(settled)}</td>")
        if sees_company:
            css = "text-primary fw-semibold" if payment.unallocated else "ebok-muted"
            cells.append(
                f'<td class="num"{rest_l}><span class="{css}">'
                f"{format_money(payment.unallocated, language)}</span></td>"
            )
        cells.append("</tr>")
        rows.append("".join(cells))
    return mark_safe("\n".join(rows))  # every text escaped above


# Python rows: a payment's page (25 settled invoices) measured 4.0× the minimal page with
# template rows (make bench, 2026-12-02).
@register.simple_tag
def allocation_rows(allocations: Iterable) -> SafeString:
    """The `<tr>`s of a payment's settled invoices (`payment_allocations`)."""
    language = get_language()
    invoice_url = pk_url("invoices:detail")
    due_l, gross_l = _label(_("Termin płatności")), _label(_("Kwota brutto"))
    settled_l = _label(_("Zaliczono"))
    kinds = {value: escape(label) for value, label in Invoice.Kind.choices}
    rows = []
    for allocation in allocations:
        invoice = allocation.invoice
        rows.append(
            f'<tr><td class="ebok-cell-main"><a class="fw-semibold" '
            f'href="{invoice_url(invoice.pk)}">{escape(invoice.number)}</a>'
            f'<span class="ebok-sub">{kinds.get(invoice.kind, escape(invoice.kind))}</span></td>'
            f'<td class="tabular nowrap"{due_l}>{format_date(invoice.due_date)}</td>'
            f'<td class="num"{gross_l}>{format_money(invoice.gross, language)}</td>'
            f'<td class="num fw-semibold"{settled_l}>{format_money(allocation.amount, language)}'
            "</td></tr>"
        )
    return mark_safe("\n".join(rows))  # every text escaped above
