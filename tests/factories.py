"""factory_boy factories shared by the tests (valid NIPs, realistic Polish data)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import Company, User
from contracts.models import AdditionalFee, Contract, InsurancePolicy, LeasedAsset


def valid_nip(seed: int) -> str:
    """A NIP with a correct checksum, derived from `seed` (stable across runs)."""
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    rng = random.Random(seed)
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("client_number",)

    client_number = factory.Sequence(lambda n: f"{10000000 + n:08d}")
    name = factory.Sequence(lambda n: f"Firma Testowa {n} Sp. z o.o.")
    nip = factory.Sequence(lambda n: valid_nip(n + 1000))
    street = "ul. Prosta 1"
    postal_code = "00-001"
    city = "Warszawa"
    email = factory.Sequence(lambda n: f"biuro{n}@firma.example.pl")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    login = factory.Sequence(lambda n: f"jan.kowalski{n}")
    username = factory.LazyAttribute(
        lambda o: User.client_username(o.company.client_number, o.login)
    )
    first_name = "Jan"
    last_name = factory.Sequence(lambda n: f"Kowalski{n}")
    email = factory.Sequence(lambda n: f"jan{n}@firma.example.pl")
    phone = factory.Sequence(lambda n: f"+4860{n % 10000000:07d}")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or "Haslo!2026x")
        if create:
            obj.save(update_fields=["password"])


class StaffUserFactory(UserFactory):
    company = None
    login = ""
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    is_superuser = True


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = Contract

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: f"UL/{2026}/{n:05d}")
    kind = Contract.Kind.OPERATING
    status = Contract.Status.ACTIVE
    signed_on = dt.date(2026, 1, 10)
    start_date = dt.date(2026, 1, 15)
    end_date = factory.LazyAttribute(
        lambda o: o.start_date.replace(year=o.start_date.year + o.installment_count // 12)
    )
    net_value = Decimal("120000.00")
    initial_payment = Decimal("12000.00")
    buyout_value = Decimal("1200.00")
    installment_count = 36
    reference_rate = Contract.ReferenceRate.WIBOR_1M
    reference_rate_value = Decimal("5.8500")
    margin = Decimal("2.5000")

    class Params:
        # The 3-installment lease worked out by hand in tests/contracts/test_schedule.py:
        # K0 = 9 000.00, RV = 3 000.00, 12 % (9.5 % + 2.5 % margin), due 29.02, 31.03, 30.04.2024.
        hand_worked = factory.Trait(
            signed_on=dt.date(2024, 1, 20),
            start_date=dt.date(2024, 1, 31),
            end_date=dt.date(2024, 4, 30),
            net_value=Decimal("10000.00"),
            initial_payment=Decimal("1000.00"),
            buyout_value=Decimal("3000.00"),
            installment_count=3,
            reference_rate_value=Decimal("9.5000"),
            margin=Decimal("2.5000"),
        )


class LeasedAssetFactory(DjangoModelFactory):
    class Meta:
        model = LeasedAsset

    contract = factory.SubFactory(ContractFactory)
    kind = LeasedAsset.Kind.PASSENGER_CAR
    make = "Škoda"
    model = "Octavia Combi 2.0 TDI"
    registration_number = factory.Sequence(lambda n: f"WA{10000 + n}")
    serial_number = factory.Sequence(lambda n: f"TMBJG7NE0L{n:07d}")
    production_year = 2025


class InsurancePolicyFactory(DjangoModelFactory):
    class Meta:
        model = InsurancePolicy

    contract = factory.SubFactory(ContractFactory)
    insurer = "PZU S.A."
    number = factory.Sequence(lambda n: f"PZU/{n:08d}")
    type = InsurancePolicy.Type.AC
    variant = "AC Komfort"
    valid_from = dt.date(2026, 1, 15)
    valid_to = dt.date(2027, 1, 14)
    sum_insured = Decimal("120000.00")
    premium = Decimal("3450.00")


class AdditionalFeeFactory(DjangoModelFactory):
    class Meta:
        model = AdditionalFee

    contract = factory.SubFactory(ContractFactory)
    kind = AdditionalFee.Kind.ADMIN
    charged_on = dt.date(2026, 3, 1)
    net = Decimal("100.00")
    vat = Decimal("23.00")
    gross = Decimal("123.00")
