"""No input reaches a server error: every client URL, walked from the URL configuration, with
hostile query strings and form values (GET and POST), signed in as a company administrator
with every permission (path parameters filled with the company's own objects) and signed out.

A fixed corpus, not random draws: the same cases every run, each parameter gets every value
(a request sets every parameter at once, each to a different value of the corpus, rotated).
The parameter names are the ones the forms read (collected from each page's own HTML) plus
the filters' names, so a field added later is fuzzed without touching this file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.audit import Action
from accounts.models import AuditEntry
from ebok.forms import BoundedDateField, parse_id
from ebok.models import ExportJob
from tests.accounts.conftest import make_client_user
from tests.downloads import read_xlsx, streamed
from tests.factories import AdditionalFeeFactory, InsurancePolicyFactory
from tests.portal_helpers import invoice_installments, make_contract, pay, today

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
FORMULA = '=HYPERLINK("http://evil","x")'
BIGINT_PLUS_ONE = "9223372036854775808"
HOSTILE = [
    "abc",
    "",
    "0",
    "-1",
    HUGE,
    BIGINT_PLUS_ONE,
    "²",  # a digit to str.isdigit(), not to int()
    "٣",  # an Arabic-Indic three: int() reads it as 3
    "1\x00",
    "x" * 10_240,
    "9" * 5_000,  # more digits than int() converts
    "31.12.9999",
    "01.01.0001",
    "00.00.0000",
    "2026-02-30",
    "9999-12-31",
    FORMULA,
    "a\r\nSet-Cookie: x=1",
]
# Raw query strings: bytes that are no UTF-8, percent-encoded NUL, a lone surrogate.
RAW_QUERIES = [
    "contract_id=%ff&date_to=%ED%A0%80&q=%00",
    "page=%EF%BC%91&sort=%ff%fe",
    "contract_id&date_from&user&&&=x",
]
# What the portal's filters and forms read; more names come from each page's HTML.
PARAM_NAMES = [
    "contract_id",
    "contract",
    "invoice",
    "user",
    "pk",
    "id",
    "action",
    "status",
    "kind",
    "type",
    "state",
    "q",
    "sort",
    "page",
    "date_from",
    "date_to",
    "issued_from",
    "issued_to",
    "due_from",
    "due_to",
    "received_from",
    "received_to",
    "next",
    "powod",
    "allowed_contracts",
    "contracts_access",
]
# Never walked: the back office (staff only, Django's own admin).
SKIPPED_NAMESPACES = {"admin"}
# Webhooks refuse every unsigned request with 403 before they read their path (Twilio's
# delivery reports): an overflowing id there is refused, not looked up.
SIGNED_WEBHOOKS = {"notifications:twilio_status_for_message"}
# The core system's import API refuses every request without its key (401) before it reads its
# path; with a key, an overflowing id is 404 (tests/feed).
KEYED_API_NAMESPACES = {"feed"}
# Signing out ends the session the rest of the walk needs: it is walked last.
SIGN_OUT = "accounts:signout"

_NAME_ATTR = re.compile(rb'\bname="([A-Za-z_][\w-]{0,60})"')


@dataclass(frozen=True)
class Route:
    name: str
    pattern: URLPattern
    prefix: str  # the routes above it, e.g. "eksporty/"


def client_routes() -> list[Route]:
    def walk(patterns, namespace: str, prefix: str) -> Iterator[Route]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                if ns in SKIPPED_NAMESPACES:
                    continue
                yield from walk(entry.url_patterns, ns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                yield Route(name, entry, prefix)

    return list(walk(get_resolver().url_patterns, "", ""))


# The own object each route's integer parameter names; unlisted routes are guessed by name.
OBJECT_OF = {
    "invoices:detail": "invoice",
    "invoices:pdf": "invoice",
    "invoices:payment_detail": "payment",
}


def object_for(route: Route, param: str) -> str:
    if route.name in OBJECT_OF:
        return OBJECT_OF[route.name]
    for word in ("payment", "user", "invoice", "policy", "fee"):
        if word in route.name or word in param:
            return word
    return "contract"


def fill(route: Route, world: dict, *, overflow: str | None = None) -> str:
    """The route's path with its parameters set to own objects (or an overflowing number)."""
    path = route.prefix + str(route.pattern.pattern)
    for param, converter in route.pattern.pattern.converters.items():
        kind = type(converter).__name__
        if kind == "IntConverter":
            value = overflow or str(world[object_for(route, param)].pk)
        elif kind == "UUIDConverter":
            value = str(world["job"].pk)
        elif param == "uidb64":
            value = urlsafe_base64_encode(force_bytes(world["user"].pk))
        else:
            value = "set-password"
        path = re.sub(rf"<(?:\w+:)?{param}>", value, path)
    return "/" + path


def rotations(names: list[str]) -> Iterator[dict[str, str | list[str]]]:
    """Every name gets every hostile value once; then every name as a repeated parameter."""
    for i in range(len(HOSTILE)):
        yield {name: HOSTILE[(i + j) % len(HOSTILE)] for j, name in enumerate(names)}
    yield {name: ["1", "abc", HUGE, "31.12.9999"] for name in names}


def drain(response) -> None:
    # A streamed body is produced while it is read: errors in the generator happen here.
    # (No response.close(): the test client closes it, and a second close would fire
    # request_finished and close the test's database connection.)
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass


@pytest.fixture
def world(company):
    admin = make_client_user(
        company=company,
        login="admin.fuzz",
        is_company_admin=True,
        can_view_finances=True,
        can_view_contracts=True,
        can_submit_requests=True,
        can_sign_documents=True,
    )
    colleague = make_client_user(company=company, login="kolega", phone="+48600100300")
    contract = make_contract(company, number="UL/FUZZ/1")
    policy = InsurancePolicyFactory(contract=contract)
    fee = AdditionalFeeFactory(contract=contract)
    invoice = invoice_installments(contract, through=today())[0]
    payment = pay(company, invoice.gross, invoice=invoice)
    job = ExportJob.objects.create(owner=admin, company=company, kind="invoices", params={})
    return {
        "admin": admin,
        "user": colleague,
        "contract": contract,
        "policy": policy,
        "fee": fee,
        "invoice": invoice,
        "payment": payment,
        "job": job,
    }


def _signed_in(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def _reset(admin) -> None:
    # A walk through the password forms counts failed attempts; the admin must stay usable.
    type(admin).objects.filter(pk=admin.pk).update(locked_at=None, failed_signin_count=0)


def fuzz(client: Client, url: str, failures: list, *, user_agent: str = "") -> list[int]:
    """Every rotation with GET and POST; returns the statuses (failures collected)."""
    statuses = []
    first = client.get(url)
    drain(first)
    if first.status_code == 302 and first["Location"].startswith(reverse("accounts:signin")):
        return [first.status_code]  # signed out: the view is never reached, whatever is sent
    names = list(dict.fromkeys([*PARAM_NAMES, *_form_names(first)]))
    cases = list(rotations(names))
    if first.get("Content-Type", "").startswith("application/pdf"):
        # Rendering a PDF costs the most here (~0.5 s), and a PDF view reads no parameter:
        # a few rotations still give every parameter several hostile values.
        cases = cases[:4] + cases[-1:]
    for method in ("get", "post"):
        for params in cases:
            try:
                # A savepoint per request: a database error is a finding, not the walk's end.
                with transaction.atomic():
                    response = getattr(client, method)(url, params, HTTP_USER_AGENT=user_agent)
                    drain(response)
            except Exception as error:
                failures.append((method.upper(), url, _short(params), repr(error)[:300]))
                continue
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append((method.upper(), url, _short(params), response.status_code))
            if response.status_code == 405:
                break  # the method is not offered: the other values change nothing
    for raw in RAW_QUERIES:
        try:
            with transaction.atomic():
                drain(client.get(f"{url}?{raw}"))
        except Exception as error:
            failures.append(("GET", f"{url}?{raw}", {}, repr(error)[:300]))
    return [first.status_code, *statuses]


def _form_names(response) -> list[str]:
    if getattr(response, "streaming", False) or "html" not in response.get("Content-Type", ""):
        return []
    return [m.decode() for m in _NAME_ATTR.findall(response.content)][:60]


def _short(params: dict) -> dict:
    return {k: (v[:40] if isinstance(v, str) else v) for k, v in list(params.items())[:6]}


def overflowing_paths(route: Route, world: dict) -> list[str]:
    """The route with each overflowing number as its integer parameter (none: no such path)."""
    converters = route.pattern.pattern.converters.values()
    if not any(type(c).__name__ == "IntConverter" for c in converters):
        return []
    return [fill(route, world, overflow=number) for number in (HUGE, BIGINT_PLUS_ONE)]


def test_no_input_reaches_a_server_error(world):
    routes = client_routes()
    names = {route.name for route in routes}
    # The walk reaches what the issue names; a route renamed later must not empty it silently.
    named = {"invoices:zip", "invoices:xlsx", "contracts:fees_xlsx", "contracts:policies_xlsx"}
    assert named | {"accounts:company_audit", "accounts:company_audit_xlsx"} <= names

    failures: list = []
    first_status = {}
    for route in sorted(routes, key=lambda r: r.name == SIGN_OUT):
        _reset(world["admin"])
        client = _signed_in(world["admin"])
        statuses = fuzz(client, fill(route, world), failures, user_agent=FORMULA)
        first_status[route.name] = statuses[0]
        for path in overflowing_paths(route, world):
            for method in ("get", "post"):
                with transaction.atomic():
                    status = getattr(_signed_in(world["admin"]), method)(path).status_code
                # 405: the action takes the other method
                expected = {404, 405, 403} if route.name in SIGNED_WEBHOOKS else {404, 405}
                if route.name.partition(":")[0] in KEYED_API_NAMESPACES:
                    expected = {401, 405}
                if status not in expected:
                    failures.append((method.upper(), path, {}, status))
    for route in routes:
        fuzz(Client(), fill(route, world), failures)

    assert failures == []
    # The signed-in walk saw real pages, not sign-in redirects or refusals.
    for name in ("contracts:list", "invoices:list", "accounts:company_audit", "invoices:detail"):
        assert first_status[name] == 200, (name, first_status[name])


# --- The cases the issue names, each with what the user sees ------------------------------------


def _xlsx_cells(response) -> list:
    sheet = read_xlsx(streamed(response))
    return [cell for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("value", ["abc", "", HUGE, "²", "1\x00"])
@pytest.mark.parametrize(
    "name", ["invoices:xlsx", "contracts:fees_xlsx", "contracts:policies_xlsx"]
)
def test_a_forged_contract_id_on_an_export_is_ignored(world, name, value):
    client = _signed_in(world["admin"])
    response = client.get(reverse(name), {"contract_id": value})
    assert response.status_code == 200
    cells = " ".join(str(cell.value) for cell in _xlsx_cells(response))
    assert "UL/FUZZ/1" in cells  # the list as on screen: the parameter is no filter of it


@pytest.mark.parametrize("value", ["abc", "", HUGE])
def test_a_forged_contract_id_on_the_zip_of_a_list_is_ignored(world, value):
    client = _signed_in(world["admin"])
    response = client.get(reverse("invoices:zip"), {"contract_id": value})
    assert response.status_code in (200, 302)  # the file, or its job's progress page
    if response.status_code == 302:
        assert response["Location"].startswith("/eksporty/")


@pytest.mark.parametrize("value", ["²", BIGINT_PLUS_ONE, "٣", "-1"])
def test_a_forged_invoice_id_posted_to_the_zip_is_refused_with_a_message(world, value):
    client = _signed_in(world["admin"])
    response = client.post(reverse("invoices:zip"), {"invoice": value}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("invoices:list"))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_to": "31.12.9999"}, "Podaj datę od 01.01.2000 do 31.12.2100."),
        ({"date_from": "01.01.0001"}, "Podaj datę od 01.01.2000 do 31.12.2100."),
        ({"date_from": "2026-02-30"}, "Podaj datę w formacie DD.MM.RRRR."),
        ({"user": HUGE}, "Nieznany użytkownik."),
        ({"user": "²"}, "Nieznany użytkownik."),
    ],
)
def test_the_audit_log_answers_a_date_out_of_range_with_a_message(world, query, message):
    client = _signed_in(world["admin"])
    page = client.get(reverse("accounts:company_audit"), query)
    assert page.status_code == 200
    assert message in page.content.decode()

    export = client.get(reverse("accounts:company_audit_xlsx"), query)
    assert export.status_code == 200
    assert _xlsx_cells(export)  # the log, as if the parameter were absent


@pytest.mark.parametrize("value", [BIGINT_PLUS_ONE, HUGE, "²", "abc"])
def test_an_overflowing_contract_id_in_a_user_form_is_refused(world, value):
    client = _signed_in(world["admin"])
    data = {
        "login": "ewa.nowa",
        "first_name": "Ewa",
        "last_name": "Nowa",
        "email": "ewa.nowa@firma.example.pl",
        "phone": "601 234 567",
        "can_view_finances": "on",
        "contracts_access": "chosen",
        "allowed_contracts": [str(world["contract"].pk), value],
    }
    response = client.post(reverse("accounts:company_user_add"), data)
    assert response.status_code == 200
    assert f"Nieprawidłowy identyfikator umowy: {value}." in response.content.decode()

    edit = client.post(reverse("accounts:company_user", args=[world["user"].pk]), data)
    assert edit.status_code == 200
    assert "Nieprawidłowy identyfikator umowy" in edit.content.decode()
    world["user"].refresh_from_db()
    assert not world["user"].contracts_restricted


def test_ids_and_dates_are_read_by_one_shared_field():
    assert [parse_id(v) for v in ("1", " 42 ", str(2**63 - 1))] == [1, 42, 2**63 - 1]
    for hostile in ("0", "-1", "²", "٣", "１", BIGINT_PLUS_ONE, HUGE, "9" * 5000, "1e3", "", None):
        assert parse_id(hostile) is None, hostile
    field = BoundedDateField(required=False)
    assert field.clean("31.12.2100") == dt.date(2100, 12, 31)
    assert field.clean("2000-01-01") == dt.date(2000, 1, 1)
    for hostile in ("31.12.9999", "01.01.0001", "00.00.0000", "2026-02-30", "٢٠٢٦-٠١-٠١"):
        with pytest.raises(ValidationError):
            field.clean(hostile)


# --- What an export records: cleaned and bounded filters (item 12) -----------------------------


def test_the_audit_entry_of_an_export_keeps_only_the_cleaned_filters(world):
    client = _signed_in(world["admin"])
    response = client.get(
        reverse("accounts:company_audit_xlsx"),
        {
            "action": "signout",
            "date_from": "2026-01-01",
            "date_to": "x" * 10_240,
            "user": "1\x00",
            "sort": "a\r\nb",
            "contract_id": "abc",
            "injected": "z" * 10_240,
        },
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action=Action.AUDIT_EXPORTED).latest("created_at", "pk")
    assert entry.details["filters"] == {"action": ["signout"], "date_from": ["2026-01-01"]}


def test_an_export_job_keeps_only_the_cleaned_filters(world, settings):
    settings.EXPORT_ASYNC_THRESHOLD = 0  # every export becomes a job
    client = _signed_in(world["admin"])
    query = {"status": "unpaid", "q": "q" * 10_240, "due_to": "31.12.9999", "contract_id": "abc"}
    response = client.get(reverse("invoices:xlsx"), {**query, "x": "\x00" * 100})
    assert response.status_code == 302
    job = ExportJob.objects.exclude(pk=world["job"].pk).get()
    assert job.params == {"status": ["unpaid"], "q": [""], "due_to": [""]}

    zip_query = {"status": "unpaid", "q": "\r\n" + "q" * 10_240, "contract_id": "abc"}
    client.get(reverse("invoices:zip"), zip_query)
    for job in ExportJob.objects.exclude(pk=world["job"].pk):
        text = json.dumps(job.params)
        assert "contract_id" not in text and "\\r" not in text and len(text) < 1000
