"""Excel reports of the contracts app: contracts, a schedule, installments, policies, fees.

Each report re-applies the list's own filter form and selector to the saved query string, so
the file holds exactly the rows the list shows (all pages). Rows are plain tuples read with
`values_list(...).iterator()`; no model instance per row where the volume can be large.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from accounts.permissions import Perm, has_perm
from ebok import exports
from ebok.dates import today as business_today
from ebok.exports import params_querydict
from ebok.xlsx import Column, Kind

from . import selectors
from .forms import (
    ContractFilterForm,
    FeeFilterForm,
    InstallmentFilterForm,
    PolicyFilterForm,
    ScheduleFilterForm,
)
from .models import AdditionalFee, Contract, InsurancePolicy

CHUNK = 2000


def _can_see_contracts(user) -> bool:
    return has_perm(user, Perm.CONTRACTS)


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _installment_status_labels() -> dict[str, str]:
    # The payment_status values of contracts.selectors.with_payment_status, worded as on screen.
    return {
        selectors.InstallmentStatus.PAID: _("zapłacona"),
        selectors.InstallmentStatus.PARTIALLY_PAID: _("częściowo zapłacona"),
        selectors.InstallmentStatus.UNPAID: _("niezapłacona"),
        selectors.InstallmentStatus.PLANNED: _("zaplanowana"),
    }


def _contract_of(user, params) -> Contract:
    """The contract a per-contract report is about, checked again for this user (else 404)."""
    return selectors.get_contract_for_user(user=user, pk=int(params["contract_id"][0]))


def _yes_no(value: bool) -> str:
    return _("tak") if value else _("nie")


# --- Contracts ----------------------------------------------------------------------------------


def _contracts(user, params):
    form = ContractFilterForm(params_querydict(params))
    return selectors.contract_list(user=user, filters=form.filters())


def _contract_columns() -> list[Column]:
    return [
        Column(_("Numer umowy"), width=18),
        Column(_("Rodzaj"), width=20),
        Column(_("Status"), width=12),
        Column(_("Data zawarcia"), Kind.DATE),
        Column(_("Data rozpoczęcia"), Kind.DATE),
        Column(_("Data zakończenia"), Kind.DATE),
        Column(_("Liczba rat"), Kind.INT),
        Column(_("Pozostałe raty"), Kind.INT),
        Column(_("Wartość początkowa netto"), Kind.MONEY),
        Column(_("Opłata wstępna netto"), Kind.MONEY),
        Column(_("Wartość wykupu netto"), Kind.MONEY),
        Column(_("Stopa referencyjna"), width=14),
        Column(_("Oprocentowanie (%)"), Kind.PERCENT, width=14),
        Column(_("Przedmiot leasingu"), width=32),
        Column(_("Nr rejestracyjny"), width=14),
        Column(_("VIN / nr seryjny"), width=22),
    ]


def _contract_rows(user, params) -> Iterator[tuple[Any, ...]]:
    kinds = _labels(Contract.Kind.choices)
    statuses = _labels(Contract.Status.choices)
    rates = _labels(Contract.ReferenceRate.choices)
    # Contracts number in the thousands at most; the assets come prefetched per chunk.
    for contract in _contracts(user, params).iterator(chunk_size=CHUNK):
        assets = contract.asset_list
        yield (
            contract.number,
            kinds.get(contract.kind, contract.kind),
            statuses.get(contract.status, contract.status),
            contract.signed_on,
            contract.start_date,
            contract.end_date,
            contract.installment_count,
            contract.remaining_installments,
            contract.net_value,
            contract.initial_payment,
            contract.buyout_value,
            rates.get(contract.reference_rate, contract.reference_rate),
            contract.reference_rate_value + contract.margin,
            "; ".join(f"{a.make} {a.model}" for a in assets),
            "; ".join(a.registration_number for a in assets if a.registration_number),
            "; ".join(a.serial_number for a in assets if a.serial_number),
        )


CONTRACTS = exports.ExportKind(
    key="contracts",
    title=lambda: _("Umowy"),
    filename=lambda params: _("Umowy") + f"_{business_today():%Y-%m-%d}",
    columns=_contract_columns,
    count=lambda user, params: _contracts(user, params).count(),
    rows=_contract_rows,
    allowed=_can_see_contracts,
)


# --- One contract's schedule --------------------------------------------------------------------


def _schedule(user, params):
    contract = _contract_of(user, params)
    form = ScheduleFilterForm(params_querydict(params))
    installments = selectors.contract_schedule(
        contract=contract, filters=form.filters(), today=business_today()
    )
    return contract, installments


def _schedule_columns() -> list[Column]:
    return [
        Column(_("Nr raty"), Kind.INT, width=8),
        Column(_("Termin płatności"), Kind.DATE, width=14),
        Column(_("Część kapitałowa"), Kind.MONEY),
        Column(_("Część odsetkowa"), Kind.MONEY),
        Column(_("Rata netto"), Kind.MONEY),
        Column(_("VAT"), Kind.MONEY, width=14),
        Column(_("Rata brutto"), Kind.MONEY),
        Column(_("Kapitał pozostały"), Kind.MONEY),
        Column(_("Status"), width=18),
        Column(_("Po terminie"), width=11),
        Column(_("Faktura"), width=20),
    ]


def _schedule_values(installments) -> Iterator[tuple[Any, ...]]:
    statuses = _installment_status_labels()
    rows = installments.values_list(
        "number",
        "due_date",
        "capital",
        "interest",
        "net",
        "vat",
        "gross",
        "remaining_capital",
        "payment_status",
        "is_overdue",
        F("invoice__number"),
    )
    for *amounts, status, overdue, invoice in rows.iterator(chunk_size=CHUNK):
        yield (*amounts, statuses.get(status, status), _yes_no(overdue), invoice)


SCHEDULE = exports.ExportKind(
    key="schedule",
    title=lambda: _("Harmonogram"),
    filename=lambda params: _("Harmonogram") + f"_{params.get('number', [''])[0]}",
    columns=_schedule_columns,
    count=lambda user, params: _schedule(user, params)[1].count(),
    rows=lambda user, params: _schedule_values(_schedule(user, params)[1]),
    allowed=_can_see_contracts,
)


# --- Installments across contracts -------------------------------------------------------------


def _installments(user, params):
    today = business_today()
    form = InstallmentFilterForm(params_querydict(params), today=today)
    return selectors.installments_due_between(user=user, filters=form.filters(), today=today)


def _installment_columns() -> list[Column]:
    return [
        Column(_("Termin płatności"), Kind.DATE, width=14),
        Column(_("Numer umowy"), width=18),
        Column(_("Nr raty"), Kind.INT, width=8),
        Column(_("Część kapitałowa"), Kind.MONEY),
        Column(_("Część odsetkowa"), Kind.MONEY),
        Column(_("Rata netto"), Kind.MONEY),
        Column(_("VAT"), Kind.MONEY, width=14),
        Column(_("Rata brutto"), Kind.MONEY),
        Column(_("Kapitał pozostały"), Kind.MONEY),
        Column(_("Status"), width=18),
        Column(_("Po terminie"), width=11),
        Column(_("Faktura"), width=20),
    ]


def _installment_rows(user, params) -> Iterator[tuple[Any, ...]]:
    statuses = _installment_status_labels()
    rows = _installments(user, params).values_list(
        "due_date",
        F("contract__number"),
        "number",
        "capital",
        "interest",
        "net",
        "vat",
        "gross",
        "remaining_capital",
        "payment_status",
        "is_overdue",
        F("invoice__number"),
    )
    for *values, status, overdue, invoice in rows.iterator(chunk_size=CHUNK):
        yield (*values, statuses.get(status, status), _yes_no(overdue), invoice)


def _installments_filename(params) -> str:
    dates = [params.get(key, [""])[0] for key in ("date_from", "date_to")]
    return "_".join([_("Raty"), *[d for d in dates if d]])


INSTALLMENTS = exports.ExportKind(
    key="installments",
    title=lambda: _("Raty"),
    filename=_installments_filename,
    columns=_installment_columns,
    count=lambda user, params: _installments(user, params).count(),
    rows=_installment_rows,
    allowed=_can_see_contracts,
)


# --- Insurance policies ------------------------------------------------------------------------


def _policies(user, params):
    form = PolicyFilterForm(params_querydict(params))
    contract = _contract_of(user, params) if params.get("contract_id") else None
    return selectors.policy_list(
        user=user, filters=form.filters(), today=business_today(), contract=contract
    )


def _policy_columns() -> list[Column]:
    return [
        Column(_("Numer umowy"), width=18),
        Column(_("Nr rejestracyjny"), width=14),
        Column(_("Ubezpieczyciel"), width=22),
        Column(_("Numer polisy"), width=20),
        Column(_("Rodzaj"), width=16),
        Column(_("Wariant"), width=18),
        Column(_("Ważna od"), Kind.DATE),
        Column(_("Ważna do"), Kind.DATE),
        Column(_("Status"), width=12),
        Column(_("Suma ubezpieczenia"), Kind.MONEY),
        Column(_("Składka"), Kind.MONEY, width=14),
        Column(_("Zawarta przez"), width=20),
    ]


def _policy_rows(user, params) -> Iterator[tuple[Any, ...]]:
    today = business_today()
    types = _labels(InsurancePolicy.Type.choices)
    statuses = _labels(InsurancePolicy.Status.choices)
    arranged = _labels(InsurancePolicy.ArrangedBy.choices)
    for policy in _policies(user, params).iterator(chunk_size=CHUNK):
        yield (
            policy.contract.number,
            policy.asset.registration_number if policy.asset else "",
            policy.insurer,
            policy.number,
            types.get(policy.type, policy.type),
            policy.variant,
            policy.valid_from,
            policy.valid_to,
            statuses[policy.status_on(today)],
            policy.sum_insured,
            policy.premium,
            arranged.get(policy.arranged_by, policy.arranged_by),
        )


POLICIES = exports.ExportKind(
    key="policies",
    title=lambda: _("Ubezpieczenia"),
    filename=lambda params: _("Ubezpieczenia") + f"_{business_today():%Y-%m-%d}",
    columns=_policy_columns,
    count=lambda user, params: _policies(user, params).count(),
    rows=_policy_rows,
    allowed=_can_see_contracts,
)


# --- Additional fees ---------------------------------------------------------------------------


def _fees(user, params):
    form = FeeFilterForm(params_querydict(params))
    contract = _contract_of(user, params) if params.get("contract_id") else None
    return selectors.fee_list(user=user, filters=form.filters(), contract=contract)


def _fee_columns() -> list[Column]:
    return [
        Column(_("Data naliczenia"), Kind.DATE, width=14),
        Column(_("Numer umowy"), width=18),
        Column(_("Rodzaj"), width=28),
        Column(_("Opis"), width=30),
        Column(_("Netto"), Kind.MONEY, width=14),
        Column(_("VAT"), Kind.MONEY, width=12),
        Column(_("Brutto"), Kind.MONEY, width=14),
        Column(_("Faktura"), width=20),
    ]


def _fee_rows(user, params) -> Iterator[tuple[Any, ...]]:
    kinds = _labels(AdditionalFee.Kind.choices)
    rows = _fees(user, params).values_list(
        "charged_on",
        F("contract__number"),
        "kind",
        "description",
        "net",
        "vat",
        "gross",
        F("invoice__number"),
    )
    for charged_on, contract, kind, *rest in rows.iterator(chunk_size=CHUNK):
        yield (charged_on, contract, kinds.get(kind, kind), *rest)


FEES = exports.ExportKind(
    key="fees",
    title=lambda: _("Opłaty dodatkowe"),
    filename=lambda params: _("Oplaty_dodatkowe") + f"_{business_today():%Y-%m-%d}",
    columns=_fee_columns,
    count=lambda user, params: _fees(user, params).count(),
    rows=_fee_rows,
    allowed=_can_see_contracts,
)


def register_reports() -> None:
    for kind in (CONTRACTS, SCHEDULE, INSTALLMENTS, POLICIES, FEES):
        exports.register(kind)
