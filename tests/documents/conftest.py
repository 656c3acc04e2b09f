from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.audit import AuditContext
from documents import services
from documents.models import DocumentProcess
from documents.uploads import read_upload
from tests.browser.conftest import signed_in_page  # noqa: F401 - the portal's browser fixture
from tests.factories import ContractFactory, StaffUserFactory, UserFactory

from .pdfs import simple_pdf

CONTRACT_TEXT = ("Umowa leasingu operacyjnego UL/2026/00042", "Rata: 1 234,56 zl", "Strona 1")


def pdf_upload(content: bytes, name: str = "umowa.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def checked(content: bytes, name: str = "umowa.pdf"):
    from documents.uploads import ASIC_E, ASIC_S, PDF, XML

    return read_upload(pdf_upload(content, name), allowed=(PDF, XML, ASIC_E, ASIC_S))


@pytest.fixture
def staff(db):
    return StaffUserFactory(first_name="Ewa", last_name="Obsługa")


@pytest.fixture
def staff_audit(staff):
    return AuditContext(actor=staff)


@pytest.fixture
def signer(company):
    """A client user allowed to sign documents."""
    return UserFactory(
        company=company, first_name="Jan", last_name="Kowalski", can_sign_documents=True
    )


@pytest.fixture
def reader(company):
    """A client user without the signing permission."""
    return UserFactory(
        company=company, first_name="Anna", last_name="Czytelnik", can_sign_documents=False
    )


@pytest.fixture
def contract(company):
    return ContractFactory(company=company, number="UL/2026/00042")


@pytest.fixture
def published_pdf():
    return simple_pdf(*CONTRACT_TEXT)


@pytest.fixture
def make_process(company, contract, staff_audit, published_pdf):
    def make(
        kind=DocumentProcess.Kind.SIGN,
        *,
        content=None,
        title="Umowa leasingu UL/2026/00042",
        company=company,
        contract=contract,
        **kwargs,
    ):
        return services.process_create(
            company=company,
            contract=contract,
            kind=kind,
            category=kwargs.pop("category", DocumentProcess.Category.CONTRACT),
            title=title,
            file=read_upload(pdf_upload(content or published_pdf), allowed=("application/pdf",)),
            audit=staff_audit,
            **kwargs,
        )

    return make


@pytest.fixture
def process(make_process):
    return make_process()
