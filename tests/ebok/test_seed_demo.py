"""`manage.py seed_demo`: realistic, consistent, idempotent demo data (and a benchmark company)."""

from __future__ import annotations

import io
import re
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.pl import nip, regon

from accounts.demo import DEMO_PASSWORD, DEMO_STAFF, SCALE_COMPANY
from accounts.models import Company, User
from contracts.models import (
    AdditionalFee,
    Contract,
    Installment,
    InsurancePolicy,
    LeasedAsset,
    RateChange,
)
from contracts.services import schedule_generate
from ebok.dates import today as business_today
from invoices.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from invoices.selectors import company_balance
from invoices.services import invoice_issue_for_installment
from tests.accounts.helpers import sign_in
from tests.invoices.helpers import assert_settlement_consistent

pytestmark = pytest.mark.django_db
SCALE = 30

MODELS = (
    Company,
    User,
    Contract,
    LeasedAsset,
    Installment,
    InsurancePolicy,
    AdditionalFee,
    RateChange,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
)
VEHICLES = ("car", "van", "truck", "trailer")


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One seeded database for the module (seeding takes seconds); each test's own changes
    are rolled back as usual, and the seed itself at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed(scale=SCALE)
        transaction.set_rollback(True)


def snapshot() -> dict:
    """What a second run must not change: row counts, every amount, every balance."""
    return {
        "counts": {model._meta.label: model.objects.count() for model in MODELS},
        "client users": list(User.objects.filter(company__isnull=False).values_list("username")),
        "invoices": list(
            Invoice.objects.order_by("number").values_list(
                "number", "company__client_number", "gross", "amount_payable", "amount_paid"
            )
        ),
        "payments": list(
            Payment.objects.order_by("company__client_number", "received_on", "amount").values_list(
                "company__client_number", "received_on", "amount", "unallocated"
            )
        ),
        "balances": {c.client_number: company_balance(company=c) for c in Company.objects.all()},
    }


def vin_is_valid(vin: str) -> bool:
    """ISO 3779 check digit (position 9), computed independently of the seeder."""
    values = dict(zip("0123456789", range(10), strict=True))
    for letters, start in (("ABCDEFGH", 1), ("JKLMN", 1), ("P", 7), ("R", 9), ("STUVWXYZ", 2)):
        values.update({letter: start + i for i, letter in enumerate(letters)})
    weights = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
    if len(vin) != 17 or set(vin) & set("IOQ"):
        return False
    remainder = sum(values[c] * w for c, w in zip(vin, weights, strict=True)) % 11
    return vin[8] == ("X" if remainder == 10 else str(remainder))


def test_a_second_run_changes_nothing(demo):
    first = snapshot()

    output = seed(scale=SCALE)

    assert snapshot() == first
    for printed in (demo, output):
        assert "Demo sign-in" in printed
        assert "31000001  anna.nowak" in printed
        assert DEMO_PASSWORD in printed


def test_demo_data_is_valid_consistent_and_covers_every_case(demo):
    companies = list(Company.objects.exclude(client_number=SCALE_COMPANY))
    assert len(companies) == 5
    for login in ("anna.nowak", "piotr.wojcik"):  # the printed credentials work
        browser = Client()
        sign_in(
            browser, User.objects.get(company__client_number="31000001", login=login), DEMO_PASSWORD
        )
        assert browser.session["_auth_user_id"] == str(User.objects.get(login=login).pk)

    for company in companies:
        assert nip.is_valid(company.nip) and regon.is_valid(company.regon), company
        users = company.users.all()
        assert users.count() >= 2 and users.filter(is_company_admin=True).exists(), company
        assert_settlement_consistent(company)
        balance = company_balance(company=company)
        # saldo = charges - payments = what is still owed - unused credit
        assert balance.balance == balance.due + balance.not_yet_due - balance.overpayment

    contracts = Contract.objects.exclude(company__client_number=SCALE_COMPANY)
    assert set(contracts.values_list("status", flat=True)) == set(Contract.Status.values)
    assert set(contracts.values_list("kind", flat=True)) == set(Contract.Kind.values)
    day = business_today()
    for contract in Contract.objects.all():
        assert contract.signed_on <= day, contract
        expected = (
            Contract.Status.SIGNED
            if contract.start_date > day
            else Contract.Status.ENDED
            if contract.end_date < day
            else Contract.Status.ACTIVE
        )
        assert contract.status == expected, contract
    for contract in contracts:
        rows = list(contract.installments.order_by("number"))
        assert len(rows) == contract.installment_count
        assert sum(r.capital for r in rows) == contract.financed_capital - contract.buyout_value
        assert rows[-1].remaining_capital == contract.buyout_value
        if contract.status == Contract.Status.ENDED:
            assert contract.invoices.filter(kind=Invoice.Kind.BUYOUT).exists(), contract
            assert all(r.invoice_id for r in rows), contract

    for status in Invoice.Status.values:
        assert Invoice.objects.with_status(status, day).exists(), status
    assert Invoice.objects.filter(kind=Invoice.Kind.CORRECTION).exists()
    assert {p.status_on(day) for p in InsurancePolicy.objects.all()} >= {
        "active",
        "expiring",
        "expired",
    }
    assert any(company_balance(company=c).overpayment > 0 for c in companies)
    assert AdditionalFee.objects.filter(invoice__isnull=True).exists()  # left for staff
    assert AdditionalFee.objects.filter(invoice__isnull=False).exists()
    assert RateChange.objects.exists()

    for asset in LeasedAsset.objects.all():
        if asset.kind in VEHICLES:
            assert vin_is_valid(asset.serial_number), asset.serial_number
            assert re.fullmatch(r"[A-Z]{2} [0-9][0-9A-Z]{4}", asset.registration_number), asset
        else:
            assert asset.serial_number and not asset.registration_number


def test_the_back_office_demo_user_exists_only_with_debug(demo, settings):
    assert not User.objects.filter(username=DEMO_STAFF["username"]).exists()
    assert "createsuperuser" in demo

    settings.DEBUG = True
    output = seed()

    staff = User.objects.get(username=DEMO_STAFF["username"])
    device = TOTPDevice.objects.get(user=staff, confirmed=True)
    assert staff.is_superuser and staff.company is None
    assert DEMO_STAFF["password"] in output
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    browser = Client()
    browser.post(
        reverse("admin:login"),
        {
            "username": staff.username,
            "password": DEMO_STAFF["password"],
            "otp_device": device.persistent_id,
            "otp_token": f"{token:06d}",
        },
    )
    assert browser.get(reverse("admin:index")).status_code == 200


def test_scale_builds_a_large_company_that_can_be_topped_up(demo):
    company = Company.objects.get(client_number=SCALE_COMPANY)
    assert company.contracts.count() == SCALE
    assert company.invoices.count() > 100
    assert company.payments.exists()
    assert_settlement_consistent(company)
    statuses = {i.status for i in company.invoices.all()}
    assert statuses == set(Invoice.Status.values) - {Invoice.Status.OVERDUE}

    started = time.monotonic()
    seed(scale=SCALE + 10)
    assert time.monotonic() - started < 30

    assert company.contracts.count() == SCALE + 10
    assert_settlement_consistent(company)
    numbers = list(Invoice.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))


@pytest.mark.parametrize("kind", Contract.Kind.values)
def test_scale_invoices_are_the_ones_the_services_issue(demo, kind):
    company = Company.objects.get(client_number=SCALE_COMPANY)
    bulk = (
        Invoice.objects.filter(company=company, contract__kind=kind, installment__isnull=False)
        .select_related("contract", "installment")
        .order_by("-issue_date")
        .first()
    )
    # The same contract once more, invoiced by the service itself.
    terms = model_to_dict(bulk.contract, exclude=["id", "company", "number"])
    twin = Contract.objects.create(company=company, number="BLIZNIAK/1", **terms)
    schedule_generate(contract=twin)
    twin_installment = twin.installments.get(number=bulk.installment.number)
    issued = invoice_issue_for_installment(installment=twin_installment, issue_date=bulk.issue_date)

    ignored = ["id", "number", "contract", "pdf", "amount_paid"]
    assert model_to_dict(issued, exclude=ignored) == model_to_dict(bulk, exclude=ignored)

    def lines(invoice):
        fields = ("quantity", "unit", "unit_net", "net", "vat_rate", "vat", "gross")
        return [
            (
                line.position,
                line.description.replace(invoice.contract.number, "#"),
                *(getattr(line, name) for name in fields),
            )
            for line in invoice.lines.order_by("position")
        ]

    assert lines(issued) == lines(bulk)
    assert bulk.gross == bulk.installment.gross
    assert re.fullmatch(r"FV/\d{4}/\d{2}/\d{6}", bulk.number)
    assert issued.gross == bulk.gross > Decimal(0)


def test_financial_leases_are_invoiced_as_a_supply_of_goods(demo):
    """The handover invoice sells the asset (net, 23 % VAT, gross) and asks for the initial
    payment + VAT; exempt lines (interest, re-invoiced insurance) name their legal basis."""
    handovers = Invoice.objects.filter(
        kind=Invoice.Kind.INITIAL, contract__kind=Contract.Kind.FINANCIAL
    ).select_related("contract")
    assert handovers.exists()
    for invoice in handovers:
        contract = invoice.contract
        assert (invoice.net, invoice.vat) == (contract.net_value, contract.asset_vat), invoice
        assert invoice.settled_by_schedule == contract.financed_capital, invoice
        assert invoice.amount_payable == contract.handover_payable, invoice
        assert not invoice.lines.exclude(vat_rate="23").exists(), invoice
    exempt = InvoiceLine.objects.filter(vat_rate="zw")
    assert exempt.exists() and not exempt.filter(exemption_basis="").exists()
    assert exempt.filter(exemption_basis__contains="art. 43 ust. 1 pkt 37").exists()


def test_a_demo_company_and_the_scale_company_have_a_fleet(demo):
    from contracts.fleet.models import Damage, FuelTransaction, MileageReading, ServiceVisit

    trans_pol = Company.objects.get(client_number="31000001")
    assert trans_pol.contracts.filter(fleet_management=True).exists()
    for model in (ServiceVisit, FuelTransaction, MileageReading, Damage):
        assert model.objects.filter(company=trans_pol).exists(), model
    assert Damage.objects.filter(company=trans_pol, source=Damage.Source.PORTAL).exists()
    assert FuelTransaction.objects.filter(company__client_number=SCALE_COMPANY).exists()
    counts = [model.objects.count() for model in (ServiceVisit, FuelTransaction, Damage)]
    seed(scale=SCALE)
    assert [model.objects.count() for model in (ServiceVisit, FuelTransaction, Damage)] == counts
