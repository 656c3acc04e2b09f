"""Excel reports of the contracts app: contracts, a schedule, installments, policies, fees.

Each report re-applies the list's own filter form and selector to the saved query string, so
the file holds exactly the rows the list shows (all pages). Rows are plain tuples read with
`values_list(...).iterator()`; no model instance per row where the volume can be large.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import Perm, has_perm
from ebok import exports
from ebok.dates import today as business_today
from ebok.exports import CHUNK, choice_labels, dated_filename, params_querydict
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


def _can_see_contracts(user) -> bool:
    return has_perm(user, Perm.CONTRACTS)


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


def _contract_rows(contracts: QuerySet[Contract]) -> Iterator[tuple[Any, ...]]:
    kinds = choice_labels(Contract.Kind.choices)
    statuses = choice_labels(Contract.Status.choices)
    rates = choice_labels(Contract.ReferenceRate.choices)
    # Contracts number in the thousands at most; the assets come prefetched per chunk.
    for contract in contracts.iterator(chunk_size=CHUNK):
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


CONTRACTS = exports.queryset_report(
    key="contracts",
    title=lambda: _("Umowy"),
    filename=dated_filename(gettext_lazy("Umowy")),
    columns=_contract_columns,
    queryset=_contracts,
    rows=_contract_rows,
    allowed=_can_see_contracts,
)


# --- Installments: one contract's schedule, and across contracts --------------------------------


def _installment_columns(*first: Column) -> list[Column]:
    """`first`, then what both installment reports show of each installment."""
    return [
        *first,
        Column(_("Część kapitałowa"), Kind.MONEY),
        Column(_("Część odsetkowa"), Kind.MONEY),
        Column(_("Rata netto"), Kind.MONEY),
        Column(_("VAT"), Kind.MONEY, width=14),
        Column(_("Rata brutto"), Kind.MONEY),
        Column(_("Kapitał pozostały"), Kind.MONEY, total=False),  # a balance, not a flow
        Column(_("Status"), width=18),
        Column(_("Po terminie"), width=11),
        Column(_("Faktura"), width=20),
    ]


def _installment_rows(installments: QuerySet, *first) -> Iterator[tuple[Any, ...]]:
    """The values `first`, then the columns of `_installment_columns` (`with_payment_status`
    rows)."""
    statuses = selectors.InstallmentStatus.labels()
    rows = installments.values_list(
        *first,
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


def _schedule(user, params):
    form = ScheduleFilterForm(params_querydict(params))
    return selectors.contract_schedule(
        contract=_contract_of(user, params), filters=form.filters(), today=business_today()
    )


SCHEDULE = exports.queryset_report(
    key="schedule",
    title=lambda: _("Harmonogram"),
    filename=lambda params: _("Harmonogram") + f"_{params.get('number', [''])[0]}",
    columns=lambda: _installment_columns(
        Column(_("Nr raty"), Kind.INT, width=8),
        Column(_("Termin płatności"), Kind.DATE, width=14),
    ),
    queryset=_schedule,
    rows=lambda installments: _installment_rows(installments, "number", "due_date"),
    allowed=_can_see_contracts,
)


def _installments(user, params):
    today = business_today()
    form = InstallmentFilterForm(params_querydict(params), today=today)
    return selectors.installments_due_between(user=user, filters=form.filters(), today=today)


def _installments_filename(params) -> str:
    dates = [params.get(key, [""])[0] for key in ("date_from", "date_to")]
    return "_".join([_("Raty"), *[d for d in dates if d]])


INSTALLMENTS = exports.queryset_report(
    key="installments",
    title=lambda: _("Raty"),
    filename=_installments_filename,
    columns=lambda: _installment_columns(
        Column(_("Termin płatności"), Kind.DATE, width=14),
        Column(_("Numer umowy"), width=18),
        Column(_("Nr raty"), Kind.INT, width=8),
    ),
    queryset=_installments,
    rows=lambda installments: _installment_rows(
        installments, "due_date", F("contract__number"), "number"
    ),
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


def _policy_rows(policies: QuerySet[InsurancePolicy]) -> Iterator[tuple[Any, ...]]:
    today = business_today()
    types = choice_labels(InsurancePolicy.Type.choices)
    statuses = choice_labels(InsurancePolicy.Status.choices)
    arranged = choice_labels(InsurancePolicy.ArrangedBy.choices)
    for policy in policies.iterator(chunk_size=CHUNK):
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


POLICIES = exports.queryset_report(
    key="policies",
    title=lambda: _("Ubezpieczenia"),
    filename=dated_filename(gettext_lazy("Ubezpieczenia")),
    columns=_policy_columns,
    queryset=_policies,
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


def _fee_rows(fees: QuerySet[AdditionalFee]) -> Iterator[tuple[Any, ...]]:
    kinds = choice_labels(AdditionalFee.Kind.choices)
    rows = fees.values_list(
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


FEES = exports.queryset_report(
    key="fees",
    title=lambda: _("Opłaty dodatkowe"),
    filename=dated_filename(gettext_lazy("Oplaty_dodatkowe")),
    columns=_fee_columns,
    queryset=_fees,
    rows=_fee_rows,
    allowed=_can_see_contracts,
)


def register_reports() -> None:
    for kind in (CONTRACTS, SCHEDULE, INSTALLMENTS, POLICIES, FEES):
        exports.register(kind)
