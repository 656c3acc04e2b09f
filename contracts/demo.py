"""Demo contracts: vehicles and machines, schedules from the services, policies and fees.

A company's contracts are created once (a company that has any contract is skipped). Contract
status follows the dates: starting in the future = signed, last installment past = ended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings

from accounts.demo import AGRO_MECH, BUDREM, MEDLAB, PIEKARNIA, SCALE_COMPANY, TRANS_POL
from accounts.models import Company
from ebok.datacache import company_data_changed
from ebok.demo import DemoContext
from ebok.money import to_money, vat_of

from .models import AdditionalFee, Contract, InsurancePolicy, LeasedAsset
from .services import schedule_apply_rate_change, schedule_generate

K = Contract.Kind
A = LeasedAsset.Kind
R = Contract.ReferenceRate
F = AdditionalFee.Kind
P = InsurancePolicy.Type
D = Decimal

VEHICLES = {A.PASSENGER_CAR, A.VAN, A.TRUCK, A.TRAILER}


# --- realistic identifiers -------------------------------------------------------------------

_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O, Q
_MODEL_YEAR = dict(zip(range(2015, 2031), "FGHJKLMNPRSTVWXY", strict=True))
_PLATE_LETTERS = "ACEFGHJKLMNPRSTUVWXY"  # Polish plates avoid B, D, I, O, Z in this part


def vin(rng, wmi: str, year: int) -> str:
    """A 17-character VIN: the maker's WMI, model year code and a valid check digit."""
    vds = "".join(rng.choice(_VIN_CHARS) for _ in range(5))
    plant = rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ")
    serial = f"{rng.randint(0, 999999):06d}"
    body = f"{wmi}{vds}0{_MODEL_YEAR[year]}{plant}{serial}"
    total = sum(_VIN_VALUES[c] * w for c, w in zip(body, _VIN_WEIGHTS, strict=True))
    check = "X" if total % 11 == 10 else str(total % 11)
    return body[:8] + check + body[9:]


def registration_number(rng, district: str) -> str:
    """A Polish plate such as `WE 4K215` or `PO 123AC` for a two-letter district code."""
    digit = lambda: str(rng.randint(0, 9))  # noqa: E731
    letter = lambda: rng.choice(_PLATE_LETTERS)  # noqa: E731
    pattern = rng.choice(["DDDDD", "DDDDL", "DDDLL", "DLDDD", "DLLDD"])
    tail = "".join(digit() if p == "D" else letter() for p in pattern)
    if tail[0] == "0":
        tail = str(rng.randint(1, 9)) + tail[1:]
    return f"{district} {tail}"


def serial_number(rng, template: str) -> str:
    """Fill a maker's serial template: `#` a digit, `@` a letter."""
    return "".join(
        str(rng.randint(0, 9)) if c == "#" else rng.choice(_VIN_CHARS[:23]) if c == "@" else c
        for c in template
    )


# --- the plans -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssetPlan:
    kind: str
    make: str
    model: str
    year: int
    identifier: str  # a WMI for vehicles, a serial template for machines
    share: Decimal = Decimal(1)  # part of the contract value


@dataclass(frozen=True)
class FeePlan:
    kind: str
    days_ago: int | None  # None = at the contract's start
    net: Decimal
    vat: bool = True
    description: str = ""


@dataclass(frozen=True)
class ContractPlan:
    kind: str
    start: relativedelta  # from today; the signing date is a few days earlier
    installments: int
    net_value: Decimal
    initial_pct: int
    buyout_pct: int
    reference_rate: str
    reference_rate_value: Decimal
    margin: Decimal
    assets: tuple[AssetPlan, ...]
    insurer: str = "PZU SA"
    fees: tuple[FeePlan, ...] = ()
    rate_change: tuple[int, Decimal] | None = None  # (days ago, new reference rate)
    policies_by_client: bool = False
    gap: bool = False


def months(n: int, days: int = 0) -> relativedelta:
    return relativedelta(months=n, days=days)


REGISTRATION = FeePlan(F.REGISTRATION, None, D("150.00"), description="Rejestracja pojazdu")

PLANS: dict[str, tuple[str, tuple[ContractPlan, ...]]] = {
    TRANS_POL: (
        "WE",
        (
            ContractPlan(
                K.OPERATING,
                months(-14, -6),
                36,
                D("168500.00"),
                15,
                19,
                R.WIBOR_1M,
                D("5.8200"),
                D("2.9000"),
                (AssetPlan(A.PASSENGER_CAR, "Škoda", "Superb Combi 2.0 TDI DSG", 2025, "TMB"),),
                insurer="TUiR Warta SA",
                fees=(REGISTRATION,),
                gap=True,
            ),
            ContractPlan(
                K.OPERATING,
                relativedelta(years=-2, days=14),  # the yearly policies expire in two weeks
                48,
                D("189900.00"),
                10,
                10,
                R.WIBOR_1M,
                D("5.8500"),
                D("3.1000"),
                (AssetPlan(A.VAN, "Renault", "Master 2.3 dCi furgon L3H2", 2024, "VF1"),),
                insurer="TUiR Warta SA",
                fees=(
                    REGISTRATION,
                    FeePlan(F.DUPLICATE, 2, D("100.00"), description="Duplikat dowodu rej."),
                ),
            ),
            ContractPlan(
                K.FINANCIAL,
                months(-20, 3),
                60,
                D("598000.00"),
                10,
                1,
                R.WIBOR_3M,
                D("5.8600"),
                D("2.4000"),
                (
                    AssetPlan(
                        A.TRUCK, "Volvo", "FH 500 4x2 ciągnik siodłowy", 2025, "YV2", D("0.7")
                    ),
                    AssetPlan(
                        A.TRAILER, "Wielton", "NS 3 naczepa kurtynowa", 2025, "SUD", D("0.3")
                    ),
                ),
                insurer="PZU SA",
                fees=(
                    REGISTRATION,
                    FeePlan(F.ABROAD, 65, D("200.00"), description="Zgoda na wyjazd za granicę"),
                    # re-invoiced insurance: exempt, its legal basis on the invoice (FeeVatRule)
                    FeePlan(
                        F.INSURANCE,
                        40,
                        D("1840.00"),
                        False,
                        "Ubezpieczenie mienia w transporcie – refaktura składki",
                    ),
                ),
                rate_change=(120, D("4.7200")),
            ),
            ContractPlan(
                K.OPERATING,
                months(-38, 9),
                36,
                D("112000.00"),
                20,
                25,
                R.WIBOR_1M,
                D("6.9100"),
                D("2.5000"),
                (AssetPlan(A.PASSENGER_CAR, "Toyota", "Corolla TS 1.8 Hybrid", 2023, "SB1"),),
                insurer="Allianz SA",
                fees=(REGISTRATION,),
            ),
        ),
    ),
    AGRO_MECH: (
        "PK",
        (
            ContractPlan(
                K.FINANCIAL,
                months(-16, 2),
                48,
                D("685000.00"),
                15,
                1,
                R.WIBOR_1M,
                D("5.8100"),
                D("2.7000"),
                (
                    AssetPlan(
                        A.MACHINE,
                        "Caterpillar",
                        "320 GC koparka gąsienicowa",
                        2025,
                        "CAT0320GC@@@#####",
                    ),
                ),
                insurer="Generali SA",
                rate_change=(55, D("4.4600")),
            ),
            ContractPlan(
                K.OPERATING,
                months(-9, -4),
                36,
                D("142000.00"),
                10,
                5,
                R.WIBOR_1M,
                D("5.7800"),
                D("3.2000"),
                (AssetPlan(A.MACHINE, "Linde", "H30D wózek widłowy", 2025, "H2X391W#####"),),
                insurer="Generali SA",
                fees=(
                    FeePlan(
                        F.ADMIN, 40, D("120.00"), description="Zmiana adresu korespondencyjnego"
                    ),
                ),
            ),
            ContractPlan(
                K.OPERATING,
                relativedelta(days=9),
                60,
                D("720000.00"),
                10,
                10,
                R.WIBOR_1M,
                D("4.4600"),
                D("2.6000"),
                (
                    AssetPlan(
                        A.MACHINE,
                        "John Deere",
                        "6R 150 ciągnik rolniczy",
                        2026,
                        "1L06R150@PN######",
                    ),
                ),
                insurer="Generali SA",
            ),
        ),
    ),
    MEDLAB: (
        "KR",
        (
            ContractPlan(
                K.OPERATING,
                months(-13, -1),
                36,
                D("86400.00"),
                10,
                1,
                R.WIBOR_1M,
                D("5.8300"),
                D("3.4000"),
                (
                    AssetPlan(A.IT, "Dell", "PowerEdge R760 serwer", 2025, "@##@@##", D("0.6")),
                    AssetPlan(A.IT, "Dell", "PowerVault ME5024 macierz", 2025, "@##@@##", D("0.4")),
                ),
                insurer="Ergo Hestia SA",
                fees=(FeePlan(F.ADMIN, 75, D("250.00"), description="Opłata administracyjna"),),
            ),
            ContractPlan(
                K.FINANCIAL,
                months(-40, 5),
                36,
                D("385000.00"),
                10,
                1,
                R.WIBOR_3M,
                D("6.9400"),
                D("2.2000"),
                (
                    AssetPlan(
                        A.EQUIPMENT,
                        "Sysmex",
                        "XN-1000 analizator hematologiczny",
                        2023,
                        "XN1-#####",
                    ),
                ),
                insurer="Ergo Hestia SA",
            ),
            ContractPlan(
                K.OPERATING,
                months(-5, 8),
                36,
                D("214000.00"),
                10,
                30,
                R.WIBOR_1M,
                D("5.7700"),
                D("2.8000"),
                (AssetPlan(A.PASSENGER_CAR, "Volvo", "XC60 B4 AWD Plus", 2026, "YV1"),),
                insurer="Ergo Hestia SA",
                fees=(REGISTRATION,),
                policies_by_client=True,
            ),
        ),
    ),
    BUDREM: (
        "EL",
        (
            ContractPlan(
                K.OPERATING,
                months(-18, 4),
                48,
                D("164000.00"),
                10,
                10,
                R.WIBOR_1M,
                D("5.8400"),
                D("3.6000"),
                (AssetPlan(A.VAN, "Ford", "Transit Custom 2.0 EcoBlue Trend", 2025, "WF0"),),
                insurer="Compensa SA",
                fees=(
                    REGISTRATION,
                    FeePlan(F.REMINDER, 62, D("50.00"), False, "Wezwanie do zapłaty"),
                    FeePlan(F.REMINDER, 31, D("50.00"), False, "Wezwanie do zapłaty"),
                ),
            ),
            ContractPlan(
                K.OPERATING,
                months(-11, -3),
                48,
                D("398000.00"),
                15,
                10,
                R.WIBOR_1M,
                D("5.8000"),
                D("3.3000"),
                (
                    AssetPlan(
                        A.MACHINE,
                        "JCB",
                        "3CX Sitemaster koparko-ładowarka",
                        2025,
                        "JCB3CX4TC########",
                    ),
                ),
                insurer="Compensa SA",
            ),
        ),
    ),
    PIEKARNIA: (
        "GD",
        (
            ContractPlan(
                K.FINANCIAL,
                months(-30, 6),
                24,
                D("148000.00"),
                20,
                1,
                R.WIBOR_1M,
                D("6.8800"),
                D("2.9000"),
                (
                    AssetPlan(
                        A.EQUIPMENT, "MIWE", "roll-in e+ piec piekarniczy", 2024, "RE-2024-####"
                    ),
                ),
                insurer="Uniqa TU SA",
            ),
            ContractPlan(
                K.OPERATING,
                relativedelta(days=5),
                48,
                D("176000.00"),
                10,
                10,
                R.WIBOR_1M,
                D("4.4600"),
                D("3.0000"),
                (AssetPlan(A.VAN, "Fiat", "Ducato Maxi 2.2 chłodnia", 2026, "ZFA"),),
                insurer="Uniqa TU SA",
                fees=(REGISTRATION,),
            ),
        ),
    ),
}

INSURER_PREFIX = {
    "PZU SA": "PZU",
    "TUiR Warta SA": "908",
    "Allianz SA": "ALZ",
    "Generali SA": "GEN",
    "Ergo Hestia SA": "HES",
    "Compensa SA": "COM",
    "Uniqa TU SA": "UNQ",
    "Link4 TU SA": "LK4",
}


# --- building --------------------------------------------------------------------------------


@dataclass
class _Numbers:
    """Contract numbers `LO/2025/03104`: kind, year of signing, a sequence per company."""

    base: int
    used: int = field(default=0)

    def next(self, kind: str, signed_on: dt.date) -> str:
        self.used += 1
        prefix = "LO" if kind == K.OPERATING else "LF"
        return f"{prefix}/{signed_on.year}/{self.base + self.used:05d}"


def status_for(start: dt.date, end: dt.date, today: dt.date) -> str:
    if start > today:
        return Contract.Status.SIGNED
    if end < today:
        return Contract.Status.ENDED
    return Contract.Status.ACTIVE


def build_contract(
    ctx: DemoContext, rng, company: Company, plan: ContractPlan, numbers: _Numbers, district: str
) -> Contract:
    start = ctx.today + plan.start
    end = start + relativedelta(months=plan.installments)
    signed_on = min(start - dt.timedelta(days=rng.randint(3, 12)), ctx.today)
    contract = Contract.objects.create(
        company=company,
        number=numbers.next(plan.kind, signed_on),
        kind=plan.kind,
        status=status_for(start, end, ctx.today),
        signed_on=signed_on,
        start_date=start,
        end_date=end,
        net_value=plan.net_value,
        initial_payment=to_money(plan.net_value * plan.initial_pct / 100),
        buyout_value=to_money(plan.net_value * plan.buyout_pct / 100),
        installment_count=plan.installments,
        reference_rate=plan.reference_rate,
        reference_rate_value=plan.reference_rate_value,
        margin=plan.margin,
    )
    assets = [build_asset(rng, contract, asset, district) for asset in plan.assets]
    schedule_generate(contract=contract)
    if plan.rate_change is not None:
        days_ago, new_rate = plan.rate_change
        schedule_apply_rate_change(
            contract=contract,
            new_reference_rate=new_rate,
            effective_from=ctx.today - dt.timedelta(days=days_ago),
        )
    for asset in assets:
        build_policies(ctx, rng, contract, asset, plan)
    for fee in plan.fees:
        charged_on = start if fee.days_ago is None else ctx.today - dt.timedelta(days=fee.days_ago)
        vat = vat_of(fee.net, settings.VAT_RATE) if fee.vat else D("0.00")
        AdditionalFee.objects.create(
            contract=contract,
            kind=fee.kind,
            description=fee.description,
            charged_on=charged_on,
            net=fee.net,
            vat=vat,
            gross=fee.net + vat,
        )
    return contract


def build_asset(rng, contract: Contract, plan: AssetPlan, district: str) -> LeasedAsset:
    is_vehicle = plan.kind in VEHICLES
    return LeasedAsset.objects.create(
        contract=contract,
        kind=plan.kind,
        make=plan.make,
        model=plan.model,
        registration_number=registration_number(rng, district) if is_vehicle else "",
        serial_number=(
            vin(rng, plan.identifier, plan.year)
            if is_vehicle
            else serial_number(rng, plan.identifier)
        ),
        production_year=plan.year,
        net_value=to_money(contract.net_value * plan.share),
    )


def _policy_number(rng, insurer: str) -> str:
    return f"{INSURER_PREFIX.get(insurer, 'POL')}{rng.randint(10**9, 10**10 - 1)}"


def build_policies(
    ctx: DemoContext, rng, contract: Contract, asset: LeasedAsset, plan: ContractPlan
) -> None:
    """Yearly policies from the start: past years expired, the current one active/expiring."""
    gross_value = asset.net_value * D("1.23")
    if asset.kind in (A.PASSENGER_CAR, A.VAN):
        covers = [(P.OC, "OC posiadacza pojazdu"), (P.AC, "AC Komfort"), (P.NNW, "NNW 20 000 zł")]
        covers.append((P.ASSISTANCE, "Assistance Premium"))
    elif asset.kind in (A.TRUCK, A.TRAILER):
        covers = [(P.OC, "OC posiadacza pojazdu"), (P.AC, "AC flotowe")]
    else:
        covers = [(P.PROPERTY, "Mienie – wszystkie ryzyka")]
    year = 0
    valid_from = contract.start_date
    while valid_from <= max(ctx.today, contract.start_date) and valid_from < contract.end_date:
        valid_to = min(valid_from + relativedelta(years=1, days=-1), contract.end_date)
        value = to_money(gross_value * D("0.85") ** year)
        for kind, variant in covers:
            premium = {
                P.OC: D(
                    rng.randint(700, 1400) if asset.kind != A.TRUCK else rng.randint(4200, 6800)
                ),
                P.AC: value * D(rng.randint(28, 45)) / 1000,
                P.NNW: D(rng.randint(60, 140)),
                P.ASSISTANCE: D(rng.randint(180, 390)),
                P.PROPERTY: value * D(rng.randint(25, 40)) / 10000,
            }[kind]
            InsurancePolicy.objects.create(
                contract=contract,
                asset=asset,
                insurer=plan.insurer,
                number=_policy_number(rng, plan.insurer),
                type=kind,
                variant=variant,
                valid_from=valid_from,
                valid_to=valid_to,
                sum_insured=value if kind in (P.AC, P.PROPERTY) else D("0.00"),
                premium=to_money(premium),
                arranged_by=(
                    InsurancePolicy.ArrangedBy.CLIENT
                    if plan.policies_by_client
                    else InsurancePolicy.ArrangedBy.LESSOR
                ),
            )
        year += 1
        valid_from = valid_from + relativedelta(years=1)
    if plan.gap:
        InsurancePolicy.objects.create(
            contract=contract,
            asset=asset,
            insurer=plan.insurer,
            number=_policy_number(rng, plan.insurer),
            type=P.GAP,
            variant="GAP fakturowy 36 mies.",
            valid_from=contract.start_date,
            valid_to=contract.end_date,
            sum_insured=to_money(gross_value),
            premium=to_money(gross_value * D("0.012")),
        )


def seed(ctx: DemoContext) -> None:
    for index, (client_number, (district, plans)) in enumerate(PLANS.items(), start=1):
        company = Company.objects.filter(client_number=client_number).first()
        if company is None or company.contracts.exists():
            continue
        rng = ctx.random(f"contracts:{client_number}")
        numbers = _Numbers(base=index * 1000 + rng.randint(100, 800))
        for plan in plans:
            build_contract(ctx, rng, company, plan, numbers, district)
        ctx.log(f"{company.name}: {len(plans)} contracts")
    if ctx.scale:
        seed_scale_contracts(ctx)


# --- the large benchmark company -------------------------------------------------------------

FLEET = (
    # kind, make, model, WMI, net value range, share of the fleet
    (A.PASSENGER_CAR, "Škoda", "Octavia Combi 2.0 TDI", "TMB", (115_000, 145_000), 20),
    (A.PASSENGER_CAR, "Toyota", "Corolla TS 1.8 Hybrid", "SB1", (105_000, 130_000), 15),
    (A.PASSENGER_CAR, "Volkswagen", "Passat Variant 2.0 TDI", "WVW", (150_000, 185_000), 10),
    (A.VAN, "Volkswagen", "Crafter 35 furgon 2.0 TDI", "WV1", (175_000, 215_000), 15),
    (A.VAN, "Mercedes-Benz", "Sprinter 317 CDI furgon", "W1V", (190_000, 240_000), 10),
    (A.TRUCK, "DAF", "XG 480 FT ciągnik siodłowy", "XLR", (520_000, 640_000), 10),
    (A.TRUCK, "Scania", "R 450 A4x2NA ciągnik siodłowy", "YS2", (540_000, 660_000), 10),
    (A.TRAILER, "Schmitz Cargobull", "S.KO COOL chłodnia", "WSM", (230_000, 290_000), 10),
)
SCALE_DISTRICTS = ("DW", "DW", "DW", "DB", "DL", "DJ")  # Wrocław, Wałbrzych, Legnica, J. Góra


def _scale_plan(rng, today: dt.date):
    kind, make, model, wmi, (low, high), _share = rng.choices(FLEET, [f[-1] for f in FLEET])[0]
    count = rng.choice((36, 48, 60))
    # Running contracts (a few just signed): the last installment is always in the future.
    start = today.replace(day=1) + relativedelta(
        months=rng.randint(-(count - 2), 1), days=rng.randint(0, 27)
    )
    lease = K.OPERATING if rng.random() < 0.7 else K.FINANCIAL
    net = D(rng.randrange(low, high, 100))
    return kind, make, model, wmi, count, start, lease, net


def seed_scale_contracts(ctx: DemoContext) -> None:
    """Top the benchmark company up to `ctx.scale` contracts, each with its schedule."""
    company = Company.objects.get(client_number=SCALE_COMPANY)
    existing = company.contracts.count()
    policies = []
    for index in range(existing + 1, ctx.scale + 1):
        rng = ctx.random(f"scale:{index}")
        kind, make, model, wmi, count, start, lease, net = _scale_plan(rng, ctx.today)
        end = start + relativedelta(months=count)
        signed_on = min(start - dt.timedelta(days=rng.randint(3, 12)), ctx.today)
        contract = Contract.objects.create(
            company=company,
            number=f"{'LO' if lease == K.OPERATING else 'LF'}/{signed_on.year}/{90000 + index}",
            kind=lease,
            status=status_for(start, end, ctx.today),
            signed_on=signed_on,
            start_date=start,
            end_date=end,
            net_value=net,
            initial_payment=to_money(net * rng.choice((5, 10, 15, 20)) / 100),
            buyout_value=to_money(
                net * (1 if lease == K.FINANCIAL else rng.choice((1, 10, 20))) / 100
            ),
            installment_count=count,
            reference_rate=R.WIBOR_1M,
            reference_rate_value=D("4.4600"),
            margin=D(rng.randint(190, 390)) / 100,
        )
        district = rng.choice(SCALE_DISTRICTS)
        year = start.year
        asset = LeasedAsset.objects.create(
            contract=contract,
            kind=kind,
            make=make,
            model=model,
            registration_number=registration_number(rng, district),
            serial_number=vin(rng, wmi, year),
            production_year=year,
            net_value=net,
        )
        schedule_generate(contract=contract)
        anniversary = start + relativedelta(years=max(0, relativedelta(ctx.today, start).years))
        for cover in (P.OC, P.AC):
            policies.append(
                InsurancePolicy(
                    contract=contract,
                    asset=asset,
                    insurer="PZU SA",
                    number=f"PZU{rng.randint(10**9, 10**10 - 1)}",
                    type=cover,
                    variant="flota",
                    valid_from=anniversary,
                    valid_to=min(anniversary + relativedelta(years=1, days=-1), end),
                    sum_insured=to_money(net * D("1.23")) if cover == P.AC else D("0.00"),
                    premium=D(rng.randint(900, 5200)),
                )
            )
    InsurancePolicy.objects.bulk_create(policies, batch_size=1000)
    company_data_changed(company.pk)  # bulk_create sends no signals
    if ctx.scale > existing:
        ctx.log(f"{company.name}: {ctx.scale - existing} contracts added ({ctx.scale} in all)")
