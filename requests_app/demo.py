"""Demo applications and cases: for each demo company a completed request with the lessor's
answer (unread), one waiting for the client, and a contact case; the benchmark company gets a
few hundred. Built through the services; a company that has any application is skipped."""

from __future__ import annotations

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.audit import AuditContext
from accounts.demo import DEMO_COMPANIES, SCALE_COMPANY
from accounts.models import Company
from ebok.demo import DemoContext
from ebok.uploads import check_file

from . import services
from .catalogue import load_catalogue
from .models import Application, Fee, RequestField, RequestType

SCALE_APPLICATIONS = 300
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _pdf(name: str):
    return check_file(SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf"))


def _question(n: int) -> services.Submission:
    request_type = RequestType.objects.get(code="settlement-question")
    fields = {f.key: f for f in request_type.fields.all()}
    values = [
        {
            "key": "topic",
            "type": "choice",
            "label": {"pl": fields["topic"].label_pl, "en": fields["topic"].label_en},
            "value": {"code": "balance", "labels": {"pl": "saldo", "en": "balance"}},
        },
        {
            "key": "question",
            "type": "long_text",
            "label": {"pl": fields["question"].label_pl, "en": fields["question"].label_en},
            "value": f"Proszę o potwierdzenie salda (zapytanie {n}).",
        },
    ]
    return services.Submission(
        kind=Application.Kind.REQUEST,
        subject=request_type.name_pl,
        request_type=request_type,
        values=values,
    )


def _contact(contract) -> services.Submission:
    return services.Submission(
        kind=Application.Kind.CONTACT,
        subject="Zmiana osoby do kontaktu",
        body="Od przyszłego miesiąca sprawy umowy prowadzi nasza księgowa.",
        topic=Application.Topic.CONTRACT,
        contract=contract,
    )


def _submit(company, user, submission, n: int) -> Application:
    token = uuid.uuid5(uuid.NAMESPACE_URL, f"ebok-demo:{company.client_number}:{n}")
    application, _created = services.application_submit(
        user=user, submission=submission, token=token, audit=AuditContext(actor=user)
    )
    return application


def _seed_company(ctx: DemoContext, company: Company, staff, count: int) -> None:
    if Application.objects.filter(company=company).exists():
        return
    user = company.users.filter(is_active=True).order_by("-is_company_admin", "pk").first()
    if user is None:
        return
    contract = company.contracts.order_by("number").first()
    audit = AuditContext(actor=staff)
    for n in range(count):
        application = _submit(company, user, _question(n), n)
        if n >= 30:  # the rest of the benchmark company's requests wait in the queue, unread
            continue
        step = n % 3
        if step == 0:
            services.application_complete(
                application=application,
                by=staff,
                answer="Potwierdzenie salda w załączniku.",
                files=[_pdf("potwierdzenie-salda.pdf")] if n < 3 else [],
                audit=audit,
            )
        elif step == 1:
            services.application_ask_client(
                application=application,
                by=staff,
                question="Prosimy o wskazanie dnia, na który potwierdzić saldo.",
                audit=audit,
            )
            services.application_reply(
                application=application,
                user=user,
                body="Na ostatni dzień miesiąca.",
                files=[],
                audit=AuditContext(actor=user),
            )
    _submit(company, user, _contact(contract), count)
    ctx.log(f"{company.name}: {count + 1} applications and cases")


def seed_companies(ctx: DemoContext, numbers: list[str], *, count: int = 3) -> None:
    from django.contrib.auth import get_user_model

    load_catalogue(Fee, RequestType, RequestField)
    staff = get_user_model().objects.filter(is_staff=True).order_by("pk").first()
    for company in Company.objects.filter(client_number__in=numbers).order_by("client_number"):
        scale = company.client_number == SCALE_COMPANY
        _seed_company(ctx, company, staff, SCALE_APPLICATIONS if scale else count)


def seed(ctx: DemoContext) -> None:
    numbers = [spec.client_number for spec in DEMO_COMPANIES]
    if ctx.scale:
        numbers.append(SCALE_COMPANY)
    seed_companies(ctx, numbers)
