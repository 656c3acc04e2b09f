"""Helpers for the tests of downloads: reading PDFs, ZIPs and Excel files back as a user would."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zipfile
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from contracts.services import schedule_generate
from invoices.models import Invoice
from invoices.services import LineSpec, VatRate, invoice_create
from tests.factories import ContractFactory, UserFactory

D = Decimal


def pdf_text(content: bytes) -> str:
    """The PDF's text in reading order (poppler's pdftotext -raw), whitespace collapsed."""
    assert content.startswith(b"%PDF-"), content[:20]
    result = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    text = result.stdout.decode("utf-8").replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(text.split())


def pdf_page_count(content: bytes) -> int:
    result = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True)
    for line in result.stdout.decode().splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("no page count")


def streamed(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def zip_names(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return sorted(archive.namelist())


def read_xlsx(content: bytes):
    """The first sheet, loaded the normal way (not read-only) so styles can be inspected."""
    return load_workbook(io.BytesIO(content)).worksheets[0]


def data_rows(sheet) -> list[tuple]:
    """The rows under the header that the autofilter covers: without the totals row that a
    report listing amounts ends with."""
    _first_col, _first_row, _last_col, last_row = range_boundaries(sheet.auto_filter.ref)
    return list(sheet.iter_rows(min_row=2, max_row=last_row, values_only=True))


def totals_row(sheet) -> dict[str, object]:
    """The last row ("Razem") as {header: value}; asserts that it is the totals row."""
    header = [cell.value for cell in sheet[1]]
    last = [cell.value for cell in sheet[sheet.max_row]]
    assert "Razem" in last or "Total" in last, last
    assert all(cell.font.b for cell in sheet[sheet.max_row])
    return dict(zip(header, last, strict=True))


def client_user(company, **kwargs):
    return UserFactory(company=company, **kwargs)


def issue_invoice(company, *, net="1000.00", issued=dt.date(2026, 3, 2), contract=None, **kw):
    return invoice_create(
        company=company,
        contract=contract,
        kind=kw.pop("kind", Invoice.Kind.OTHER),
        lines=[LineSpec(kw.pop("description", "Usługa"), D(net), kw.pop("rate", VatRate.STANDARD))],
        issue_date=issued,
        **kw,
    )


def contract_with_schedule(company, **kwargs):
    contract = ContractFactory(company=company, **kwargs)
    schedule_generate(contract=contract)
    return contract
