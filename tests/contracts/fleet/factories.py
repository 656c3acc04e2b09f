"""factory_boy factories for the fleet records (shared by the fleet page and claim tests).

Every record hangs off a leased vehicle of a CFM contract (`Contract.fleet_management`); the
model's `save()` copies the vehicle's contract and company onto the row.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from contracts.fleet.models import (
    Damage,
    DamagePhoto,
    FuelTransaction,
    MileageReading,
    ServiceVisit,
)
from tests.factories import ContractFactory, LeasedAssetFactory


class FleetContractFactory(ContractFactory):
    """A contract with car fleet management."""

    fleet_management = True


class FleetVehicleFactory(LeasedAssetFactory):
    """A passenger car leased on a CFM contract."""

    contract = factory.SubFactory(FleetContractFactory)


class ServiceVisitFactory(DjangoModelFactory):
    class Meta:
        model = ServiceVisit

    asset = factory.SubFactory(FleetVehicleFactory)
    date = dt.date(2026, 3, 10)
    workshop = "Auto-Serwis Kowalski"
    mileage_km = 15000
    scope = ServiceVisit.Scope.INSPECTION
    description = "Przegląd okresowy, wymiana oleju"
    net = Decimal("650.00")
    gross = factory.LazyAttribute(lambda o: (o.net * Decimal("1.23")).quantize(Decimal("0.01")))
    invoice_number = factory.Sequence(lambda n: f"FV/{n:05d}/2026")


class DamageFactory(DjangoModelFactory):
    class Meta:
        model = Damage

    asset = factory.SubFactory(FleetVehicleFactory)
    occurred_on = dt.date(2026, 4, 2)
    place = "Warszawa, ul. Marszałkowska"
    description = "Otarcie lewych drzwi na parkingu"
    status = Damage.Status.REGISTERED
    insurer = "PZU S.A."
    claim_number = factory.Sequence(lambda n: f"SZK/{n:06d}")
    repair_cost = Decimal("3200.00")
    covered_amount = Decimal("2700.00")
    handler_name = "Anna Nowak"
    handler_phone = "+48 22 555 01 01"
    handler_email = "likwidacja@ubezpieczyciel.example.pl"


class DamagePhotoFactory(DjangoModelFactory):
    class Meta:
        model = DamagePhoto

    damage = factory.SubFactory(DamageFactory)
    file = factory.django.ImageField(filename="szkoda.jpg", format="JPEG")
    name = "szkoda.jpg"
    content_type = "image/jpeg"
    size = factory.LazyAttribute(lambda o: o.file.size if o.file else 0)


class FuelTransactionFactory(DjangoModelFactory):
    class Meta:
        model = FuelTransaction

    asset = factory.SubFactory(FleetVehicleFactory)
    occurred_at = factory.LazyFunction(lambda: timezone.make_aware(dt.datetime(2026, 3, 5, 8, 30)))
    card_number = "4321"
    station = "Orlen Warszawa Puławska"
    product = FuelTransaction.Product.DIESEL
    litres = Decimal("50.00")
    net = Decimal("243.90")
    gross = Decimal("300.00")
    mileage_km = None


class MileageReadingFactory(DjangoModelFactory):
    class Meta:
        model = MileageReading

    asset = factory.SubFactory(FleetVehicleFactory)
    read_on = dt.date(2026, 3, 1)
    mileage_km = 15000
    source = MileageReading.Source.FUEL
