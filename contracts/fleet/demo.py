"""Demo fleet data: one demo company (Trans-Pol) gets car fleet management (CFM) on its running
vehicle contracts with a year of history — service visits every few months, weekly fuel card
transactions with a growing odometer, monthly mileage readings, a few damages in various
statuses and one just reported in the portal — and the insurers' claims contacts on the
policies. `--scale` gives the benchmark company's vehicles the same in proportion.

Deterministic (`ctx.random`), dates relative to `ctx.today`, rows written with bulk_create;
a vehicle that has any fleet row is skipped, so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from accounts.demo import SCALE_COMPANY, TRANS_POL
from accounts.models import Company, User
from contracts.models import Contract, InsurancePolicy, LeasedAsset
from ebok.datacache import company_data_changed
from ebok.demo import DemoContext

from .models import (
    Damage,
    DamagePhoto,
    DamageStatusChange,
    FuelTransaction,
    MileageReading,
    ServiceVisit,
)

FLEET_COMPANY = TRANS_POL
FLEET_MANAGER = "k.lewandowska"  # a non-admin user given the fleet permission
SCALE_SHARE = Decimal("0.6")  # of the benchmark company's vehicle contracts under CFM
BATCH = 5000
CENT = Decimal("0.01")
VAT = Decimal("1.23")

A = LeasedAsset.Kind
S = Damage.Status
P = FuelTransaction.Product

# Where each demo insurer takes claims (shown with the vehicle's damages).
CLAIMS_CONTACTS = {
    "PZU SA": ("801 102 102", "szkody@pzu.example.pl", "https://szkody.pzu.example.pl/"),
    "TUiR Warta SA": ("502 308 308", "szkody@warta.example.pl", "https://szkody.warta.example.pl/"),
    "Uniqa TU SA": ("22 599 95 22", "szkody@uniqa.example.pl", "https://szkody.uniqa.example.pl/"),
    "Allianz SA": ("224 224 224", "szkody@allianz.example.pl", ""),
    "Ergo Hestia SA": ("58 555 55 55", "szkody@hestia.example.pl", ""),
}
DEFAULT_CONTACT = ("801 000 000", "szkody@ubezpieczyciel.example.pl", "")

# Per kind of vehicle: km per day, litres per 100 km, product.
DRIVING = {
    A.PASSENGER_CAR: (110, Decimal("6.2"), P.DIESEL),
    A.VAN: (150, Decimal("9.5"), P.DIESEL),
    A.TRUCK: (430, Decimal("29.0"), P.DIESEL),
}
PRICE = {P.DIESEL: Decimal("6.39"), P.PETROL: Decimal("6.19"), P.ADBLUE: Decimal("3.99")}
STATIONS = (
    "Orlen Warszawa Puławska",
    "BP Piaseczno Okulickiego",
    "Shell Janki Mszczonowska",
    "Circle K Radom Warszawska",
    "Orlen Łódź Rokicińska",
    "Moya Stryków",
    "Orlen Poznań Głogowska",
)
WORKSHOPS = (
    "ASO Škoda Auto-Plus Warszawa",
    "Renault Trucks Serwis Ożarów",
    "Volvo Truck Center Warszawa",
    "Auto-Serwis Kowalski Piaseczno",
    "Oponiarnia Best-Drive Janki",
)
HANDLERS = (
    ("Marta Zając", "+48 22 555 01 11", "m.zajac@likwidacja.example.pl"),
    ("Krzysztof Wróbel", "+48 22 555 01 12", "k.wrobel@likwidacja.example.pl"),
)


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _aware(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass
class _Rows:
    services: list[ServiceVisit] = field(default_factory=list)
    fuel: list[FuelTransaction] = field(default_factory=list)
    readings: list[MileageReading] = field(default_factory=list)

    def save(self) -> int:
        ServiceVisit.objects.bulk_create(self.services, batch_size=BATCH)
        FuelTransaction.objects.bulk_create(self.fuel, batch_size=BATCH)
        MileageReading.objects.bulk_create(self.readings, batch_size=BATCH)
        return len(self.services) + len(self.fuel) + len(self.readings)


def seed(ctx: DemoContext) -> None:
    company = Company.objects.filter(client_number=FLEET_COMPANY).first()
    if company is not None:
        seed_company(ctx, company, share=Decimal(1), damages=True)
    if ctx.scale:
        scale = Company.objects.filter(client_number=SCALE_COMPANY).first()
        if scale is not None:
            seed_company(ctx, scale, share=SCALE_SHARE, damages=True)


def seed_company(ctx: DemoContext, company: Company, *, share: Decimal, damages: bool) -> int:
    """Give `company` a CFM fleet with a year of history (vehicles without fleet rows only)."""
    vehicles = _fleet_vehicles(ctx, company, share)
    if not vehicles:
        return 0
    Contract.objects.filter(pk__in={v.contract_id for v in vehicles}).update(fleet_management=True)
    _claims_contacts(vehicles)
    rows = _Rows()
    for asset in vehicles:
        _history(ctx, asset, rows)
    count = rows.save()
    if damages:
        count += _damages(ctx, company, vehicles)
    _fleet_permission(company)
    company_data_changed(company.pk)  # bulk_create sends no signals
    ctx.log(f"{company.name}: fleet of {len(vehicles)} vehicles, {count} records")
    ctx.note(
        "Flota (CFM)",
        f"{company.client_number} {company.name}: {len(vehicles)} pojazdów, /flota/",
    )
    return count


def _fleet_vehicles(ctx: DemoContext, company: Company, share: Decimal) -> list[LeasedAsset]:
    """The company's vehicles on running (or ended) contracts that have no fleet rows yet; with
    a `share` below 1, that part of them, chosen per contract number (stable between runs)."""
    assets = (
        LeasedAsset.objects.filter(
            contract__company=company,
            kind__in=(A.PASSENGER_CAR, A.VAN, A.TRUCK, A.TRAILER),
            contract__start_date__lte=ctx.today,
        )
        .exclude(
            Q(pk__in=ServiceVisit.objects.filter(company=company).values("asset_id"))
            | Q(pk__in=FuelTransaction.objects.filter(company=company).values("asset_id"))
        )
        .select_related("contract")
        .order_by("pk")
    )
    chosen = []
    for asset in assets:
        if share < 1 and asset.contract.fleet_management is False:
            draw = ctx.random(f"fleet:cfm:{asset.contract.number}").random()
            if Decimal(str(draw)) >= share:
                continue
        chosen.append(asset)
    return chosen


def _claims_contacts(vehicles: list[LeasedAsset]) -> None:
    policies = InsurancePolicy.objects.filter(
        asset__in=vehicles,
        type__in=(InsurancePolicy.Type.AC, InsurancePolicy.Type.OC),
        claims_phone="",
    )
    for insurer in policies.values_list("insurer", flat=True).distinct():
        phone, email, url = CLAIMS_CONTACTS.get(insurer, DEFAULT_CONTACT)
        policies.filter(insurer=insurer).update(
            claims_phone=phone, claims_email=email, claims_url=url
        )


def _row(asset: LeasedAsset) -> dict:
    return {
        "asset": asset,
        "contract_id": asset.contract_id,
        "company_id": asset.contract.company_id,
    }


def _history(ctx: DemoContext, asset: LeasedAsset, rows: _Rows) -> None:
    """A year (or since the contract started) of services, refuelling and odometer readings."""
    rng = ctx.random(f"fleet:history:{asset.contract.number}:{asset.pk}")
    start = max(ctx.today - dt.timedelta(days=365), asset.contract.start_date)
    km_day, per_100, product = DRIVING.get(asset.kind, (0, Decimal(0), P.DIESEL))
    if "Hybrid" in asset.model or "TSI" in asset.model:
        per_100, product = Decimal("5.4"), P.PETROL
    driven_before = (start - asset.contract.start_date).days * km_day
    odometer = 15 + driven_before + rng.randint(0, 900)
    key = f"D{asset.pk}"
    first_fuel = len(rows.fuel)
    # Weekly refuelling (a trailer has no tank: only its services)
    day, week = start + dt.timedelta(days=rng.randint(0, 6)), 0
    while km_day and day <= ctx.today:
        driven = km_day * 7 + rng.randint(-km_day * 2, km_day * 2)
        odometer += max(driven, 50)
        litres = _money(Decimal(driven) * per_100 / 100 * Decimal(rng.uniform(0.9, 1.1)))
        gross = _money(litres * PRICE[product] * Decimal(rng.uniform(0.97, 1.04)))
        moment = _aware(day, rng.randint(6, 20), rng.randint(0, 59))
        common = {**_row(asset), "card_number": f"{7000 + asset.pk % 1000:04d}"}
        rows.fuel.append(
            FuelTransaction(
                **common,
                external_id=f"{key}-F{week}",
                occurred_at=moment,
                station=rng.choice(STATIONS),
                product=product,
                litres=litres,
                net=_money(gross / VAT),
                gross=gross,
                mileage_km=odometer,
            )
        )
        if asset.kind == A.TRUCK and week % 3 == 0:
            litres = Decimal(rng.randint(20, 40))
            gross = _money(litres * PRICE[P.ADBLUE])
            rows.fuel.append(
                FuelTransaction(
                    **common,
                    external_id=f"{key}-A{week}",
                    occurred_at=moment + dt.timedelta(minutes=3),
                    station=rows.fuel[-1].station,
                    product=P.ADBLUE,
                    litres=litres,
                    net=_money(gross / VAT),
                    gross=gross,
                    mileage_km=odometer,
                )
            )
        if asset.kind == A.PASSENGER_CAR and week % 4 == 2:
            rows.fuel.append(
                FuelTransaction(
                    **common,
                    external_id=f"{key}-W{week}",
                    occurred_at=moment + dt.timedelta(minutes=10),
                    station=rows.fuel[-1].station,
                    product=P.WASH,
                    litres=Decimal(0),
                    net=_money(Decimal("39.00") / VAT),
                    gross=Decimal("39.00"),
                    mileage_km=None,
                )
            )
        if week % 4 == 3:
            rows.readings.append(
                MileageReading(
                    **_row(asset),
                    external_id=f"{key}-M{week}",
                    read_on=day,
                    mileage_km=odometer,
                    source=MileageReading.Source.FUEL,
                )
            )
        day += dt.timedelta(days=7 + rng.randint(-1, 1))
        week += 1
    _services(ctx, rng, asset, start, rows, key, fuel=rows.fuel[first_fuel:])


def _services(
    ctx, rng, asset: LeasedAsset, start: dt.date, rows: _Rows, key: str, *, fuel: list
) -> None:
    km_day = DRIVING.get(asset.kind, (0,))[0]
    day, visit = start + dt.timedelta(days=rng.randint(30, 80)), 0
    scopes = [
        (ServiceVisit.Scope.INSPECTION, "Przegląd okresowy, wymiana oleju i filtrów", 700, 1400),
        (ServiceVisit.Scope.TYRES, "Wymiana opon sezonowa, wyważenie kół", 180, 400),
        (ServiceVisit.Scope.REPAIR, "Wymiana klocków i tarcz hamulcowych", 900, 2100),
        (ServiceVisit.Scope.GLASS, "Naprawa odprysku szyby czołowej", 150, 300),
    ]
    if asset.kind == A.TRUCK:
        scopes[0] = (ServiceVisit.Scope.INSPECTION, "Przegląd okresowy ciągnika", 2400, 4200)
    while day < ctx.today:
        scope, description, low, high = scopes[visit % len(scopes)]
        net = _money(rng.randint(low, high))
        mileage = None
        if km_day:
            before = [f.mileage_km for f in fuel if f.mileage_km and f.occurred_at.date() <= day]
            mileage = (before[-1] if before else 15) + km_day * rng.randint(0, 3)
        rows.services.append(
            ServiceVisit(
                **_row(asset),
                external_id=f"{key}-S{visit}",
                date=day,
                workshop=rng.choice(WORKSHOPS),
                mileage_km=mileage,
                scope=scope,
                description=description,
                net=net,
                gross=_money(net * VAT),
                invoice_number=f"FV/{day:%Y/%m}/{rng.randint(100, 9999)}",
            )
        )
        if mileage:
            rows.readings.append(
                MileageReading(
                    **_row(asset),
                    external_id=f"{key}-MS{visit}",
                    read_on=day,
                    mileage_km=mileage,
                    source=MileageReading.Source.SERVICE,
                )
            )
        day += dt.timedelta(days=rng.randint(85, 130))
        visit += 1


# --- damages ---------------------------------------------------------------------------------

# (days ago, status path, place, description, repair cost, covered share)
DAMAGE_STORIES = (
    (
        210,
        (S.REPORTED, S.REGISTERED, S.INSPECTION, S.REPAIR, S.SETTLED),
        "Warszawa, parking CH Arkadia",
        "Otarcie tylnego zderzaka i błotnika podczas parkowania przez nieznanego sprawcę.",
        Decimal("3850.00"),
        Decimal("0.87"),
    ),
    (
        38,
        (S.REPORTED, S.REGISTERED, S.INSPECTION, S.REPAIR),
        "Ożarów Mazowiecki, ul. Poznańska",
        "Uszkodzenie lusterka i drzwi bocznych przez wyjeżdżający pojazd; sprawca znany, "
        "spisane wspólne oświadczenie.",
        Decimal("6200.00"),
        Decimal("0"),
    ),
    (
        120,
        (S.REPORTED, S.REGISTERED, S.INSPECTION, S.REJECTED),
        "A2, km 412 (kierunek Poznań)",
        "Pęknięcie szyby czołowej od kamienia spod kół innego pojazdu.",
        Decimal("2400.00"),
        Decimal("0"),
    ),
    (
        15,
        (S.REPORTED, S.REGISTERED),
        "Piaseczno, ul. Puławska",
        "Kolizja na skrzyżowaniu: wgniecenie przedniego zderzaka i reflektora.",
        Decimal("0"),
        Decimal("0"),
    ),
)


def _damages(ctx: DemoContext, company: Company, vehicles: list[LeasedAsset]) -> int:
    """A few claims in various statuses (about one per three vehicles) and, on the first
    vehicle, one just reported in the portal with a photo."""
    driven = [v for v in vehicles if v.kind != A.TRAILER] or vehicles
    policies = _policies(vehicles)
    damages: list[Damage] = []
    changes: list[tuple[int, list[tuple[str, dt.datetime]]]] = []
    count = max(1, len(driven) // 3) if len(driven) > 4 else min(len(driven), len(DAMAGE_STORIES))
    for index in range(count):
        asset = driven[index % len(driven)]
        rng = ctx.random(f"fleet:damage:{company.client_number}:{index}")
        days, path, place, description, cost, share = DAMAGE_STORIES[index % len(DAMAGE_STORIES)]
        days = max(days - rng.randint(0, 10), 3)
        occurred = ctx.today - dt.timedelta(days=days)
        if occurred < asset.contract.start_date:
            continue
        policy = policies.get(asset.pk)
        steps, moment = [], _aware(occurred, 9, 0) + dt.timedelta(days=1)
        for status in path:
            steps.append((status, moment))
            moment += dt.timedelta(days=rng.randint(3, max(4, days // len(path))))
        handler = rng.choice(HANDLERS)
        covered = _money(cost * share)
        damages.append(
            Damage(
                **_row(asset),
                external_id=f"D{asset.pk}-SZ{index}",
                occurred_on=occurred,
                place=place,
                description=description,
                status=path[-1],
                source=Damage.Source.CORE,
                insurer=policy.insurer if policy else "",
                policy=policy,
                claim_number=f"{occurred:%Y}/{rng.randint(100000, 999999)}/SZ",
                repair_cost=cost,
                covered_amount=covered,
                handler_name=handler[0],
                handler_phone=handler[1],
                handler_email=handler[2],
                reported_at=steps[0][1],
                status_changed_at=min(steps[-1][1], timezone.now()),
            )
        )
        changes.append((len(damages) - 1, steps))
    Damage.objects.bulk_create(damages, batch_size=BATCH)
    history = []
    for position, steps in changes:
        before = ""
        for status, moment in steps:
            history.append(
                DamageStatusChange(
                    damage=damages[position],
                    from_status=before,
                    to_status=status,
                    at=min(moment, timezone.now()),
                )
            )
            before = status
    DamageStatusChange.objects.bulk_create(history, batch_size=BATCH)
    return len(damages) + _portal_report(ctx, company, driven[0], policies.get(driven[0].pk))


def _policies(vehicles: list[LeasedAsset]) -> dict[int, InsurancePolicy]:
    """Each vehicle's latest AC policy (else OC): the one its claims go under."""
    found: dict[int, InsurancePolicy] = {}
    policies = InsurancePolicy.objects.filter(
        asset__in=vehicles, type__in=(InsurancePolicy.Type.AC, InsurancePolicy.Type.OC)
    ).order_by("valid_to", "pk")
    for policy in policies:  # the latest wins, but an OC never replaces an AC
        current = found.get(policy.asset_id)
        if current is None or policy.type == InsurancePolicy.Type.AC or current.type != "ac":
            found[policy.asset_id] = policy
    return found


def _portal_report(ctx: DemoContext, company: Company, asset, policy) -> int:
    reporter = (
        User.objects.filter(company=company, is_active=True)
        .order_by("-is_company_admin", "pk")
        .first()
    )
    moment = timezone.now() - dt.timedelta(days=2)
    damage = Damage.objects.create(
        **_row(asset),
        occurred_on=ctx.today - dt.timedelta(days=2),
        place="Warszawa, ul. Postępu (parking firmowy)",
        description="Wgniecenie maski i pęknięta szyba po gradobiciu w nocy. "
        "Pojazd jeździ, szyba do wymiany.",
        status=S.REPORTED,
        source=Damage.Source.PORTAL,
        insurer=policy.insurer if policy else "",
        policy=policy,
        reported_by=reporter,
        reported_at=moment,
        status_changed_at=moment,
        submit_token=uuid.uuid4(),
    )
    DamageStatusChange.objects.create(damage=damage, to_status=S.REPORTED, at=moment, by=reporter)
    content = _demo_photo()
    photo = DamagePhoto(
        damage=damage,
        name="maska-grad.jpg",
        content_type="image/jpeg",
        size=len(content),
        uploaded_at=moment,
    )
    photo.file.save(f"{uuid.UUID(int=damage.pk).hex}.jpg", ContentFile(content), save=False)
    photo.save()
    return 1


def _demo_photo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), (120, 130, 140))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 160, 580, 330), fill=(40, 70, 120))
    for x in range(90, 560, 45):
        draw.ellipse((x, 190, x + 18, 206), fill=(25, 45, 80))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def _fleet_permission(company: Company) -> None:
    """The demo's fleet manager sees the fleet (company admins see it anyway)."""
    if company.client_number == FLEET_COMPANY:
        User.objects.filter(company=company, login=FLEET_MANAGER).update(can_view_fleet=True)
