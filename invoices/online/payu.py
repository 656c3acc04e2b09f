"""PayU REST API v2.1 (https://developers.payu.com/europe/api/): OAuth client credentials, then
`POST /api/v2_1/orders`; notifications are POSTed as JSON with the header
`OpenPayu-Signature: sender=checkout;signature=<hex>;algorithm=MD5|SHA-256;content=DOCUMENT`,
where signature = hash(body + second key).

Configured from the environment (settings.PAYU): PAYU_API_URL (sandbox
https://secure.snd.payu.com), PAYU_POS_ID, PAYU_CLIENT_ID, PAYU_CLIENT_SECRET, PAYU_SECOND_KEY.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping

import requests
from django.conf import settings

from .gateways import Gateway, GatewayError, Notification, SignatureError, Started

logger = logging.getLogger(__name__)

TIMEOUT = 10  # seconds, each call
STATUSES = {
    "NEW": "pending",
    "PENDING": "pending",
    "WAITING_FOR_CONFIRMATION": "pending",
    "COMPLETED": "paid",
    "CANCELED": "cancelled",
    "REJECTED": "failed",
}
HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256, "SHA256": hashlib.sha256}


def _signature_parts(header: str) -> dict[str, str]:
    parts = {}
    for item in header.split(";"):
        key, _sep, value = item.partition("=")
        parts[key.strip().lower()] = value.strip()
    return parts


class PayuGateway(Gateway):
    name = "payu"

    def __init__(self, config: Mapping[str, str] | None = None) -> None:
        self.config = dict(config or settings.PAYU)

    def _token(self) -> str:
        try:
            response = requests.post(
                f"{self.config['api_url']}/pl/standard/user/oauth/authorize",
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.config["client_id"],
                    "client_secret": self.config["client_secret"],
                },
                timeout=TIMEOUT,
            )
            response.raise_for_status()
            return response.json()["access_token"]
        except (requests.RequestException, ValueError, KeyError) as error:
            raise GatewayError(f"PayU authorization failed: {error}") from error

    def start(self, *, order, continue_url: str, notify_url: str, customer_ip: str) -> Started:
        payload = {
            "notifyUrl": notify_url,
            "continueUrl": continue_url,
            "customerIp": customer_ip or "127.0.0.1",
            "merchantPosId": self.config["pos_id"],
            "description": f"eBOK {order.public_id}",
            "currencyCode": order.currency,
            "totalAmount": str(order.amount_grosz),
            "extOrderId": str(order.public_id),
            "products": [
                {
                    "name": item.invoice.number,
                    "unitPrice": str(int(item.amount * 100)),
                    "quantity": "1",
                }
                for item in order.items.select_related("invoice")
            ],
        }
        try:
            response = requests.post(
                f"{self.config['api_url']}/api/v2_1/orders",
                json=payload,
                headers={"Authorization": f"Bearer {self._token()}"},
                allow_redirects=False,  # PayU answers 302 with the JSON body
                timeout=TIMEOUT,
            )
            data = response.json()
        except (requests.RequestException, ValueError) as error:
            raise GatewayError(f"PayU order failed: {error}") from error
        if data.get("status", {}).get("statusCode") != "SUCCESS" or "redirectUri" not in data:
            raise GatewayError(f"PayU refused the order: {data.get('status')}")
        return Started(redirect_url=data["redirectUri"], gateway_order_id=str(data["orderId"]))

    def parse_notification(self, *, body: bytes, headers: Mapping[str, str]) -> Notification:
        parts = _signature_parts(headers.get("OpenPayu-Signature", ""))
        algorithm = HASHES.get(parts.get("algorithm", "").upper())
        if algorithm is None or not parts.get("signature"):
            raise SignatureError("PayU notification without a usable signature")
        expected = algorithm(body + self.config["second_key"].encode()).hexdigest()
        if not hmac.compare_digest(expected, parts["signature"].lower()):
            raise SignatureError("PayU signature mismatch")
        try:
            order = json.loads(body)["order"]
            return Notification(
                ext_order_id=str(order["extOrderId"]),
                gateway_order_id=str(order["orderId"]),
                amount_grosz=int(order["totalAmount"]),
                currency=str(order["currencyCode"]),
                status=STATUSES.get(str(order["status"]), "pending"),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise GatewayError(f"malformed PayU notification: {error}") from error
