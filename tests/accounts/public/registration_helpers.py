"""Helpers of the self-registration tests: a company with data on file and a recent invoice."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Company
from invoices.models import Invoice
from invoices.services import LineSpec, VatRate, invoice_create
from notifications.models import Message
from tests.factories import CompanyFactory

URL = reverse("accounts:registration")
PASSWORD = "Wiosenny#Deszcz42"


def registrable_company(**kwargs) -> Company:
    """A company with no users, an e-mail and a mobile phone on file."""
    kwargs = {
        "name": "Transbud Sp. z o.o.",
        "nip": "5260250274",
        "email": "biuro@transbud.example.pl",
        "phone": "+48601200300",
        **kwargs,
    }
    return CompanyFactory(**kwargs)


def recent_invoice(company: Company, *, days_ago: int = 10, gross: str = "1234.56") -> Invoice:
    issued = timezone.localdate() - dt.timedelta(days=days_ago)
    return invoice_create(
        company=company,
        kind=Invoice.Kind.OTHER,
        lines=[LineSpec("Opłata", Decimal(gross), VatRate.NOT_SUBJECT)],
        issue_date=issued,
        due_date=issued + dt.timedelta(days=14),
    )


def form_data(company: Company, invoice: Invoice, **overrides) -> dict:
    data = {
        "client_number": company.client_number,
        "nip": "526-025-02-74",
        "invoice_number": invoice.number,
        "invoice_gross": "1 234,56",
        "email": "Biuro@Transbud.example.pl",
        "phone": "601 200 300",
        "accept_terms": "on",
        "accept_privacy": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register(client: Client, data: dict, capture) -> tuple:
    """POST the form; return (response, the queued check). The check is a callback run after
    commit: tests run it themselves, so what the request does can be told from what the check
    does."""
    with capture(execute=False) as callbacks:
        response = client.post(URL, data)
    return response, callbacks


def run(callbacks) -> None:
    for callback in callbacks:
        callback()


def activation_link(company: Company) -> str:
    body = (
        Message.objects.filter(channel="email", recipient=company.email)
        .latest("created_at", "pk")
        .body
    )
    return re.search(r"https?://\S+", body).group(0)
