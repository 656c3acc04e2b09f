"""Payment gateways behind one small interface.

A gateway does two things: `start` registers an order with the gateway and says where to send
the client; `parse_notification` reads the gateway's signed notification (webhook) and refuses
it (`SignatureError`) unless the signature verifies. Everything else (amounts, order ids,
idempotency) is checked by `invoices.online.services` against what was ordered.

`settings.ONLINE_PAYMENT_GATEWAY` picks one: "payu" (the real one, invoices/online/payu.py) or
"demo", the default without credentials: a page on the portal itself plays the gateway.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse


class GatewayError(Exception):
    """The gateway could not be reached or refused the order (logged; the client sees a
    general message)."""


class SignatureError(Exception):
    """A notification whose signature does not verify: nothing changes (answer 403)."""


@dataclass(frozen=True)
class Started:
    redirect_url: str
    gateway_order_id: str


@dataclass(frozen=True)
class Notification:
    ext_order_id: str  # our PaymentOrder.public_id
    gateway_order_id: str
    amount_grosz: int
    currency: str
    status: str  # one of PaymentOrder.Status: pending / paid / cancelled / failed


class Gateway:
    name = ""
    is_demo = False

    def start(self, *, order, continue_url: str, notify_url: str, customer_ip: str) -> Started:
        raise NotImplementedError

    def parse_notification(self, *, body: bytes, headers: Mapping[str, str]) -> Notification:
        raise NotImplementedError


class DemoGateway(Gateway):
    """The gateway played by the portal (no money moves): its page (`demo_pay`) sends a
    notification signed with HMAC-SHA256 of the body under a key derived from SECRET_KEY, through
    the same path a real gateway's notification takes."""

    name = "demo"
    is_demo = True
    HEADER = "X-Demo-Signature"

    def _key(self) -> bytes:
        return hashlib.sha256(f"demo-gateway:{settings.SECRET_KEY}".encode()).digest()

    def sign(self, body: bytes) -> str:
        return hmac.new(self._key(), body, hashlib.sha256).hexdigest()

    def start(self, *, order, continue_url: str, notify_url: str, customer_ip: str) -> Started:
        gateway_order_id = f"DEMO-{order.public_id.hex[:12].upper()}"
        return Started(
            redirect_url=reverse("online_payments:demo_gateway", args=[order.public_id]),
            gateway_order_id=gateway_order_id,
        )

    def notification_body(self, *, order, status: str) -> bytes:
        return json.dumps(
            {
                "extOrderId": str(order.public_id),
                "orderId": order.gateway_order_id,
                "totalAmount": order.amount_grosz,
                "currencyCode": order.currency,
                "status": status,
            }
        ).encode()

    def parse_notification(self, *, body: bytes, headers: Mapping[str, str]) -> Notification:
        signature = headers.get(self.HEADER, "")
        if not hmac.compare_digest(signature, self.sign(body)):
            raise SignatureError("demo signature mismatch")
        try:
            data = json.loads(body)
            return Notification(
                ext_order_id=str(data["extOrderId"]),
                gateway_order_id=str(data["orderId"]),
                amount_grosz=int(data["totalAmount"]),
                currency=str(data["currencyCode"]),
                status=str(data["status"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise GatewayError(f"malformed demo notification: {error}") from error


def get_gateway(name: str | None = None) -> Gateway:
    name = name or settings.ONLINE_PAYMENT_GATEWAY
    if name == "payu":
        from .payu import PayuGateway

        return PayuGateway()
    if name == "demo":
        return DemoGateway()
    raise GatewayError(f"unknown payment gateway {name!r}")
