"""The record kinds of a batch and their schema (one DRF serializer per kind).

Every record is a JSON object with `kind`, `company` (the core system's id of the client) and
`external_id` (the core system's id of the record); the other fields depend on the kind. The
same schema serves the API (a list of records) and the nightly file (one record a line).
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from contracts.fleet.models import Damage, FuelTransaction, MileageReading, ServiceVisit
from contracts.models import AdditionalFee, Contract, InsurancePolicy, LeasedAsset
from invoices.ksef import KsefError, ksef_number_clean
from invoices.models import Invoice, InvoiceLine

ID = {"max_length": 64}
MONEY = {"max_digits": 14, "decimal_places": 2}
NON_NEGATIVE = {**MONEY, "min_value": Decimal(0)}


class RecordSerializer(serializers.Serializer):
    kind = serializers.CharField()
    company = serializers.CharField(**ID)
    external_id = serializers.CharField(**ID)


class AdminUserSerializer(serializers.Serializer):
    login = serializers.RegexField(r"^[a-zA-Z0-9._-]{3,64}$")
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.RegexField(r"^\+[1-9][0-9]{7,14}$")


class CompanyRecord(RecordSerializer):
    company = serializers.CharField(required=False, **ID)
    client_number = serializers.RegexField(r"^[0-9]{8}$")
    name = serializers.CharField(max_length=200)
    nip = serializers.RegexField(r"^[0-9]{10}$")
    regon = serializers.RegexField(r"^([0-9]{9}|[0-9]{14})$", required=False, allow_blank=True)
    street = serializers.CharField(max_length=200)
    postal_code = serializers.RegexField(r"^[0-9]{2}-[0-9]{3}$")
    city = serializers.CharField(max_length=100)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.RegexField(r"^\+[1-9][0-9]{7,14}$", required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)
    admin = AdminUserSerializer(required=False)


class AssetRecord(serializers.Serializer):
    external_id = serializers.CharField(**ID)
    kind = serializers.ChoiceField(LeasedAsset.Kind.choices)
    make = serializers.CharField(max_length=100)
    model = serializers.CharField(max_length=100)
    registration_number = serializers.CharField(max_length=12, required=False, allow_blank=True)
    serial_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    production_year = serializers.IntegerField(min_value=1950, max_value=2100, required=False)
    net_value = serializers.DecimalField(required=False, **NON_NEGATIVE)


class ContractRecord(RecordSerializer):
    number = serializers.CharField(max_length=40)
    lease_kind = serializers.ChoiceField(Contract.Kind.choices)
    status = serializers.ChoiceField(Contract.Status.choices)
    signed_on = serializers.DateField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, default="PLN")
    net_value = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    initial_payment = serializers.DecimalField(required=False, default=Decimal(0), **NON_NEGATIVE)
    buyout_value = serializers.DecimalField(required=False, default=Decimal(0), **NON_NEGATIVE)
    installment_count = serializers.IntegerField(min_value=1, max_value=600)
    reference_rate = serializers.ChoiceField(Contract.ReferenceRate.choices)
    reference_rate_value = serializers.DecimalField(
        max_digits=7, decimal_places=4, min_value=Decimal(0)
    )
    margin = serializers.DecimalField(max_digits=7, decimal_places=4, min_value=Decimal(0))
    assets = AssetRecord(many=True, required=False, default=list)

    def validate(self, data):
        if data["start_date"] < data["signed_on"]:
            raise serializers.ValidationError(
                {"start_date": _("Data rozpoczęcia przed datą zawarcia.")}
            )
        if data["end_date"] < data["start_date"]:
            raise serializers.ValidationError(
                {"end_date": _("Data zakończenia przed datą rozpoczęcia.")}
            )
        if data["net_value"] <= data["initial_payment"] + data["buyout_value"]:
            raise serializers.ValidationError(
                {"net_value": _("Wartość netto musi przekraczać opłatę wstępną i wykup.")}
            )
        return data


class ContractStatusRecord(RecordSerializer):
    contract = serializers.CharField(**ID)
    status = serializers.ChoiceField(Contract.Status.choices)


class InstallmentRecord(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=600)
    due_date = serializers.DateField()
    capital = serializers.DecimalField(**NON_NEGATIVE)
    interest = serializers.DecimalField(**NON_NEGATIVE)
    vat = serializers.DecimalField(**NON_NEGATIVE)


class ScheduleRecord(RecordSerializer):
    contract = serializers.CharField(**ID)
    installments = InstallmentRecord(many=True, allow_empty=False)

    def validate_installments(self, rows):
        numbers = [row["number"] for row in rows]
        if numbers != list(range(1, len(rows) + 1)):
            raise serializers.ValidationError(_("Raty muszą mieć numery 1, 2, 3… po kolei."))
        return rows


class LineRecord(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    quantity = serializers.DecimalField(
        max_digits=10, decimal_places=3, required=False, default=Decimal(1)
    )
    unit = serializers.CharField(max_length=10, required=False, default="szt.")
    net = serializers.DecimalField(**MONEY)
    vat_rate = serializers.ChoiceField(InvoiceLine.VatRate.choices)
    vat = serializers.DecimalField(required=False, allow_null=True, default=None, **MONEY)
    exemption_basis = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


_INVOICE_KINDS = [c for c in Invoice.Kind.choices if c[0] != Invoice.Kind.CORRECTION]


def ksef_number_normalized(value: str) -> str:
    """See invoices.ksef.ksef_number_clean: the same rule as the back office's."""
    try:
        return ksef_number_clean(value)
    except KsefError as error:
        raise serializers.ValidationError(str(error)) from error


class KsefFields(serializers.Serializer):
    """The number KSeF gave the document and the SHA-256 of the file sent there (Base64), which
    the verification QR code ("KOD I") on the PDF carries: both or neither. A document fed
    without them may get them later by the same record sent again with them."""

    ksef_number = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=36,
        help_text="The number KSeF gave the document: NIP-YYYYMMDD-XXXXXXXXXXXX-XX, the NIP "
        "being the lessor's and the last two characters the CRC-8 checksum. With ksef_hash.",
    )
    ksef_hash = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=44,
        help_text="SHA-256 of the document's file as sent to KSeF, Base64 (44 characters); "
        "the PDF's verification QR code (KOD I) carries it. With ksef_number.",
    )

    def validate_ksef_number(self, value: str) -> str:
        return ksef_number_normalized(value) if value.strip() else ""

    def validate_ksef_hash(self, value: str) -> str:
        value = value.strip()
        if not value:
            return ""
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise serializers.ValidationError(
                _("Skrót pliku faktury to SHA-256 zapisany w Base64 (44 znaki).")
            )
        return value

    def validate(self, data):
        data = super().validate(data)
        if bool(data["ksef_number"]) != bool(data["ksef_hash"]):
            missing = "ksef_hash" if data["ksef_number"] else "ksef_number"
            raise serializers.ValidationError(
                {missing: _("Numer KSeF i skrót pliku faktury podaje się razem.")}
            )
        return data


class InvoiceRecord(KsefFields, RecordSerializer):
    number = serializers.CharField(max_length=40)
    invoice_kind = serializers.ChoiceField(_INVOICE_KINDS)
    contract = serializers.CharField(required=False, allow_blank=True, default="", **ID)
    installment_number = serializers.IntegerField(required=False, min_value=1)
    fee = serializers.CharField(required=False, allow_blank=True, default="", **ID)
    issue_date = serializers.DateField()
    sale_date = serializers.DateField(required=False)
    due_date = serializers.DateField()
    settled_by_schedule = serializers.DecimalField(
        required=False, default=Decimal(0), **NON_NEGATIVE
    )
    lines = LineRecord(many=True, allow_empty=False)
    pdf_base64 = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, data):
        if data["due_date"] < data["issue_date"]:
            raise serializers.ValidationError(
                {"due_date": _("Termin płatności przed datą wystawienia.")}
            )
        if "installment_number" in data and not data["contract"]:
            raise serializers.ValidationError({"contract": _("Rata wymaga podania umowy.")})
        if data["fee"] and not data["contract"]:
            raise serializers.ValidationError({"contract": _("Opłata wymaga podania umowy.")})
        return super().validate(data)


class CorrectionRecord(KsefFields, RecordSerializer):
    number = serializers.CharField(max_length=40)
    corrects = serializers.CharField(**ID)
    reason = serializers.CharField(max_length=200)
    issue_date = serializers.DateField()
    lines = LineRecord(many=True, allow_empty=False)


class AllocationRecord(serializers.Serializer):
    invoice = serializers.CharField(**ID)
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))


class PaymentRecord(RecordSerializer):
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    received_on = serializers.DateField()
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    bank_reference = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    invoice = serializers.CharField(required=False, allow_blank=True, default="", **ID)
    allocations = AllocationRecord(many=True, required=False)


class PolicyRecord(RecordSerializer):
    contract = serializers.CharField(**ID)
    asset = serializers.CharField(required=False, allow_blank=True, default="", **ID)
    insurer = serializers.CharField(max_length=120)
    number = serializers.CharField(max_length=60)
    type = serializers.ChoiceField(InsurancePolicy.Type.choices)
    variant = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    sum_insured = serializers.DecimalField(**NON_NEGATIVE)
    premium = serializers.DecimalField(**NON_NEGATIVE)
    arranged_by = serializers.ChoiceField(
        InsurancePolicy.ArrangedBy.choices, required=False, default="lessor"
    )

    def validate(self, data):
        if data["valid_to"] < data["valid_from"]:
            raise serializers.ValidationError(
                {"valid_to": _("Data końca ochrony przed datą początku.")}
            )
        return data


class FeeRecord(RecordSerializer):
    contract = serializers.CharField(**ID)
    fee_kind = serializers.ChoiceField(AdditionalFee.Kind.choices)
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    charged_on = serializers.DateField()
    net = serializers.DecimalField(**NON_NEGATIVE)
    vat = serializers.DecimalField(required=False, default=Decimal(0), **NON_NEGATIVE)


# --- fleet (car fleet management): per vehicle ------------------------------------------------

KM = {"min_value": 0, "max_value": 9_999_999}


class FleetRecord(RecordSerializer):
    asset = serializers.CharField(
        help_text="The vehicle: its external id, as sent in the `assets` of its contract.", **ID
    )
    contract = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The vehicle's contract; needed only when the company has two vehicles with "
        "the same external id (on different contracts).",
        **ID,
    )


def _gross_not_below_net(data: dict) -> dict:
    if data["gross"] < data["net"]:
        raise serializers.ValidationError({"gross": _("Kwota brutto mniejsza od netto.")})
    return data


class ServiceVisitRecord(FleetRecord):
    date = serializers.DateField()
    workshop = serializers.CharField(max_length=200)
    mileage_km = serializers.IntegerField(required=False, allow_null=True, default=None, **KM)
    scope = serializers.ChoiceField(ServiceVisit.Scope.choices)
    description = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    net = serializers.DecimalField(**NON_NEGATIVE)
    gross = serializers.DecimalField(**NON_NEGATIVE)
    invoice_number = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    invoice = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The portal invoice (external id) that re-invoiced the cost to the client.",
        **ID,
    )

    def validate(self, data):
        return _gross_not_below_net(data)


class DamageRecord(FleetRecord):
    occurred_on = serializers.DateField()
    place = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000)
    claim_status = serializers.ChoiceField(
        Damage.Status.choices,
        help_text="The claim's status; a change is recorded in its history and the company's "
        "fleet users are notified, as when staff change it.",
    )
    insurer = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    claim_number = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    repair_cost = serializers.DecimalField(required=False, default=Decimal(0), **NON_NEGATIVE)
    covered_amount = serializers.DecimalField(required=False, default=Decimal(0), **NON_NEGATIVE)
    handler_name = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default=""
    )
    handler_phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default=""
    )
    handler_email = serializers.EmailField(required=False, allow_blank=True, default="")
    portal_claim = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="The number of the damage a client reported in the portal, when this record "
        "is that damage as registered in the core system (shown to staff in the admin's damage "
        "list and in the portal's e-mail about the report). The first time, the reported claim "
        "takes this record's external id and values (keeping the client's photos and history) "
        "instead of a second claim being opened; a number that is unknown, of another vehicle "
        "or already joined to another record is refused.",
    )

    def validate(self, data):
        if data["covered_amount"] > data["repair_cost"]:
            raise serializers.ValidationError(
                {"covered_amount": _("Kwota pokryta przez ubezpieczyciela przekracza koszt.")}
            )
        return data


class FuelTransactionRecord(FleetRecord):
    occurred_at = serializers.DateTimeField()
    card_number = serializers.CharField(max_length=8, required=False, allow_blank=True, default="")
    station = serializers.CharField(max_length=200)
    product = serializers.ChoiceField(FuelTransaction.Product.choices)
    litres = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=Decimal(0), required=False, default=Decimal(0)
    )
    net = serializers.DecimalField(**NON_NEGATIVE)
    gross = serializers.DecimalField(**NON_NEGATIVE)
    mileage_km = serializers.IntegerField(required=False, allow_null=True, default=None, **KM)

    def validate(self, data):
        return _gross_not_below_net(data)


class MileageReadingRecord(FleetRecord):
    read_on = serializers.DateField()
    mileage_km = serializers.IntegerField(**KM)
    source = serializers.ChoiceField(MileageReading.Source.choices)


class BalanceRecord(RecordSerializer):
    """The company's balance in the core system (charges - payments), for reconciliation."""

    external_id = serializers.CharField(required=False, **ID)
    as_of = serializers.DateField()
    balance = serializers.DecimalField(max_digits=16, decimal_places=2)


# The order records of one company are applied in, whatever order they came in: what a record
# refers to is written first.
KINDS: dict[str, type[RecordSerializer]] = {
    "company": CompanyRecord,
    "contract": ContractRecord,
    "contract_status": ContractStatusRecord,
    "schedule": ScheduleRecord,
    "fee": FeeRecord,
    "policy": PolicyRecord,
    "invoice": InvoiceRecord,
    "correction": CorrectionRecord,
    "payment": PaymentRecord,
    "service_visit": ServiceVisitRecord,
    "damage": DamageRecord,
    "fuel_transaction": FuelTransactionRecord,
    "mileage_reading": MileageReadingRecord,
    "balance": BalanceRecord,
}
KIND_ORDER = {kind: position for position, kind in enumerate(KINDS)}


def error_paths(detail, prefix: str = "") -> list[tuple[str, str]]:
    """DRF's nested error detail as (field path, message): `lines[1].net`."""
    found: list[tuple[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # an item of a list of objects
                found += error_paths(value, f"{prefix}[{key}]")
                continue
            name = "" if key == "non_field_errors" else str(key)
            path = f"{prefix}.{name}" if prefix and name else (name or prefix)
            found += error_paths(value, path)
    elif isinstance(detail, list):
        if detail and all(isinstance(item, str) for item in detail):
            found += [(prefix, str(item)) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    found += error_paths(item, f"{prefix}[{index}]")
    else:
        found.append((prefix, str(detail)))
    return found
