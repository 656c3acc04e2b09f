"""The rows of the invoice tables, built in Python (see contracts.templatetags.contract_tables).

Labels and badges are translated once per table; each row is one f-string with the markup the
template had. Every text from the database or a translation goes through `escape`; amounts and
dates come from our own formatters (Decimal / date in, no markup out).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ebok.dates import format_date
from ebok.lists import pk_url
from ebok.money import format_money

from ..models import Invoice

register = template.Library()


def escape(value: object) -> str:
    """Django's `escape` (same output) without its lazy-string wrapper: called per cell."""
    return html.escape(str(value))


_STATUS_CSS = {
    Invoice.Status.PAID: "ebok-badge-paid",
    Invoice.Status.PARTIALLY_PAID: "ebok-badge-partial",
}


class _Badges:
    """The status badges of invoices, translated once."""

    def __init__(self) -> None:
        self.correction = f'<span class="badge ebok-badge-info">{escape(_("korekta"))}</span>'
        self.status = {
            value: f'<span class="badge {_STATUS_CSS.get(value, "ebok-badge-unpaid")}">'
            f"{escape(label)}</span>"
            for value, label in Invoice.Status.choices
        }
        self.overdue = f' <span class="badge ebok-badge-overdue">{escape(_("po terminie"))}</span>'

    def of(self, invoice: Invoice, today: dt.date) -> str:
        if invoice.is_correction:
            return self.correction
        badge = self.status[invoice.status]
        if invoice.amount_paid < invoice.amount_payable and invoice.due_date < today:
            badge += self.overdue
        return badge


@register.simple_tag
def invoice_status(invoice: Invoice, today: dt.date) -> SafeString:
    """Payment status badge, and "overdue" when it is (a correction: just "korekta")."""
    return mark_safe(_Badges().of(invoice, today))  # escaped in _Badges


def _label(text: str) -> str:
    return f' data-label="{escape(text)}"'


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
    badges = _Badges()
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
        if invoice.is_correction:
            due_html = '<span class="ebok-muted fw-normal">—</span>'
        else:
            due_html = format_money(amount_due, language)
            if invoice.amount_payable != invoice.gross:
                payable = after_correction % {
                    "amount": format_money(invoice.amount_payable, language)
                }
                due_html += (
                    f'<span class="ebok-sub fw-normal" title="{after_corrections}">'
                    f"{escape(payable)}</span>"
                )
        due_css = "num fw-semibold" if amount_due else "num ebok-muted"
        cells.append(
            f'<td class="tabular nowrap"{issued_l}>{format_date(invoice.issue_date)}</td>'
            f'<td class="tabular nowrap"{due_l}>{format_date(invoice.due_date)}</td>'
            f'<td class="num"{gross_l}>{format_money(invoice.gross, language)}</td>'
            f'<td class="{due_css}"{amount_due_l}>{due_html}</td>'
            f"<td{status_l}>{badges.of(invoice, today)}</td>"
            "</tr>"
        )
        rows.append("".join(cells))
    return mark_safe("\n".join(rows))  # every text escaped above
