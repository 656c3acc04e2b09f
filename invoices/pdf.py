"""The invoice as a Polish VAT invoice PDF (art. 106e ustawy o VAT), and corrections (art. 106j).

Pure rendering: an invoice in, PDF bytes out. `services.invoice_pdf_ensure` stores it once.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from stdnum import iban

from ebok.money import ZERO
from ebok.pdf import amount_in_words, format_quantity, render_pdf

from .models import Invoice, InvoiceLine

# Order of the rates in the VAT summary, as on the JPK/KSeF forms.
_RATE_ORDER = ["23", "8", "5", "0", "zw", "np"]


@dataclass
class VatRow:
    rate: str
    label: str
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO

    def add(self, line: InvoiceLine) -> None:
        self.net += line.net
        self.vat += line.vat
        self.gross += line.gross


@dataclass
class CorrectionRow:
    label: str
    before: VatRow
    change: VatRow
    after: VatRow


def vat_summary(lines: Iterable[InvoiceLine]) -> list[VatRow]:
    """Net / VAT / gross per rate, in the usual order (23 %, 8 %, 5 %, 0 %, zw., np.)."""
    rows: dict[str, VatRow] = {}
    for line in lines:
        row = rows.setdefault(
            line.vat_rate,
            VatRow(line.vat_rate, str(InvoiceLine.VatRate(line.vat_rate).label)),
        )
        row.add(line)
    return sorted(rows.values(), key=lambda r: _RATE_ORDER.index(r.rate))


def _correction_rows(correction: Invoice, lines: list[InvoiceLine]) -> list[CorrectionRow]:
    """Per rate: the original as it stood before this correction, the change, the result
    (`invoice_correct` keeps the change within the original's rates and no rate below zero)."""
    original = correction.corrected_invoice
    earlier = InvoiceLine.objects.filter(
        invoice__corrected_invoice=original, invoice__pk__lt=correction.pk
    )
    before = {r.rate: r for r in vat_summary([*original.lines.all(), *earlier])}
    change = {r.rate: r for r in vat_summary(lines)}
    result = []
    for rate in _RATE_ORDER:
        if rate not in before and rate not in change:
            continue
        label = str(InvoiceLine.VatRate(rate).label)
        b = before.get(rate, VatRow(rate, label))
        c = change.get(rate, VatRow(rate, label))
        after = VatRow(rate, label, b.net + c.net, b.vat + c.vat, b.gross + c.gross)
        result.append(CorrectionRow(label, b, c, after))
    return result


# The rows of a correction per VAT rate, also what its FA(3) XML corrects (invoices/ksef.py).
correction_rows = _correction_rows


def _correction_total(rows: list[CorrectionRow]) -> CorrectionRow:
    """The "Razem" row: each column summed over the rates."""

    def total(part: str) -> VatRow:
        row = VatRow("", "")
        for r in rows:
            column = getattr(r, part)
            row.net += column.net
            row.vat += column.vat
            row.gross += column.gross
        return row

    return CorrectionRow("Razem", total("before"), total("change"), total("after"))


@dataclass(frozen=True)
class ExemptionNote:
    positions: str  # "2" or "1, 3"
    basis: str


def exemption_notes(lines: Iterable[InvoiceLine]) -> list[ExemptionNote]:
    """Art. 106e ust. 1 pkt 19: the legal basis of each exempt line, one note per basis."""
    positions: dict[str, list[str]] = {}
    for line in lines:
        if line.vat_rate == InvoiceLine.VatRate.EXEMPT and line.exemption_basis:
            positions.setdefault(line.exemption_basis, []).append(str(line.position))
    return [ExemptionNote(", ".join(p), basis) for basis, p in positions.items()]


@dataclass(frozen=True)
class PriceSettlement:
    """How a financial lease's handover invoice is paid: now, and by the schedule."""

    pay_now_net: Decimal  # the initial payment (part of the price)
    pay_now_vat: Decimal  # the VAT on the whole price
    pay_now: Decimal
    by_installments: Decimal  # the capital parts of the installments (outside VAT)
    installment_count: int
    buyout: Decimal  # the buyout value (outside VAT)


def _price_settlement(invoice: Invoice) -> PriceSettlement | None:
    if not invoice.settled_by_schedule:
        return None
    contract = invoice.contract
    buyout = min(contract.buyout_value, invoice.settled_by_schedule) if contract else ZERO
    pay_now = invoice.gross - invoice.settled_by_schedule
    return PriceSettlement(
        pay_now_net=pay_now - invoice.vat,
        pay_now_vat=invoice.vat,
        pay_now=pay_now,
        by_installments=invoice.settled_by_schedule - buyout,
        installment_count=contract.installment_count if contract else 0,
        buyout=buyout,
    )


def format_bank_account(number: str) -> str:
    """`PL61109010140000071219812874` -> `PL61 1090 1014 0000 0712 1981 2874`."""
    return iban.format(number)


def invoice_pdf_filename(invoice: Invoice) -> str:
    """A safe download name: `Faktura_FV_2026_11_000123.pdf`."""
    return f"Faktura_{re.sub(r'[^A-Za-z0-9]+', '_', invoice.number).strip('_')}.pdf"


def _qr_png(code) -> str:
    """A QR code (`qrcode.QRCode`, made) as a PNG data URI, one pixel a module, quiet zone
    included: the template scales it up without smoothing (`image-rendering: pixelated`), so
    it prints as sharp as vector art. WeasyPrint drew the SVG version path by path, in Python:
    20–25 ms a code, a fifth of an invoice's render; the PNG costs about a millisecond."""
    from PIL import Image

    matrix = code.get_matrix()
    size = len(matrix)
    image = Image.new("1", (size, size))
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _ksef_qr_png(invoice: Invoice) -> str:
    from .ksef import verification_qr

    code = verification_qr(invoice)
    return _qr_png(code) if code is not None else ""


def _transfer_qr_png(invoice: Invoice, amount) -> str:
    if amount <= 0:
        return ""
    from .online.qr import _qr, invoice_transfer_code

    return _qr_png(_qr(invoice_transfer_code(invoice, amount).payload))


# The tables of an invoice have a fixed layout (WeasyPrint then skips measuring every cell twice,
# most of a render): their columns do not grow with what they hold, so the money columns are
# sized here from the longest amount: its digits, separators and sign at the tables' 8.5 pt
# in the wider of the documents' fonts (DejaVu Sans, the fallback: a digit 0.636 em, a space or
# comma 0.318 em, the minus 0.838 em; bold a tenth wider; Liberation Sans is narrower), a little
# to spare, plus a cell's padding and borders, against the page's width.
PAGE_WIDTH_MM = 184  # A4 less the page margins of pdf/base.html
SUMMARY_WIDTH_MM = PAGE_WIDTH_MM + 12  # the summary's two boxes with their spacing
DIGIT_MM, SEPARATOR_MM, MINUS_MM = 1.95, 0.98, 2.55
BOLD = 1.1
CELL_MM = 3.0
RATE_COLUMN_MM = 14


def _amount_mm(values: Iterable[Decimal], *, bold: bool = False) -> float:
    """Width of the widest of these amounts as printed (`1 234 567,89`, `−150,00`)."""

    def width(value: Decimal) -> float:
        text = f"{abs(value):,.2f}"
        digits = sum(ch.isdigit() for ch in text)
        return digits * DIGIT_MM + (len(text) - digits) * SEPARATOR_MM + (value < 0) * MINUS_MM

    widest = max((width(v) for v in values), default=0.0)
    return widest * (BOLD if bold else 1) + CELL_MM


# The summary box's "Do zapłaty" line: its amount at 11 pt bold with " zł", beside a label that
# may wrap but needs its longest word (about 2.65 mm a letter) and 3 mm; the box's side padding
# and the summary's spacing around it.
DUE_SCALE = 11 / 8.5 * BOLD
ZLOTY_MM = 5.2
DUE_LETTER_MM = 2.65
PAY_BOX_FRAME_MM = 18 + 6.5 + 6  # spacing, padding and borders, 6 mm to spare (measured)


def due_label(invoice: Invoice) -> str:
    """What the summary box calls the amount it settles."""
    if invoice.is_payable:
        return "Do zapłaty"
    return "Zmniejszenie należności" if invoice.gross < 0 else "Zmiana należności"


def column_widths(
    invoice: Invoice,
    lines: list[InvoiceLine],
    vat_rows: list[VatRow],
    *,
    due: Decimal = ZERO,
    label: str = "Do zapłaty",
) -> dict:
    """CSS widths of the lines table's money columns and description, and of the summary's
    VAT table: a ten-million invoice stays inside its cells as a thousand-złoty one does. And
    whether the amount `due` goes on a line of its own under its `label` in the summary box
    (when both do not fit its width beside the VAT table)."""
    line_amounts = [v for line in lines for v in (line.unit_net, line.net, line.vat, line.gross)]
    money = max(11.0, _amount_mm(line_amounts) / PAGE_WIDTH_MM * 100)
    rates_mm = RATE_COLUMN_MM + 3 * max(
        _amount_mm([v for row in vat_rows for v in (row.net, row.vat, row.gross)]),
        _amount_mm([invoice.net, invoice.vat, invoice.gross], bold=True),
    )
    rates = max(50.0, rates_mm / SUMMARY_WIDTH_MM * 100 + 1)
    pay_box_mm = SUMMARY_WIDTH_MM * (100 - rates) / 100 - PAY_BOX_FRAME_MM
    due_mm = (_amount_mm([due]) - CELL_MM) * DUE_SCALE + ZLOTY_MM
    return {
        "due_stacked": max(map(len, label.split())) * DUE_LETTER_MM + 3 + due_mm > pay_box_mm,
        "money": f"{money:.1f}%",
        "description": f"{100 - 26 - 4 * money:.1f}%",  # Lp., J.m., Ilość, Stawka: 26 %
        "rates": f"{rates:.1f}%",
        "rate_column": f"{RATE_COLUMN_MM}mm",
    }


# The corrections' table prints nine amounts a row plus the rate: from about a million up they
# no longer fit the page at the documents' 8.5 pt, so its type is made as much smaller as needed.
DOCUMENT_FONT_PT = 8.5
MIN_CHANGES_FONT_PT = 4.5


def changes_font_size(rows: list[CorrectionRow]) -> str:
    """The CSS font size of the corrections' table for these rows (the total row among them:
    bold), 8.5 pt unless its nine money columns, each as wide as its widest amount, would push
    the table past the page."""
    columns = [
        _amount_mm([getattr(getattr(row, part), kind) for row in rows], bold=True)
        for part in ("before", "change", "after")
        for kind in ("net", "vat", "gross")
    ]
    room = PAGE_WIDTH_MM - RATE_COLUMN_MM - 2  # 2 mm for the borders, to spare
    if sum(columns) <= room:
        return f"{DOCUMENT_FONT_PT}pt"
    padding = CELL_MM * len(columns)  # it does not shrink with the type
    scale = (room - padding) / (sum(columns) - padding)
    return f"{max(MIN_CHANGES_FONT_PT, DOCUMENT_FONT_PT * scale):.2f}pt"


def invoice_pdf_context(invoice: Invoice, lines: list[InvoiceLine] | None = None) -> dict:
    lines = list(invoice.lines.all()) if lines is None else lines
    for line in lines:
        line.quantity_display = format_quantity(line.quantity)
    lessor = dict(settings.LESSOR)
    lessor["bank_account_display"] = format_bank_account(lessor["bank_account"])
    # A payable document (an invoice, an upward correction) asks for a transfer of what it
    # charges now; a downward correction asks for nothing and says how the amount is settled.
    is_payable = invoice.is_payable
    amount_to_settle = invoice.payable_as_issued if is_payable else abs(invoice.gross)
    context = {
        "invoice": invoice,
        "lines": lines,
        "vat_rows": (vat_rows := vat_summary(lines)),
        "widths": column_widths(
            invoice, lines, vat_rows, due=amount_to_settle, label=(label := due_label(invoice))
        ),
        "due_label": label,
        "seller": lessor,
        "contract_number": invoice.contract.number if invoice.contract_id else "",
        "amount_to_settle": amount_to_settle,
        "gross_in_words": amount_in_words(amount_to_settle),
        "is_correction": invoice.is_correction,
        "is_payable": is_payable,
        "exemption_notes": exemption_notes(lines),
        "price": _price_settlement(invoice),
        # The ZBP transfer QR code of what this document asks to be paid (invoices/online/qr.py).
        "transfer_qr_png": _transfer_qr_png(invoice, amount_to_settle) if is_payable else "",
        # KSeF: the number and the verification code "KOD I" (invoices/ksef.py), or a note.
        "ksef_qr_png": _ksef_qr_png(invoice),
    }
    if invoice.is_correction:
        rows = _correction_rows(invoice, lines)
        context["corrected"] = invoice.corrected_invoice
        context["correction_rows"] = rows
        context["correction_total"] = total = _correction_total(rows)
        context["changes_font"] = changes_font_size([*rows, total])
        if invoice.gross < 0:
            context["reduction"] = -invoice.gross
            context["credited"] = invoice.released_to_credit
            context["unpaid_reduced"] = -invoice.gross - invoice.released_to_credit
    return context


def render_invoice_pdf(invoice: Invoice) -> bytes:
    return render_pdf("invoices/pdf/invoice.html", invoice_pdf_context(invoice))


def warm_up_queries() -> None:
    """Build, without running, the SQL of the reads a render makes (the invoice with its
    contract and corrected invoice, its lines): Django fills its per-model caches on a first
    query, a few milliseconds of a worker's first render. Needs no database connection."""
    str(Invoice.objects.select_related("contract", "corrected_invoice").filter(pk=0).query)
    str(InvoiceLine.objects.filter(invoice_id=0).query)


def warm_up_sample() -> bytes:
    """An invoice PDF rendered from unsaved objects, no database (see `ebok.pdf.warm_up`): the
    template compiled, the amount in words' language loaded, every font size of the layout."""
    import datetime as dt

    day = dt.date(2026, 1, 15)
    invoice = Invoice(
        number="FV/2026/01/000001",
        kind=Invoice.Kind.INSTALLMENT,
        issue_date=day,
        sale_date=day,
        due_date=day,
        net=Decimal("1100.00"),
        vat=Decimal("230.00"),
        gross=Decimal("1330.00"),
        amount_payable=Decimal("1330.00"),
        buyer_name="Zażółć Gęślą Jaźń Sp. z o.o.",
        buyer_nip="5260250274",
        buyer_address="ul. Przykładowa 1, 00-001 Warszawa",
    )
    lines = [
        InvoiceLine(
            invoice=invoice,
            position=position,
            description="Rata leasingowa nr 1/36 – część kapitałowa",
            unit_net=net,
            net=net,
            vat_rate=rate,
            vat=vat,
            gross=net + vat,
            exemption_basis="art. 43 ust. 1 pkt 38 ustawy o VAT" if rate == "zw" else "",
        )
        for position, rate, net, vat in (
            (1, "23", Decimal("1000.00"), Decimal("230.00")),
            (2, "zw", Decimal("100.00"), ZERO),
        )
    ]
    return render_pdf("invoices/pdf/invoice.html", invoice_pdf_context(invoice, lines))
