"""What a company already has, read in a few queries per record kind before its records are
applied, so a re-sent record is recognised as unchanged without a query of its own."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from accounts.models import Company
from contracts.models import AdditionalFee, Contract, Installment, InsurancePolicy, LeasedAsset
from invoices.models import Invoice, InvoiceLine, Payment

# external ids per IN (...) query
CHUNK = 5000
LINE_FIELDS = ("description", "net", "vat_rate")
SCHEDULE_FIELDS = ("number", "due_date", "capital", "interest", "vat")


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _referenced(records: Iterable[tuple[str, dict]]) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = defaultdict(set)
    for kind, data in records:
        if kind in ("invoice", "correction"):
            ids["invoice"].add(data["external_id"])
        if kind == "correction":
            ids["invoice"].add(data["corrects"])
        if kind == "payment":
            ids["payment"].add(data["external_id"])
            ids["invoice"].update(filter(None, [data.get("invoice")]))
            ids["invoice"].update(item["invoice"] for item in data.get("allocations", ()))
        if kind == "schedule":
            ids["schedule"].add(data["contract"])
        if kind == "service_visit" and data.get("invoice"):
            ids["invoice"].add(data["invoice"])
    return ids


@dataclass
class Known:
    """Rows of one company by the core system's id; appliers add what they create."""

    contracts: dict[str, Contract] = field(default_factory=dict)
    assets: dict[tuple[int, str], LeasedAsset] = field(default_factory=dict)
    fees: dict[tuple[int, str], AdditionalFee] = field(default_factory=dict)
    policies: dict[tuple[int, str], InsurancePolicy] = field(default_factory=dict)
    schedules: dict[int, list[tuple]] = field(default_factory=dict)
    invoices: dict[str, Invoice] = field(default_factory=dict)
    invoice_lines: dict[int, list[tuple]] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)

    @classmethod
    def load(cls, company: Company | None, records: list[tuple[str, dict]]) -> Known:
        known = cls()
        if company is None:
            return known
        ids = _referenced(records)
        known.contracts = {
            c.external_id: c
            for c in Contract.objects.filter(company=company, external_id__isnull=False)
        }
        in_company = {"contract__company": company, "external_id__isnull": False}
        for model, target in (
            (LeasedAsset, known.assets),
            (AdditionalFee, known.fees),
            (InsurancePolicy, known.policies),
        ):
            rows = model.objects.filter(**in_company)
            target.update(((row.contract_id, row.external_id), row) for row in rows)
        scheduled = [c.pk for key, c in known.contracts.items() if key in ids["schedule"]]
        rows = (
            Installment.objects.filter(contract_id__in=scheduled)
            .order_by("contract_id", "number")
            .values_list("contract_id", *SCHEDULE_FIELDS)
        )
        for contract_id, *row in rows:
            known.schedules.setdefault(contract_id, []).append(tuple(row))
        for chunk in _chunks(sorted(ids["invoice"])):
            known.invoices.update(
                (i.external_id, i)
                for i in Invoice.objects.filter(company=company, external_id__in=chunk)
            )
        invoice_pks = sorted(invoice.pk for invoice in known.invoices.values())
        for start in range(0, len(invoice_pks), CHUNK):
            lines = (
                InvoiceLine.objects.filter(invoice_id__in=invoice_pks[start : start + CHUNK])
                .order_by("invoice_id", "position")
                .values_list("invoice_id", *LINE_FIELDS)
            )
            for invoice_id, *line in lines:
                known.invoice_lines.setdefault(invoice_id, []).append(tuple(line))
        for chunk in _chunks(sorted(ids["payment"])):
            known.payments.update(
                (p.external_id, p)
                for p in Payment.objects.filter(company=company, external_id__in=chunk)
            )
        return known
