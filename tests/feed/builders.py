"""Core-system records as the core system would send them (JSON-ready: amounts as strings)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from contracts.schedule import build_rows, due_dates
from tests.factories import valid_nip

START = dt.date(2026, 1, 10)


def company(n: int, **extra) -> dict:
    return {
        "kind": "company",
        "external_id": f"C{n}",
        "client_number": f"{70000000 + n:08d}",
        "name": f"Firma z rdzenia {n} Sp. z o.o.",
        "nip": valid_nip(n + 90000),
        "street": "ul. Leasingowa 1",
        "postal_code": "00-950",
        "city": "Warszawa",
        "email": f"biuro{n}@rdzen.example.pl",
        **extra,
    }


def admin_user(n: int) -> dict:
    return {
        "login": f"admin{n}",
        "first_name": "Anna",
        "last_name": "Nowak",
        "email": f"anna{n}@rdzen.example.pl",
        "phone": f"+4860{n:07d}",
    }


def contract(n: int, number: int = 1, **extra) -> dict:
    return {
        "kind": "contract",
        "company": f"C{n}",
        "external_id": f"C{n}-K{number}",
        "number": f"UL/{n}/{number}",
        "lease_kind": "operating",
        "status": "active",
        "signed_on": "2026-01-05",
        "start_date": START.isoformat(),
        "end_date": "2026-04-10",
        "net_value": "120000.00",
        "initial_payment": "20000.00",
        "buyout_value": "10000.00",
        "installment_count": 3,
        "reference_rate": "WIBOR1M",
        "reference_rate_value": "5.0000",
        "margin": "2.0000",
        "assets": [
            {
                "external_id": f"C{n}-K{number}-A1",
                "kind": "car",
                "make": "Škoda",
                "model": "Octavia",
                "registration_number": f"WA{n:05d}",
                "serial_number": f"TMBJJ7NE0L{n:07d}",
                "production_year": 2025,
            }
        ],
        **extra,
    }


def installments(rate: Decimal = Decimal("7.0")) -> list[dict]:
    rows = build_rows(
        capital=Decimal("100000.00"),
        buyout=Decimal("10000.00"),
        annual_rate_percent=rate,
        dates=due_dates(START, 3),
        vat_rate_percent=23,
    )
    return [
        {
            "number": row.number,
            "due_date": row.due_date.isoformat(),
            "capital": str(row.capital),
            "interest": str(row.interest),
            "vat": str(row.vat),
        }
        for row in rows
    ]


def installments_after_rate_change(rate: Decimal) -> list[dict]:
    """The schedule the core system sends after a rate change from the 2nd installment: the
    first (invoiced) row as it was, the others amortising what is left at the new rate."""
    first = installments()[0]
    rows = build_rows(
        capital=Decimal("100000.00") - Decimal(first["capital"]),
        buyout=Decimal("10000.00"),
        annual_rate_percent=rate,
        dates=due_dates(START, 3)[1:],
        first_number=2,
        vat_rate_percent=23,
    )
    return [first] + [
        {
            "number": row.number,
            "due_date": row.due_date.isoformat(),
            "capital": str(row.capital),
            "interest": str(row.interest),
            "vat": str(row.vat),
        }
        for row in rows
    ]


def schedule(n: int, number: int = 1, rows: list[dict] | None = None) -> dict:
    return {
        "kind": "schedule",
        "company": f"C{n}",
        "external_id": f"C{n}-K{number}-S",
        "contract": f"C{n}-K{number}",
        "installments": rows if rows is not None else installments(),
    }


def invoice(n: int, key: str, net: str = "1000.00", **extra) -> dict:
    return {
        "kind": "invoice",
        "company": f"C{n}",
        "external_id": f"C{n}-{key}",
        "number": f"FR/{n}/{key}",
        "invoice_kind": "other",
        "issue_date": "2026-02-01",
        "due_date": "2026-02-15",
        "lines": [{"description": f"Usługa {key}", "net": net, "vat_rate": "23"}],
        **extra,
    }


def correction(n: int, key: str, corrects: str, net: str) -> dict:
    return {
        "kind": "correction",
        "company": f"C{n}",
        "external_id": f"C{n}-{key}",
        "number": f"KR/{n}/{key}",
        "corrects": f"C{n}-{corrects}",
        "reason": "Błędna kwota",
        "issue_date": "2026-02-20",
        "lines": [{"description": "Korekta", "net": net, "vat_rate": "23"}],
    }


def payment(n: int, key: str, amount: str, **extra) -> dict:
    return {
        "kind": "payment",
        "company": f"C{n}",
        "external_id": f"C{n}-{key}",
        "amount": amount,
        "received_on": "2026-02-10",
        "title": f"Przelew {key}",
        **extra,
    }


def balance(n: int, amount: str) -> dict:
    return {"kind": "balance", "company": f"C{n}", "as_of": "2026-03-01", "balance": amount}


def policy(n: int, number: int = 1, **extra) -> dict:
    return {
        "kind": "policy",
        "company": f"C{n}",
        "external_id": f"C{n}-K{number}-P1",
        "contract": f"C{n}-K{number}",
        "asset": f"C{n}-K{number}-A1",
        "insurer": "PZU",
        "number": f"POL/{n}/{number}",
        "type": "ac",
        "valid_from": "2026-01-10",
        "valid_to": "2027-01-09",
        "sum_insured": "150000.00",
        "premium": "3200.00",
        **extra,
    }


def fee(n: int, number: int = 1, **extra) -> dict:
    return {
        "kind": "fee",
        "company": f"C{n}",
        "external_id": f"C{n}-K{number}-F1",
        "contract": f"C{n}-K{number}",
        "fee_kind": "registration",
        "charged_on": "2026-01-12",
        "net": "200.00",
        "vat": "46.00",
        **extra,
    }


def full_company(n: int) -> list[dict]:
    """Everything one client has: the records a first import sends."""
    return [
        company(n, admin=admin_user(n)),
        contract(n),
        schedule(n),
        fee(n),
        policy(n),
        invoice(n, "I1", installment_number=1, contract=f"C{n}-K1", invoice_kind="installment"),
        invoice(n, "F1", net="200.00", fee=f"C{n}-K1-F1", contract=f"C{n}-K1", invoice_kind="fee"),
        invoice(n, "X1"),
        correction(n, "X1K", "X1", "-100.00"),
        payment(n, "P1", "500.00"),
        balance(n, "2083.00"),  # 1230 + 246 + 1230 - 123 - 500
    ]


# --- fleet records: per vehicle (the contract's asset C{n}-K{number}-A1) ----------------------


def _vehicle(n: int, number: int) -> dict:
    return {"company": f"C{n}", "asset": f"C{n}-K{number}-A1"}


def service_visit(n: int, key: str = "S1", number: int = 1, **extra) -> dict:
    return {
        "kind": "service_visit",
        **_vehicle(n, number),
        "external_id": f"C{n}-{key}",
        "date": "2026-03-02",
        "workshop": "ASO Auto-Serwis Warszawa",
        "mileage_km": 15200,
        "scope": "inspection",
        "description": "Przegląd 15 000 km",
        "net": "800.00",
        "gross": "984.00",
        "invoice_number": "FS/2026/03/114",
        **extra,
    }


def damage(n: int, key: str = "D1", number: int = 1, **extra) -> dict:
    return {
        "kind": "damage",
        **_vehicle(n, number),
        "external_id": f"C{n}-{key}",
        "occurred_on": "2026-03-10",
        "place": "Warszawa, ul. Puławska",
        "description": "Otarcie zderzaka na parkingu",
        "claim_status": "registered",
        "insurer": "PZU",
        "claim_number": f"SZK/{n}/{key}",
        "repair_cost": "2400.00",
        "covered_amount": "2000.00",
        "handler_name": "Jan Likwidator",
        "handler_phone": "+48221234567",
        "handler_email": "szkody@pzu.example.pl",
        **extra,
    }


def fuel_transaction(n: int, key: str = "T1", number: int = 1, **extra) -> dict:
    return {
        "kind": "fuel_transaction",
        **_vehicle(n, number),
        "external_id": f"C{n}-{key}",
        "occurred_at": "2026-03-05T08:15:00+01:00",
        "card_number": "4821",
        "station": "Orlen, Warszawa Modlińska",
        "product": "diesel",
        "litres": "52.40",
        "net": "262.00",
        "gross": "322.26",
        "mileage_km": 15600,
        **extra,
    }


def mileage_reading(n: int, key: str = "M1", number: int = 1, **extra) -> dict:
    return {
        "kind": "mileage_reading",
        **_vehicle(n, number),
        "external_id": f"C{n}-{key}",
        "read_on": "2026-03-31",
        "mileage_km": 16100,
        "source": "telematics",
        **extra,
    }


def fleet(n: int, number: int = 1) -> list[dict]:
    return [
        service_visit(n, number=number),
        damage(n, number=number),
        fuel_transaction(n, number=number),
        mileage_reading(n, number=number),
    ]
