"""Demo processes of the document exchange (see ebok.demo): for two demo companies and the
benchmark company, a contract annex being negotiated (comments, a second version), a document
waiting to be received, and finished ones in the archive. Built through the services; skipped
for a company that already has processes."""

from __future__ import annotations

from django.conf import settings

from accounts.audit import AuditContext
from accounts.demo import DEMO_COMPANIES, SCALE_COMPANY
from accounts.models import Company
from ebok.demo import DemoContext
from ebok.pdf import render_pdf

from . import services
from .models import DocumentProcess, Side
from .uploads import PDF, CheckedFile

Kind, Category = DocumentProcess.Kind, DocumentProcess.Category
SCALE_EXTRA_LETTERS = 60


_RENDERED: dict[tuple, bytes] = {}


def demo_pdf(title: str, company: Company, contract, version: int, paragraphs) -> CheckedFile:
    # The same sample document for every company: rendered once per run (WeasyPrint takes
    # a few hundred milliseconds a page).
    key = (title, version, tuple(paragraphs))
    if key not in _RENDERED:
        _RENDERED[key] = render_pdf(
            "documents/pdf/demo.html",
            {
                "title": title,
                "version": version,
                "paragraphs": paragraphs,
                "seller": settings.LESSOR,
            },
        )
    content = _RENDERED[key]
    name = f"{title.lower().replace(' ', '-')[:40]}-v{version}.pdf"
    return CheckedFile(name=name, content=content, content_type=PDF)


def _seed_company(ctx: DemoContext, company: Company, staff) -> None:
    if DocumentProcess.objects.filter(company=company).exists():
        return
    staff_audit = AuditContext(actor=staff)
    contract = company.contracts.order_by("number").first()
    client = company.users.filter(is_active=True).order_by("-is_company_admin", "pk").first()
    client_audit = AuditContext(actor=client, company=company)

    annex = services.process_create(
        company=company,
        contract=contract,
        kind=Kind.SIGN,
        category=Category.ANNEX,
        title="Aneks nr 1 – zmiana harmonogramu",
        description="Prosimy o zapoznanie się z aneksem i podpisanie go podpisem kwalifikowanym.",
        file=demo_pdf(
            "Aneks nr 1",
            company,
            contract,
            1,
            [
                "Strony zgodnie zmieniają termin płatności rat na 15. dzień miesiąca.",
                "Pozostałe postanowienia umowy pozostają bez zmian.",
            ],
        ),
        audit=staff_audit,
    )
    if client is not None:
        services.comment_add(
            process=annex,
            side=Side.CLIENT,
            audit=client_audit,
            text="Prosimy o przesunięcie terminu na 20. dzień miesiąca.",
        )
    services.version_publish(
        process=annex,
        note="Termin płatności: 20. dzień miesiąca",
        audit=staff_audit,
        file=demo_pdf(
            "Aneks nr 1",
            company,
            contract,
            2,
            [
                "Strony zgodnie zmieniają termin płatności rat na 20. dzień miesiąca.",
                "Pozostałe postanowienia umowy pozostają bez zmian.",
            ],
        ),
    )
    services.comment_add(
        process=annex,
        side=Side.STAFF,
        audit=staff_audit,
        text="Uwzględniliśmy Państwa prośbę – wersja 2 czeka na podpis.",
    )

    services.process_create(
        company=company,
        contract=contract,
        kind=Kind.RECEIVE,
        category=Category.LETTER,
        title="Zawiadomienie o zmianie stopy referencyjnej",
        audit=staff_audit,
        file=demo_pdf(
            "Zawiadomienie o zmianie stopy",
            company,
            contract,
            1,
            [
                "Uprzejmie informujemy o zmianie stawki WIBOR 1M "
                "od kolejnego okresu rozliczeniowego.",
            ],
        ),
    )
    received = services.process_create(
        company=company,
        contract=None,
        kind=Kind.RECEIVE,
        category=Category.LETTER,
        title="Regulamin serwisu eBOK",
        audit=staff_audit,
        file=demo_pdf(
            "Regulamin serwisu eBOK",
            company,
            None,
            1,
            [
                "Regulamin określa zasady korzystania z elektronicznego Biura Obsługi Klienta.",
            ],
        ),
    )
    if client is not None:
        services.process_receive(process=received, audit=client_audit)
    consent = services.process_create(
        company=company,
        contract=None,
        kind=Kind.SIGN,
        category=Category.CONSENT,
        title="Zgoda na e-faktury",
        audit=staff_audit,
        file=demo_pdf(
            "Zgoda na e-faktury",
            company,
            None,
            1,
            [
                "Wyrażam zgodę na przesyłanie faktur w formie elektronicznej.",
            ],
        ),
    )
    services.process_close(process=consent, audit=staff_audit)
    if company.client_number == SCALE_COMPANY:
        # The benchmark company: lists longer than a page.
        for number in range(1, SCALE_EXTRA_LETTERS + 1):
            services.process_create(
                company=company,
                contract=contract,
                kind=Kind.RECEIVE,
                category=Category.LETTER,
                title=f"Pismo nr {number}",
                audit=staff_audit,
                file=demo_pdf("Pismo", company, contract, 1, ["Pismo informacyjne."]),
            )
    ctx.log(f"documents: processes for {company.name}")


def seed(ctx: DemoContext) -> None:
    numbers = [spec.client_number for spec in DEMO_COMPANIES]
    seed_companies(ctx, numbers + ([SCALE_COMPANY] if ctx.scale else []))


def seed_companies(ctx: DemoContext, numbers: list[str]) -> None:
    """Demo processes for the companies with these client numbers (those without any yet)."""
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.filter(is_staff=True).order_by("pk").first()
    for company in Company.objects.filter(client_number__in=numbers).order_by("client_number"):
        _seed_company(ctx, company, staff)
