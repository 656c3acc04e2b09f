"""The Polish banks' 2D transfer code (ZBP recommendation "Standard 2D", 2013).

A phone banking app that scans the code fills in a domestic transfer. The payload is nine fields
joined with "|": recipient NIP (10), country (2), account number NRB (26 digits), amount in
grosz (at least 6 digits, zero-padded), recipient name (≤ 20), title (≤ 32) and three reserved
fields (left empty). The code is a QR code in byte mode, UTF-8, error correction level L.
"""

from __future__ import annotations

import base64
import functools
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import qrcode
from django.conf import settings

from ..models import Invoice

SEPARATOR = "|"
NAME_LENGTH = 20
TITLE_LENGTH = 32
MODULE_MM = 0.6  # the size of a module in the SVG (the page scales the code to its box)
# The characters the recommendation allows in text fields; anything else (notably the "|"
# separator) is dropped.
_NOT_ALLOWED = re.compile(r"[^0-9A-Za-ząćęłńóśźżĄĆĘŁŃÓŚŹŻ ,./\\\-@#&*_()]")


def _text(value: str, length: int) -> str:
    return _NOT_ALLOWED.sub("", value).strip()[:length].strip()


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


@dataclass(frozen=True)
class TransferCode:
    """What the code tells the bank app: fill in this transfer."""

    nip: str
    country: str
    account: str  # NRB, 26 digits
    amount: Decimal
    name: str
    title: str

    @property
    def account_grouped(self) -> str:
        """`61109010140000071219812874` -> `61 1090 1014 0000 0712 1981 2874`, as banks print it
        (and a phone wraps it between the groups, not inside them)."""
        return " ".join([self.account[:2]] + [self.account[i : i + 4] for i in range(2, 26, 4)])

    @property
    def payload(self) -> str:
        grosz = int((self.amount * 100).to_integral_value())
        fields = [
            _digits(self.nip)[:10],
            self.country,
            self.account,
            f"{grosz:06d}",
            _text(self.name, NAME_LENGTH),
            _text(self.title, TITLE_LENGTH),
            "",
            "",
            "",
        ]
        return SEPARATOR.join(fields)

    def svg(self) -> str:
        """The code as inline SVG markup (scales without blur, prints sharp in the PDF)."""
        return _svg(self.payload)

    def png(self) -> bytes:
        buffer = io.BytesIO()
        _qr(self.payload).make_image().save(buffer, format="PNG")
        return buffer.getvalue()

    def svg_data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg().encode()).decode()


@functools.lru_cache(maxsize=256)
def _svg(payload: str) -> str:
    """One path of horizontal runs of dark modules (a tenth of the markup `qrcode`'s SVG
    factories write, one rectangle a module). A code depends on its payload only, so a page
    shown again (the checkout after the gateway, an invoice) reuses it: choosing the mask
    pattern is most of the ~15 ms a code takes."""
    matrix = _qr(payload).get_matrix()  # with the quiet zone
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    side = f"{size * MODULE_MM:g}mm"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{side}" '
        f'viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{"".join(runs)}" fill="#000"/></svg>'
    )


def _qr(payload: str) -> qrcode.QRCode:
    # A fixed mask pattern: choosing the "best" of the eight (the library's default) scores all
    # of them in Python, ~4 ms of a code's ~5.5 ms (every invoice PDF, every invoice page). Any
    # mask is valid; readers decode them all (the tests decode every code with zbar).
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_L, border=4, box_size=6, mask_pattern=0
    )
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    return code


def _lessor_code(amount: Decimal, title: str) -> TransferCode:
    lessor = settings.LESSOR
    account = _digits(lessor["bank_account"])[-26:]
    return TransferCode(
        nip=lessor["nip"],
        country="PL",
        account=account,
        amount=amount,
        name=lessor["name"],
        title=title,
    )


def invoice_transfer_code(invoice: Invoice, amount: Decimal | None = None) -> TransferCode:
    """The transfer of `amount` (default: what is still due) for one invoice, titled with its
    number (the title the lessor's bank matches payments by)."""
    return _lessor_code(invoice.amount_due if amount is None else amount, invoice.number)


def transfer_title(numbers: Sequence[str], count: int, nip: str) -> str:
    """The invoice numbers when all `count` are given and fit the title field, else the
    payer's NIP and the count (the core system then settles the money oldest due first)."""
    joined = " ".join(numbers)
    if len(numbers) == count and len(joined) <= TITLE_LENGTH:
        return joined
    return f"NIP {_digits(nip)} faktury {count}"[:TITLE_LENGTH]


def invoices_transfer_title(invoices: Sequence[Invoice], nip: str) -> str:
    return transfer_title([invoice.number for invoice in invoices], len(invoices), nip)


def invoices_transfer_code(invoices: Sequence[Invoice], amount: Decimal, nip: str) -> TransferCode:
    return _lessor_code(amount, invoices_transfer_title(invoices, nip))


def selection_transfer_code(
    *, numbers: Sequence[str], count: int, amount: Decimal, nip: str
) -> TransferCode:
    """The transfer of a selection of which only the first invoices are at hand (a checkout
    lists at most a few): titled with the numbers when they are all there and fit."""
    return _lessor_code(amount, transfer_title(numbers, count, nip))
