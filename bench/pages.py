"""The pages: each measured against the minimal page with the portal layout, its SQL queries
counted on a small and on the large company."""

from __future__ import annotations

import statistics
import time

from bench.targets import COLD_HOME, PAGE_TARGETS, REFERENCE_PAGES, TARGET_PAGE_RATIO

# --- pages ---------------------------------------------------------------------------------------


def page_object(name: str, company):
    """What a page that needs an id shows: the company's longest contract, its latest invoice
    (with its PDF stored), the payment that settled the most invoices."""
    from django.db.models import Count

    from invoices.services import invoice_pdf_ensure

    if name.startswith("documents:"):  # the process with the longest history
        from documents.models import DocumentProcess

        processes = DocumentProcess.objects.filter(company=company, kind="sign")
        return processes.annotate(n=Count("events")).order_by("-n", "pk").first()
    if name.startswith("requests_app:"):  # the application with the longest thread
        from requests_app.models import Application

        applications = Application.objects.filter(company=company).exclude(status="draft")
        return applications.annotate(n=Count("messages")).order_by("-n", "pk").first()
    if name == "fleet:vehicle":  # the vehicle with the longest history
        from contracts.fleet.models import FuelTransaction
        from contracts.models import LeasedAsset

        busiest = (
            FuelTransaction.objects.filter(company=company, contract__fleet_management=True)
            .values("asset_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "asset_id")
            .first()
        )
        return LeasedAsset.objects.get(pk=busiest["asset_id"]) if busiest else None
    if name == "fleet:claim_detail":
        from contracts.fleet.models import Damage

        damages = Damage.objects.filter(company=company, contract__fleet_management=True)
        return damages.annotate(n=Count("status_changes")).order_by("-n", "pk").first()
    contract = company.contracts.order_by("-installment_count", "pk").first()
    if name == "invoices:payment_detail":
        return company.payments.annotate(n=Count("allocations")).order_by("-n", "pk").first()
    if name in ("invoices:detail", "invoices:pdf"):
        invoice = contract.invoices.order_by("-issue_date", "-pk").first()
        return invoice_pdf_ensure(invoice=invoice) if name == "invoices:pdf" else invoice
    return contract


def page_url(name: str, company) -> str:
    from django.urls import NoReverseMatch, reverse

    url_name = "home" if name == COLD_HOME else name
    if name == "online_payments:checkout":
        return reverse(name) + "?scope=all"
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return reverse(url_name, args=[page_object(name, company).pk])


def page_offered(name: str, company) -> bool:
    """Whether a user of `company` reaches the page at all: "pay the whole balance" is offered
    only with something to pay (without, the checkout sends the user back to the invoice
    list), and "Flota" only to a company with car fleet management (the menu shows it then),
    so a company without has no query count for them."""
    if name in ("fleet:vehicle", "fleet:claim_detail"):  # only a company with a CFM fleet
        return page_object(name, company) is not None
    if name.startswith("fleet:"):
        return company.contracts.filter(fleet_management=True).exists()
    if name != "online_payments:checkout":
        return True
    from bench.data import bench_user
    from ebok.dates import today
    from invoices.online.selectors import payable_invoices

    return bool(payable_invoices(user=bench_user(company), today=today(), scope="all"))


def before_request(name: str, company) -> None:
    """Untimed: what happens before each request of the page."""
    if name == COLD_HOME:
        from ebok.datacache import company_data_changed

        company_data_changed(company.pk)


def fetch(client, url: str) -> int:
    """GET the URL and read the whole response (a file download streams)."""
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
        response.close()
    return response.status_code


def signed_in_client(company):
    from django.test import Client

    from bench.data import bench_user

    client = Client()
    client.force_login(bench_user(company))
    return client


def query_count(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        status = fetch(client, url)
    assert status == 200, (url, status)
    return len(queries)


def measure_pages(pages: list[str], requests: int, log) -> dict:
    from accounts.models import Company
    from bench.data import SCALE_COMPANY, SMALL_COMPANIES

    large = Company.objects.get(client_number=SCALE_COMPANY)
    smaller = list(Company.objects.filter(client_number__in=SMALL_COMPANIES))
    references = list(REFERENCE_PAGES)
    urls = {name: page_url(name, large) for name in [*references, *pages]}

    # Query counts for every demo company: the large one must not need more than the most a
    # small one needs (a constant extra query for, say, a tile that only shows with data is
    # fine; a count that follows the number of rows is not).
    results: dict[str, dict] = {name: {"url": urls[name], "times_ms": []} for name in urls}
    for company in [*smaller, large]:
        client = signed_in_client(company)
        for name in urls:
            if not page_offered(name, company):
                continue
            url = page_url(name, company)
            before_request(name, company)
            count = query_count(client, url)
            results[name].setdefault("queries", {})[company.client_number] = count
    for row in results.values():
        row["queries_large"] = row["queries"][large.client_number]
        counts = row["queries"]
        counted = [counts[c.client_number] for c in smaller if c.client_number in counts]
        row["queries_small"] = max(counted, default=row["queries_large"])

    # Round robin, so a slow moment of the machine hits every page alike.
    client = signed_in_client(large)
    for _ in range(3):  # warm-up: caches, connections, template loading
        for name in results:
            fetch(client, urls[name])  # (the dashboard after a change: warm, like `home`)
    # The dashboard after a change makes every cached figure of the company stale, so it is
    # timed in a round of its own (with its own references): in the main round it would make
    # every other page's cached figures cold too.
    rounds = [[name for name in results if name != COLD_HOME]]
    if COLD_HOME in results:
        rounds.append([*REFERENCE_PAGES, COLD_HOME])
    medians: dict[str, float] = {}
    for pages_of_round in rounds:
        times: dict[str, list[float]] = {name: [] for name in pages_of_round}
        for _ in range(requests):
            for name in pages_of_round:
                before_request(name, large)
                started = time.perf_counter()
                status = fetch(client, urls[name])
                times[name].append((time.perf_counter() - started) * 1000)
                assert status == 200, (name, status)
        round_medians = {name: statistics.median(t) for name, t in times.items()}
        for name in pages_of_round:
            results[name]["times_ms"] = times[name]
            if name not in REFERENCE_PAGES or name not in medians:
                medians[name] = round_medians[name]
        if COLD_HOME in pages_of_round:  # its ratio: to the references of its own round
            cold_reference = {name: round_medians[name] for name in REFERENCE_PAGES}
    for name, row in results.items():
        reference, target = PAGE_TARGETS.get(name, ("bench_minimal", TARGET_PAGE_RATIO))
        row["median_ms"] = medians[name]
        row["reference"], row["target"] = reference, target
        of = cold_reference if name == COLD_HOME else medians
        row["ratio"] = row["median_ms"] / of[reference]
        row["queries_flat"] = row["queries_large"] <= row["queries_small"]
        del row["times_ms"]
        log(
            f"  {name:<26} {row['median_ms']:8.1f} ms  x{row['ratio']:.2f} of {reference}  "
            f"queries {row['queries_small']} (small, at most) / {row['queries_large']} (large)"
        )
    return {
        "large_company": {
            "contracts": large.contracts.count(),
            "invoices": large.invoices.count(),
        },
        "small_companies": {
            "contracts": sorted(c.contracts.count() for c in smaller),
            "invoices": sorted(c.invoices.count() for c in smaller),
        },
        "requests": requests,
        "reference": "bench_minimal",
        "pages": results,
    }
