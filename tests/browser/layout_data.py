"""The objects the later pages of `test_layout` need, built with the apps' own services:
an application with a thread and attachments, document processes with versions and comments,
messages in the inbox, a self-registration waiting for its activation."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.audit import AuditContext
from accounts.public.models import Registration
from accounts.public.registration import _hash
from documents import services as documents
from documents.models import DocumentProcess
from documents.uploads import PDF, read_upload
from ebok.uploads import check_file
from notifications.models import Message
from requests_app import services as requests
from requests_app.models import Application
from tests.documents.pdfs import simple_pdf
from tests.factories import CompanyFactory, StaffUserFactory, UserFactory
from tests.requests_app.helpers import pdf, settlement_question, signed_in, submit

LONG_FILE = "potwierdzenie-salda-na-koniec-kwartalu-przedsiebiorstwo-transportowe-2026.pdf"


def application_with_thread(admin, staff) -> Application:
    """A settlement question with an attachment, the lessor's answer with a file, a reply."""
    from requests_app.catalogue import load_catalogue
    from requests_app.models import Fee, RequestField, RequestType

    if not RequestType.objects.filter(code="settlement-question").exists():
        load_catalogue(Fee, RequestType, RequestField)  # flushed by a transactional test
    question = (
        "Proszę o potwierdzenie salda na koniec marca oraz o wyjaśnienie różnicy "
        "1 234 567,89 zł między fakturą FV/2026/03/000123456 a wyciągiem bankowym."
    )
    submit(signed_in(admin), settlement_question(question=question), {"attachments": [pdf()]})
    application = Application.objects.get(company=admin.company_id)
    requests.application_staff_reply(
        application=application,
        by=staff,
        body="Saldo na 31.03.2026 wynosi 0,00 zł. W załączniku potwierdzenie salda.",
        files=[check_file(pdf(LONG_FILE))],
        audit=AuditContext(actor=staff),
    )
    return application


def document_processes(company, contract, staff, admin) -> DocumentProcess:
    """One process to sign (two versions, comments of both sides), one to receive, one closed."""
    audit = AuditContext(actor=staff)

    def upload(text: str, name: str = "aneks.pdf"):
        file = SimpleUploadedFile(name, simple_pdf(text), content_type="application/pdf")
        return read_upload(file, allowed=(PDF,))

    def create(kind, title):
        return documents.process_create(
            company=company,
            contract=contract,
            kind=kind,
            category=DocumentProcess.Category.CONTRACT,
            title=title,
            file=upload("Umowa leasingu UL/2026/00042"),
            audit=audit,
        )

    process = create(
        DocumentProcess.Kind.SIGN, "Aneks nr 1 – zmiana harmonogramu spłat rat leasingowych"
    )
    documents.comment_add(
        process=process,
        text="Prosimy o przesunięcie terminu płatności raty na 15. dzień miesiąca.",
        side="client",
        audit=AuditContext(actor=admin),
    )
    documents.comment_add(
        process=process, text="Zmieniliśmy termin w wersji 2.", side="staff", audit=audit
    )
    documents.version_publish(process=process, file=upload("Aneks nr 1 v2", LONG_FILE), audit=audit)
    create(DocumentProcess.Kind.RECEIVE, "Zawiadomienie o zmianie stopy referencyjnej WIBOR")
    closed = create(DocumentProcess.Kind.SIGN, "Umowa leasingu operacyjnego – wersja archiwalna")
    documents.process_close(process=closed, audit=audit)
    return process


def inbox_messages(user) -> None:
    now = timezone.now()
    for n, (channel, subject) in enumerate(
        [
            ("email", "Nowa faktura FV/2026/11/000123456 na kwotę 1 691 411,25 zł"),
            ("sms", ""),
            ("email", "Przypomnienie o terminie płatności – termin mija 21.11.2026"),
        ]
    ):
        Message.objects.create(
            user=user,
            channel=channel,
            recipient=user.email if channel == "email" else "+48600100200",
            subject=subject,
            body="eBOK: wystawiliśmy fakturę FV/2026/11/000123456, termin 21.11.2026.",
            event="invoice.issued",
            status=Message.Status.SENT,
            created_at=now - dt.timedelta(hours=n),
        )


def pending_registration() -> str:
    """A registration whose link was sent and whose credentials are set: the token of its link."""
    company = CompanyFactory()
    user = UserFactory(company=company, is_company_admin=True, is_active=False)
    token = secrets.token_urlsafe(32)
    Registration.objects.create(
        status=Registration.Status.PENDING,
        client_number=company.client_number,
        nip=company.nip,
        invoice_number="FV/2026/03/0001",
        invoice_gross=Decimal("1234.56"),
        email=company.email or "firma@example.pl",
        phone="+48600100200",
        terms_version="1",
        privacy_version="1",
        company=company,
        token_hash=_hash(token),
        expires_at=timezone.now() + dt.timedelta(hours=24),
        user=user,
    )
    return token


def online_payment(admin, invoice):
    """An order on the demo gateway for `invoice`, chosen the way the checkout chooses."""
    from ebok.dates import today
    from invoices.online import selectors as online
    from invoices.online.services import order_create

    invoices = online.payable_invoices(user=admin, today=today(), ids=[invoice.pk])
    return order_create(user=admin, invoices=invoices, audit=AuditContext(actor=admin))


def fleet_vehicle(company):
    """A CFM contract with two vehicles and a year of service, fuel, damages and readings: the
    vehicle whose page ("Flota") has the longest history."""
    from dateutil.relativedelta import relativedelta

    from contracts.fleet.models import Damage
    from tests.contracts.fleet.factories import (
        DamageFactory,
        FuelTransactionFactory,
        MileageReadingFactory,
        ServiceVisitFactory,
    )
    from tests.factories import InsurancePolicyFactory, LeasedAssetFactory
    from tests.portal_helpers import make_contract, today

    contract = make_contract(
        company,
        months=48,
        start=today() - relativedelta(months=13),
        number="CFM/2026/90001",
        fleet_management=True,
        net_value=Decimal("2450000.00"),
        initial_payment=Decimal("245000.00"),
        buyout_value=Decimal("24500.00"),
    )
    vehicle = contract.assets.get()
    LeasedAssetFactory(contract=contract, make="Mercedes-Benz", model="Sprinter 319 CDI Furgon")
    InsurancePolicyFactory(
        contract=contract,
        asset=vehicle,
        valid_from=today() - dt.timedelta(days=100),
        valid_to=today() + dt.timedelta(days=265),
        claims_phone="+48 22 566 55 66",
        claims_email="zgloszenia.szkod.komunikacyjnych@ubezpieczyciel.example.pl",
        claims_url="https://ubezpieczyciel.example.pl/zgloszenie-szkody-komunikacyjnej",
    )
    for n in range(26):
        day = today() - dt.timedelta(days=14 * n)
        km = 98000 - 1400 * n
        MileageReadingFactory(asset=vehicle, read_on=day, mileage_km=km)
        FuelTransactionFactory(
            asset=vehicle,
            occurred_at=timezone.make_aware(dt.datetime.combine(day, dt.time(7, 45))),
            station="Orlen Stacja Paliw nr 4521 Warszawa Aleje Jerozolimskie",
            litres=Decimal("71.35"),
            net=Decimal("353.72"),
            gross=Decimal("435.08"),
            mileage_km=km,
        )
        if n % 6 == 0:
            ServiceVisitFactory(
                asset=vehicle,
                date=day,
                workshop="Autoryzowany Serwis Škoda Auto-Centrum Wielkopolska Sp. z o.o.",
                net=Decimal("123456.78"),
                gross=Decimal("151851.84"),
                mileage_km=km,
            )
    DamageFactory(
        asset=vehicle,
        occurred_on=today() - dt.timedelta(days=20),
        status=Damage.Status.REPAIR,
        repair_cost=Decimal("187650.00"),
        covered_amount=Decimal("150000.00"),
    )
    return vehicle


def fleet_claim(admin):
    """A damage the admin reported in the portal, with a photo, that staff registered with the
    insurer: the claim's page with every part filled (the fleet vehicle's contract)."""
    from accounts.audit import BACKGROUND
    from contracts.fleet.claims import services as claims
    from contracts.fleet.models import Damage
    from contracts.models import LeasedAsset
    from tests.contracts.fleet import claim_factories as claim

    vehicle = LeasedAsset.objects.filter(
        contract__company=admin.company_id, contract__fleet_management=True
    ).first()
    description = (
        "Kolizja na skrzyżowaniu Alej Jerozolimskich z ul. Towarową: uszkodzony przedni "
        "zderzak, reflektor i błotnik; sprawca znany, spisane wspólne oświadczenie."
    )
    data = claim.report_data(vehicle, description=description)
    photo = claim.jpeg("zdjecie-przodu-pojazdu-po-kolizji.jpg")
    claim.report(claim.signed_in(admin), data, {"photos": [photo]})
    damage = Damage.objects.get(submit_token=data["token"])
    damage.claim_number = "2026/00123456789/SZ/KOM"
    damage.handler_name = "Małgorzata Wiśniewska-Kowalczyk"
    damage.handler_phone = "+48 22 555 01 11"
    damage.handler_email = "malgorzata.wisniewska-kowalczyk@likwidacja.example.pl"
    damage.save()
    return claims.damage_change_status(damage=damage, to="registered", audit=BACKGROUND)


def later_pages_data(company, admin, contract, payable_invoice) -> dict:
    staff = StaffUserFactory(first_name="Ewa", last_name="Obsługa")
    inbox_messages(admin)
    return {
        "application": application_with_thread(admin, staff),
        "process": document_processes(company, contract, staff, admin),
        "registration_token": pending_registration(),
        "travel_abroad": f"?request_type=travel-abroad&contract={contract.pk}",
        "order": online_payment(admin, payable_invoice),
        "overdue_scope": "?scope=overdue",  # the checkout of every overdue invoice
        "vehicle": fleet_vehicle(company),
        "claim": fleet_claim(admin),  # after "vehicle": on its CFM contract
    }
