"""Helpers of the online payment tests: reading QR codes as a phone would, a fake PayU."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import zxingcpp
from PIL import Image
from weasyprint import HTML

FIELDS = ["nip", "country", "account", "amount", "name", "title", "r1", "r2", "r3"]


def decode_pdf(pdf: bytes) -> list[dict[str, str]]:
    """Every transfer QR code on the PDF's first page, split into its fields."""
    texts = [text for text in decode_pdf_texts(pdf) if "|" in text]
    return [dict(zip(FIELDS, text.split("|"), strict=True)) for text in texts]


def decode_pdf_texts(pdf: bytes) -> list[str]:
    """The text of every QR code on the PDF's first page, rasterized at 300 dpi."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", str(source), f"{folder}/p"],
            check=True,
        )
        image = Image.open(next(Path(folder).glob("p*.png")))
        return [result.text for result in zxingcpp.read_barcodes(image)]


def decode_svg_in_page(html: str) -> list[dict[str, str]]:
    """The QR codes a page shows (inline SVG), drawn as a browser draws them, then read."""
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    page = "".join(f'<div style="width:50mm;margin:10mm">{svg}</div>' for svg in svgs)
    return decode_pdf(HTML(string=page).write_pdf())


class FakePayu:
    """PayU's REST API on loopback: OAuth and order creation, remembering what it was sent."""

    def __init__(self) -> None:
        self.orders: list[dict] = []
        self.refuse = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/pl/standard/user/oauth/authorize":
                    self._json(200, {"access_token": "token-1", "token_type": "bearer"})
                elif self.path == "/api/v2_1/orders":
                    if self.headers.get("Authorization") != "Bearer token-1" or fake.refuse:
                        self._json(401, {"status": {"statusCode": "UNAUTHORIZED"}})
                        return
                    order = json.loads(body)
                    fake.orders.append(order)
                    number = f"PAYU{len(fake.orders):04d}"
                    self._json(
                        302,
                        {
                            "status": {"statusCode": "SUCCESS"},
                            "redirectUri": f"https://pay.example/{number}",
                            "orderId": number,
                            "extOrderId": order["extOrderId"],
                        },
                    )
                else:
                    self._json(404, {})

            def _json(self, status, data):
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
