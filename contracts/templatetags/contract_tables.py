"""The rows of the big contract tables (schedule, installments, contracts) built in Python.

Everything else on these pages is a template (the frame in templates/ebok/_list.html, the
table heads and feet in templates/contracts/_*_table.html, the status badges in
templates/contracts/_*_status.html); the rows stay here because `make bench` shows the pages
missing their target with template rows (the figures are beside each tag). Each row is one
f-string with the labels translated and the badges rendered once per table.

Escaping: every text that comes from the database or a translation goes through `escape`;
numbers, amounts and dates are formatted by our own helpers from Decimal / int / date values
and contain no markup; badges come from their (autoescaping) templates.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ebok.dates import format_date
from ebok.lists import RenderedOnce, escape, pk_url
from ebok.money import format_amount, format_money

from ..models import Contract, InsurancePolicy
from ..selectors import InstallmentRow, InstallmentStatus

register = template.Library()


def _label(text: str) -> str:
    return f' data-label="{escape(text)}"'


_OVERDUE = " ebok-overdue"  # overdue amounts are red wherever they appear


@register.simple_tag
def installment_status_labels() -> dict[str, str]:
    """`{% installment_status_labels as labels %}`: each payment status as the client reads it
    (the same words as the reports and the PDF)."""
    return InstallmentStatus.labels()


def _installment_status(badges: RenderedOnce, installment: InstallmentRow) -> str:
    key = (installment.payment_status, installment.is_overdue)
    return badges.get(key, installment=installment)


# Python rows: the schedule tab of the bench's longest contract (60 installments) measures 14.9×
# the minimal page with template rows vs 3.3× with these (make bench, mean of 3 runs, 2026-12-02).
@register.simple_tag
def schedule_rows(installments: Iterable[InstallmentRow], can_see_finances: bool) -> SafeString:
    """The `<tr>`s of a contract's schedule (`selectors.installment_rows`)."""
    language = get_language()
    badges = RenderedOnce("contracts/_installment_status.html")
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
            f'<td class="num fw-semibold{_OVERDUE if i.is_overdue else ""}"{gross_l}>'
            f"{format_money(i.gross, language)}</td>"
            f"<td{status_l}><span>{_installment_status(badges, i)}{invoice}</span></td>"
            "</tr>"
        )
    return mark_safe("\n".join(rows))  # every text escaped above


# Python rows: the installments page (25 rows) measures 3.4× the minimal page with template rows
# vs 2.5× with these (make bench, mean of 3 runs, 2026-12-02).
@register.simple_tag
def installment_rows(installments: Iterable[InstallmentRow]) -> SafeString:
    """The `<tr>`s of the installments across contracts (`selectors.installment_rows`)."""
    language = get_language()
    badges = RenderedOnce("contracts/_installment_status.html")
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
            f'<td class="num fw-semibold{_OVERDUE if i.is_overdue else ""}"{gross_l}>'
            f"{format_money(i.gross, language)}</td>"
            f"<td{status_l}>{_installment_status(badges, i)}</td>"
            "</tr>"
        )
    return mark_safe("\n".join(rows))  # every text escaped above


# Python rows: the contract list (25 rows) measures 4.2× the minimal page with template rows vs
# 2.9× with these (make bench, mean of 3 runs, 2026-12-02).
@register.simple_tag
def contract_rows(contracts: Iterable[Contract]) -> SafeString:
    """The `<tr>`s of the contract list (from `contract_list`: `asset_list` prefetched)."""
    language = get_language()
    detail_url = pk_url("contracts:detail")
    asset_l, status_l = _label(_("Przedmiot")), _label(_("Status"))
    start_l, end_l = _label(_("Rozpoczęcie")), _label(_("Zakończenie"))
    remaining_l, value_l = _label(_("Pozostałe raty")), _label(_("Wartość netto"))
    kinds = {value: escape(label) for value, label in Contract.Kind.choices}
    statuses = RenderedOnce("contracts/_contract_status.html")
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
            f"<td{status_l}>{statuses.get(c.status, contract=c)}</td>"
            f'<td class="tabular nowrap"{start_l}>{format_date(c.start_date)}</td>'
            f'<td class="tabular nowrap"{end_l}>{format_date(c.end_date)}</td>'
            f'<td class="num"{remaining_l}>{c.remaining_installments} / {c.installment_count}</td>'
            f'<td class="num"{value_l}>{format_money(c.net_value, language)}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(rows))  # every text escaped above


# Python: the suggestions are every visible contract's number (1 000 on the bench's company): a
# template loop takes 1.9 ms for them, this 0.16 ms; the installments, fees and invoice lists
# measure 0.1-0.16× more with the template (make bench, mean of 3 runs, 2026-12-02).
@register.simple_tag
def contract_datalist(numbers: Iterable[str]) -> SafeString:
    """`<datalist id="contract-numbers">` with the suggestions of the contract filter."""
    options = "".join(f'<option value="{escape(number)}">' for number in numbers)
    return mark_safe(f'<datalist id="contract-numbers">{options}</datalist>')


# Python rows: the insurance list (25 policies) measured 4.7× the minimal page with template
# rows (make bench, 2026-12-02).
@register.simple_tag
def policy_rows(policies: Iterable, *, show_contract: bool = False) -> SafeString:
    """The `<tr>`s of a policy list (templates/contracts/_policies_table.html): with the
    contract column on the insurance page, with the asset alone on a contract's tab."""
    language = get_language()
    badges = RenderedOnce("contracts/_policy_status.html")
    contract_url = pk_url("contracts:detail")
    type_l, insurer_l = _label(_("Rodzaj")), _label(_("Ubezpieczyciel"))
    contract_l, asset_l = _label(_("Umowa")), _label(_("Przedmiot"))
    valid_l, sum_l = _label(_("Okres ważności")), _label(_("Suma ubezpieczenia"))
    status_l = _label(_("Status"))
    no_asset = '<span class="ebok-muted">—</span>'
    # Each label translated once per table (get_FOO_display() rebuilds its choices per call).
    fields = {f.name: f for f in InsurancePolicy._meta.get_fields()}
    types = {value: escape(label) for value, label in fields["type"].flatchoices}
    arranged = {value: escape(label) for value, label in fields["arranged_by"].flatchoices}
    rows = []
    for policy in policies:
        asset = policy.asset
        variant = (
            f'<span class="ebok-sub">{escape(policy.variant)}</span>' if policy.variant else ""
        )
        if show_contract:
            what = (
                f'<a href="{contract_url(policy.contract_id)}">{escape(policy.contract.number)}</a>'
            )
            if asset:
                plate = (
                    f" · {escape(asset.registration_number)}" if asset.registration_number else ""
                )
                name = f"{escape(asset.make)} {escape(asset.model)}"
                what += f'<span class="ebok-sub">{name}{plate}</span>'
            what_cell = f"<td{contract_l}>{what}</td>"
        else:
            if asset:
                what = f"{escape(asset.make)} {escape(asset.model)}"
                if asset.registration_number:
                    what += f'<span class="ebok-sub">{escape(asset.registration_number)}</span>'
            else:
                what = no_asset
            what_cell = f"<td{asset_l}>{what}</td>"
        status = policy.status
        rows.append(
            f'<tr><td class="ebok-cell-main"><span class="fw-semibold">{escape(policy.number)}'
            f'</span><span class="ebok-sub">{arranged.get(policy.arranged_by, "")}</span></td>'
            f"<td{type_l}>{types.get(policy.type, escape(policy.type))}{variant}</td>"
            f"<td{insurer_l}>{escape(policy.insurer)}</td>"
            f"{what_cell}"
            f'<td class="tabular"{valid_l}><span class="nowrap">{format_date(policy.valid_from)} '
            f'–</span> <span class="nowrap">{format_date(policy.valid_to)}</span></td>'
            f'<td class="num"{sum_l}>{format_money(policy.sum_insured, language)}</td>'
            f"<td{status_l}>{badges.get(status, policy=policy)}</td></tr>"
        )
    return mark_safe("\n".join(rows))  # every text escaped above
