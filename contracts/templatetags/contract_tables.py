"""The rows of the big contract tables (schedule, installments, contracts), built in Python.

A schedule shows up to 120 rows and every row has about fifteen cells, labels and badges; as
template tags that is thousands of nodes per page, most of the page's time. Here the labels
and badges are translated once per table and each row is one f-string. The markup is the same
the templates had (the table head and foot stay in the templates).

Escaping: every text that comes from the database or a translation goes through `escape`;
numbers, amounts and dates are formatted by our own helpers from Decimal / int / date values
and contain no markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ebok.dates import format_date
from ebok.lists import pk_url
from ebok.money import format_amount, format_money

from ..models import Contract
from ..selectors import InstallmentRow, InstallmentStatus

register = template.Library()


def escape(value: object) -> str:
    """Django's `escape` (same output) without its lazy-string wrapper: called per cell."""
    return html.escape(str(value))


def _label(text: str) -> str:
    return f' data-label="{escape(text)}"'


def installment_badges() -> tuple[dict[str, str], str]:
    """The payment-status badge of each status, and the "overdue" badge (to append)."""
    planned_title = escape(_("Faktura nie została jeszcze wystawiona"))
    labels = {status: escape(label) for status, label in InstallmentStatus.labels().items()}
    badges = {
        InstallmentStatus.PAID: (
            f'<span class="badge ebok-badge-paid">{labels[InstallmentStatus.PAID]}</span>'
        ),
        InstallmentStatus.PARTIALLY_PAID: (
            f'<span class="badge ebok-badge-partial">'
            f"{labels[InstallmentStatus.PARTIALLY_PAID]}</span>"
        ),
        InstallmentStatus.UNPAID: (
            f'<span class="badge ebok-badge-unpaid">{labels[InstallmentStatus.UNPAID]}</span>'
        ),
        InstallmentStatus.PLANNED: (
            f'<span class="badge ebok-badge-muted" title="{planned_title}">'
            f"{labels[InstallmentStatus.PLANNED]}</span>"
        ),
    }
    overdue = f' <span class="badge ebok-badge-overdue">{escape(_("po terminie"))}</span>'
    return badges, overdue


def _status_html(installment: InstallmentRow, badges: dict[str, str], overdue: str) -> str:
    badge = badges.get(installment.payment_status, badges[InstallmentStatus.PLANNED])
    return badge + overdue if installment.is_overdue else badge


@register.simple_tag
def schedule_rows(installments: Iterable[InstallmentRow], can_see_finances: bool) -> SafeString:
    """The `<tr>`s of a contract's schedule (`selectors.installment_rows`)."""
    language = get_language()
    badges, overdue = installment_badges()
    invoice_url = pk_url("invoices:detail")
    number_l, due_l = _label(_("Rata nr")), _label(_("Termin płatności"))
    capital_l, interest_l = _label(_("Kapitał")), _label(_("Odsetki"))
    net_l, vat_l, gross_l = _label(_("Netto")), _label(_("VAT")), _label(_("Brutto"))
    status_l = _label(_("Status"))
    rows = []
    for i in installments:
        invoice = ""
        if can_see_finances and i.invoice_id:
            invoice = (
                f'<a class="ebok-sub nowrap" href="{invoice_url(i.invoice_id)}">'
                f"{escape(i.invoice_number)}</a>"
            )
        muted = ' class="ebok-row-muted"' if i.payment_status == InstallmentStatus.PAID else ""
        rows.append(
            f"<tr{muted}>"
            f'<td class="num ebok-cell-main"{number_l}>{i.number}</td>'
            f'<td class="tabular nowrap"{due_l}>{format_date(i.due_date)}</td>'
            f'<td class="num"{capital_l}>{format_amount(i.capital, language)}</td>'
            f'<td class="num"{interest_l}>{format_amount(i.interest, language)}</td>'
            f'<td class="num"{net_l}>{format_amount(i.net, language)}</td>'
            f'<td class="num"{vat_l}>{format_amount(i.vat, language)}</td>'
            f'<td class="num fw-semibold"{gross_l}>{format_money(i.gross, language)}</td>'
            f"<td{status_l}><span>{_status_html(i, badges, overdue)}"
            f"{invoice}</span></td>"
            "</tr>"
        )
    return mark_safe("\n".join(rows))  # every text escaped above


@register.simple_tag
def installment_rows(installments: Iterable[InstallmentRow]) -> SafeString:
    """The `<tr>`s of the installments across contracts (`selectors.installment_rows`)."""
    language = get_language()
    badges, overdue = installment_badges()
    contract_url = pk_url("contracts:detail")
    due_l, contract_l = _label(_("Termin płatności")), _label(_("Umowa"))
    number_l = _label(_("Rata"))
    capital_l, interest_l = _label(_("Kapitał")), _label(_("Odsetki"))
    net_l, vat_l, gross_l = _label(_("Netto")), _label(_("VAT")), _label(_("Brutto"))
    status_l = _label(_("Status"))
    rows = []
    for i in installments:
        contract = i.contract
        rows.append(
            "<tr>"
            f'<td class="tabular nowrap ebok-cell-main"{due_l}>{format_date(i.due_date)}</td>'
            f'<td{contract_l}><a href="{contract_url(i.contract_id)}">'
            f"{escape(contract.number)}</a></td>"
            f'<td class="num"{number_l}>{i.number} / {contract.installment_count}</td>'
            f'<td class="num"{capital_l}>{format_amount(i.capital, language)}</td>'
            f'<td class="num"{interest_l}>{format_amount(i.interest, language)}</td>'
            f'<td class="num"{net_l}>{format_amount(i.net, language)}</td>'
            f'<td class="num"{vat_l}>{format_amount(i.vat, language)}</td>'
            f'<td class="num fw-semibold"{gross_l}>{format_money(i.gross, language)}</td>'
            f"<td{status_l}>{_status_html(i, badges, overdue)}</td>"
            "</tr>"
        )
    return mark_safe("\n".join(rows))  # every text escaped above


CONTRACT_STATUS_BADGE = {
    Contract.Status.ACTIVE: "ebok-badge-paid",
    Contract.Status.SIGNED: "ebok-badge-info",
}


def contract_status_badges() -> dict[str, str]:
    return {
        value: f'<span class="badge {CONTRACT_STATUS_BADGE.get(value, "ebok-badge-muted")}">'
        f"{escape(label)}</span>"
        for value, label in Contract.Status.choices
    }


def contract_status_html(contract: Contract, badges: dict[str, str] | None = None) -> str:
    badge = (badges or contract_status_badges()).get(contract.status)
    if badge is None:  # a status unknown to this code: shown as stored
        badge = f'<span class="badge ebok-badge-muted">{escape(contract.status)}</span>'
    return badge


@register.simple_tag
def contract_status(contract: Contract) -> SafeString:
    return mark_safe(contract_status_html(contract))  # escaped above


@register.simple_tag
def contract_rows(contracts: Iterable[Contract]) -> SafeString:
    """The `<tr>`s of the contract list (from `contract_list`: `asset_list` prefetched)."""
    language = get_language()
    detail_url = pk_url("contracts:detail")
    asset_l, status_l = _label(_("Przedmiot")), _label(_("Status"))
    start_l, end_l = _label(_("Rozpoczęcie")), _label(_("Zakończenie"))
    remaining_l, value_l = _label(_("Pozostałe raty")), _label(_("Wartość netto"))
    kinds = {value: escape(label) for value, label in Contract.Kind.choices}
    statuses = contract_status_badges()
    more_text = _("i jeszcze %(n)s")
    rows = []
    for c in contracts:
        assets = c.asset_list
        if assets:
            asset = assets[0]
            registration = (
                f"{escape(asset.registration_number)} · " if asset.registration_number else ""
            )
            more = ""
            if len(assets) > 1:
                more = (
                    f'\n<span class="ebok-sub">{escape(more_text % {"n": len(assets) - 1})}</span>'
                )
            asset_html = (
                f"<span>{escape(asset.make)} {escape(asset.model)}</span>\n"
                f'<span class="ebok-sub">{registration}{escape(asset.serial_number)}</span>{more}'
            )
        else:
            asset_html = '<span class="ebok-muted">—</span>'
        rows.append(
            "<tr>"
            f'<td class="ebok-cell-main"><a class="fw-semibold" href="{detail_url(c.pk)}">'
            f'{escape(c.number)}</a>\n<span class="ebok-sub">{kinds.get(c.kind, escape(c.kind))}'
            "</span></td>"
            f"<td{asset_l}>{asset_html}</td>"
            f"<td{status_l}>{contract_status_html(c, statuses)}</td>"
            f'<td class="tabular nowrap"{start_l}>{format_date(c.start_date)}</td>'
            f'<td class="tabular nowrap"{end_l}>{format_date(c.end_date)}</td>'
            f'<td class="num"{remaining_l}>{c.remaining_installments} / {c.installment_count}</td>'
            f'<td class="num"{value_l}>{format_money(c.net_value, language)}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(rows))  # every text escaped above


@register.simple_tag
def contract_datalist(numbers: Iterable[str]) -> SafeString:
    """`<datalist id="contract-numbers">` with the suggestions of the contract filter."""
    options = "".join(f'<option value="{escape(number)}">' for number in numbers)
    return mark_safe(f'<datalist id="contract-numbers">{options}</datalist>')
