"""A fake Twilio REST API on loopback: records requests, answers like Twilio does."""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]


@dataclass
class FakeTwilio:
    server: ThreadingHTTPServer
    requests: list[Recorded] = field(default_factory=list)
    # (status, json body) for the next responses; empty = success.
    script: list[tuple[int, dict]] = field(default_factory=list)
    # Seconds to hold each answer after the message was accepted (recorded): the client times
    # out, or its worker is killed, with Twilio already holding the SMS. `stop()` releases them.
    hold_answer: float = 0.0
    released: threading.Event = field(default_factory=threading.Event)
    # The JSON answered for each accepted message, in order (its "sid" is the provider id).
    accepted: list[dict] = field(default_factory=list)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def _message_json(account_sid: str, form: dict[str, list[str]]) -> dict:
    sid = "SM" + secrets.token_hex(16)
    return {
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "body": form.get("Body", [""])[0],
        "date_created": "Sat, 21 Nov 2026 08:00:00 +0000",
        "date_sent": None,
        "date_updated": "Sat, 21 Nov 2026 08:00:00 +0000",
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": form.get("From", [None])[0],
        "messaging_service_sid": form.get("MessagingServiceSid", [None])[0],
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "subresource_uris": {
            "media": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}/Media.json"
        },
        "to": form.get("To", [""])[0],
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
    }


def start() -> FakeTwilio:
    fake: FakeTwilio

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode())
            fake.requests.append(
                Recorded("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, form)
            )
            if fake.script:
                status, body = fake.script.pop(0)
            else:
                account_sid = self.path.split("/")[3]
                status, body = 201, _message_json(account_sid, form)
                fake.accepted.append(body)
                if fake.hold_answer:
                    fake.released.wait(fake.hold_answer)
            payload = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timed out, or its process was killed)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake = FakeTwilio(server)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return fake


def error(status: int, code: int | None, message: str) -> tuple[int, dict]:
    return status, {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
