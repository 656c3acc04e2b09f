"""Demo companies, their users and the demo back-office user (see ebok.demo).

All demo credentials live here: DEMO_PASSWORD for every demo client user, DEMO_STAFF for the
back office. Companies are keyed on their client numbers; existing ones are left untouched.
"""

from __future__ import annotations

import datetime as dt
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.pl import nip as nip_number
from stdnum.pl import regon as regon_number

from ebok.demo import DemoContext

from .models import AccessApplication, Company, Consent, MaskedPassword, User
from .services import masked_password_set

DEMO_PASSWORD = "Demo!Haslo2026"  # noqa: S105 - demo data only, printed on purpose
DEMO_STAFF = {
    "username": "admin",
    "password": "Backoffice!2026",
    # A fixed, published TOTP key: the demo staff user exists only with DEBUG on.
    "totp_key": "65626f6b2d64656d6f2d746f74702d6b65792121",  # "ebok-demo-totp-key!!"
}


@dataclass(frozen=True)
class DemoUser:
    login: str
    first_name: str
    last_name: str
    phone: str
    is_company_admin: bool = False
    can_view_finances: bool = True
    can_view_contracts: bool = True
    can_sign_documents: bool = False


@dataclass(frozen=True)
class DemoCompany:
    client_number: str
    name: str
    street: str
    postal_code: str
    city: str
    tax_office: str  # the first three digits of a NIP name the tax office that issued it
    voivodeship: str  # the first two digits of a REGON name the voivodeship
    domain: str
    phone: str
    users: tuple[DemoUser, ...]


TRANS_POL = "31000001"
AGRO_MECH = "31000002"
MEDLAB = "31000003"
BUDREM = "31000004"
PIEKARNIA = "31000005"
SCALE_COMPANY = "39000001"

DEMO_COMPANIES = (
    DemoCompany(
        TRANS_POL,
        "Trans-Pol Logistyka Sp. z o.o.",
        "ul. Postępu 14",
        "02-676",
        "Warszawa",
        "521",
        "14",
        "trans-pol.example.pl",
        "+48221002030",
        (
            DemoUser("anna.nowak", "Anna", "Nowak", "+48601200301", is_company_admin=True),
            DemoUser("piotr.wojcik", "Piotr", "Wójcik", "+48601200302", can_view_finances=False),
            DemoUser("k.lewandowska", "Katarzyna", "Lewandowska", "+48601200303"),
        ),
    ),
    DemoCompany(
        AGRO_MECH,
        "Agro-Mech Wiśniewski i Wspólnicy Sp. j.",
        "ul. Górnośląska 82",
        "62-800",
        "Kalisz",
        "618",
        "30",
        "agro-mech.example.pl",
        "+48627001122",
        (
            DemoUser("marek.wisniewski", "Marek", "Wiśniewski", "+48602300401", True),
            DemoUser("ewa.kaczmarek", "Ewa", "Kaczmarek", "+48602300402"),
        ),
    ),
    DemoCompany(
        MEDLAB,
        "MedLab Diagnostyka Sp. z o.o.",
        "ul. Zabłocie 23",
        "30-701",
        "Kraków",
        "679",
        "12",
        "medlab.example.pl",
        "+48123004050",
        (
            DemoUser("magdalena.krol", "Magdalena", "Król", "+48603400501", True),
            DemoUser("tomasz.dabrowski", "Tomasz", "Dąbrowski", "+48603400502"),
        ),
    ),
    DemoCompany(
        BUDREM,
        "BUDREM Usługi Remontowo-Budowlane Tomasz Zieliński",
        "ul. Piotrkowska 120 lok. 4",
        "90-006",
        "Łódź",
        "725",
        "10",
        "budrem.example.pl",
        "+48426005060",
        (
            DemoUser("tomasz.zielinski", "Tomasz", "Zieliński", "+48604500601", True),
            DemoUser("biuro", "Joanna", "Zielińska", "+48604500602", can_view_contracts=False),
        ),
    ),
    DemoCompany(
        PIEKARNIA,
        "Piekarnia Złoty Kłos s.c. Anna Mazur, Piotr Mazur",
        "ul. Grunwaldzka 45",
        "80-241",
        "Gdańsk",
        "584",
        "22",
        "zlotyklos.example.pl",
        "+48587007080",
        (
            DemoUser("anna.mazur", "Anna", "Mazur", "+48605600701", True),
            DemoUser("piotr.mazur", "Piotr", "Mazur", "+48605600702"),
        ),
    ),
)

SCALE_DEMO_COMPANY = DemoCompany(
    SCALE_COMPANY,
    "MegaFlota Transport S.A.",
    "ul. Legnicka 48",
    "54-202",
    "Wrocław",
    "894",
    "02",
    "megaflota.example.pl",
    "+48717008090",
    (
        DemoUser("flota.admin", "Barbara", "Kowalczyk", "+48606700801", True),
        DemoUser("analityk", "Paweł", "Kamiński", "+48606700802"),
    ),
)


def valid_nip(rng, tax_office: str) -> str:
    """A NIP with a correct check digit, starting with the issuing tax office's code."""
    while True:
        body = tax_office + "".join(str(rng.randint(0, 9)) for _ in range(6))
        check = nip_number.checksum(body + "0") % 11  # weights of the first nine digits
        if check != 10:
            return body + str(check)


def valid_regon(rng, voivodeship: str) -> str:
    body = voivodeship + "".join(str(rng.randint(0, 9)) for _ in range(6))
    return body + regon_number.calc_check_digit(body)


def set_demo_password(user: User) -> None:
    """The one place that gives a demo user their password: stored masked, as the client
    sign-in checks it (Django's own password stays unusable for client users)."""
    user.set_unusable_password()
    user.save(update_fields=["password"])
    masked_password_set(user=user, password=DEMO_PASSWORD)


def _seed_company(ctx: DemoContext, spec: DemoCompany) -> Company:
    company = Company.objects.filter(client_number=spec.client_number).first()
    if company is None:
        rng = ctx.random(f"company:{spec.client_number}")
        company = Company(
            client_number=spec.client_number,
            name=spec.name,
            nip=valid_nip(rng, spec.tax_office),
            regon=valid_regon(rng, spec.voivodeship),
            street=spec.street,
            postal_code=spec.postal_code,
            city=spec.city,
            email=f"biuro@{spec.domain}",
            phone=spec.phone,
        )
        company.full_clean()
        company.save()
        ctx.log(f"company {company}")
    for person in spec.users:
        username = User.client_username(company.client_number, person.login)
        if not User.objects.filter(username=username).exists():
            user = User(
                username=username,
                company=company,
                login=person.login,
                first_name=person.first_name,
                last_name=person.last_name,
                email=f"{person.login}@{spec.domain}",
                phone=person.phone,
                is_company_admin=person.is_company_admin,
                can_view_finances=person.can_view_finances,
                can_view_contracts=person.can_view_contracts,
                can_sign_documents=person.can_sign_documents or person.is_company_admin,
            )
            user.save()
        else:
            user = User.objects.get(username=username)
        if not MaskedPassword.objects.filter(user=user).exists():
            set_demo_password(user)
        role = "administrator firmy" if person.is_company_admin else "użytkownik"
        ctx.note(
            "Demo sign-in (http://127.0.0.1:8000/): client number / login / password",
            f"{company.client_number}  {person.login:<18} {DEMO_PASSWORD}   {role}, {company.name}",
        )
    return company


def _seed_staff(ctx: DemoContext) -> None:
    section = "Back office: http://127.0.0.1:8000/admin/"
    if not ctx.debug:
        ctx.note(section, "Not created (DEBUG is off). Create staff with `createsuperuser`,")
        ctx.note(section, "then enrol them in TOTP with `manage.py staff_totp <username>`.")
        return
    user = User.objects.filter(username=DEMO_STAFF["username"]).first()
    if user is None:
        user = User.objects.create_superuser(
            username=DEMO_STAFF["username"],
            email="admin@leasing.example.pl",
            password=DEMO_STAFF["password"],
            first_name="Ewa",
            last_name="Backoffice",
        )
        ctx.log(f"staff user {user.username}")
    if not TOTPDevice.objects.filter(user=user).exists():
        TOTPDevice.objects.create(
            user=user, name="demo", key=DEMO_STAFF["totp_key"], confirmed=True
        )
    secret = b32encode(unhexlify(DEMO_STAFF["totp_key"])).decode()
    ctx.note(section, f"user {DEMO_STAFF['username']} / password {DEMO_STAFF['password']}")
    ctx.note(section, f"TOTP secret {secret} (add it to any authenticator app), or print")
    ctx.note(section, f"the current code: python manage.py staff_totp {user.username} --show-code")


def seed(ctx: DemoContext) -> None:
    for spec in DEMO_COMPANIES:
        _seed_company(ctx, spec)
    if ctx.scale:
        _seed_company(ctx, SCALE_DEMO_COMPANY)
    ctx.note(
        "Demo sign-in (http://127.0.0.1:8000/): client number / login / password",
        "Step 2 asks for a few characters of the password; the 6-digit SMS code of step 3 is "
        "printed on this console and listed at http://127.0.0.1:8000/dev/outbox/ (DEBUG only).",
    )
    _seed_staff(ctx)
    _seed_self_service(ctx)


def _seed_self_service(ctx: DemoContext) -> None:
    """A consent history for the first company and one access application waiting for staff."""
    company = Company.objects.filter(client_number=TRANS_POL).first()
    admin = User.objects.filter(company=company, is_company_admin=True).first()
    if company is not None and admin is not None and not Consent.objects.filter(company=company):
        signed_up = timezone.make_aware(dt.datetime.combine(ctx.today, dt.time(9, 30)))
        for kind, user in ((Consent.Kind.TERMS, admin), (Consent.Kind.E_INVOICES, None)):
            Consent.objects.create(
                company=company,
                user=user,
                kind=kind,
                granted=True,
                by=admin,
                created_at=signed_up - dt.timedelta(days=400),
                source=Consent.Source.APPLICATION,
            )
    if not AccessApplication.objects.exists():
        AccessApplication.objects.create(
            nip="7740001454",
            contract_number="LO/2025/01234",
            first_name="Grzegorz",
            last_name="Brzęczyszczykiewicz",
            email="g.brzeczyszczykiewicz@example.pl",
            phone="+48607800900",
            terms_accepted_at=timezone.now(),
        )
        ctx.log("access application waiting for verification")
