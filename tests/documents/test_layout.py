"""The document pages at 375 px wide: nothing scrolls sideways (real Chromium)."""

from __future__ import annotations

import pytest

from accounts.audit import AuditContext
from documents import services
from documents.models import DocumentProcess

from .conftest import checked
from .pdfs import simple_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_document_pages_fit_a_phone(signed_in_page, make_process, signer, staff):
    process = make_process(title="Aneks nr 1 – zmiana harmonogramu spłat rat leasingowych")
    services.comment_add(
        process=process,
        text="Prosimy o zmianę terminu.",
        side="client",
        audit=AuditContext(actor=signer),
    )
    services.version_publish(
        process=process, file=checked(simple_pdf("Umowa v2")), audit=AuditContext(actor=staff)
    )
    make_process(DocumentProcess.Kind.RECEIVE, title="Zawiadomienie o zmianie stopy")
    page = signed_in_page(signer, path="/dokumenty/", viewport={"width": 375, "height": 800})
    base = page.url.split("/dokumenty")[0]
    for path in (
        "/dokumenty/",
        "/dokumenty/odbierz/",
        "/dokumenty/archiwum/",
        f"/dokumenty/{process.pk}/",
    ):
        page.goto(base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
    assert page.console_errors == []
