"""What the benchmark measures and the target each figure must meet."""

from __future__ import annotations

COLD_HOME = "home:after-change"
DEFAULT_PAGES = [
    "home",
    "contracts:list",
    "contracts:detail",  # the schedule tab
    "contracts:contract_policies",
    "contracts:contract_fees",
    "invoices:contract_invoices",
    "contracts:installments",
    "contracts:policies",
    "contracts:fees",
    "invoices:list",
    "invoices:detail",
    "invoices:payments",
    "invoices:payment_detail",
    "online_payments:checkout",  # "pay the whole balance" (?scope=all, see page_url)
    "accounts:profile",
    "accounts:company_users",
    "accounts:company_audit",
    "documents:sign",
    "documents:receive_list",
    "documents:archive",
    "documents:detail",
    "accounts:inbox",
    "accounts:notification_settings",
    "requests_app:list",
    "requests_app:new",
    "requests_app:detail",  # the application with the longest thread
    "fleet:vehicles",
    "fleet:vehicle",  # the vehicle with the most fuel transactions
    "fleet:service",
    "fleet:fuel",
    "fleet:damages",
    "fleet:costs",
    "fleet:claim_report",
    "fleet:claim_detail",  # the claim with the longest status history
    # Not pages of the portal's own: the dashboard right after a change of the company's data
    # (every cached figure stale) and the download of a stored invoice PDF.
    COLD_HOME,
    "invoices:pdf",
    "contracts:schedule_pdf",  # the longest contract's schedule, cached per data version
]
# A page may take at most this many times the minimal page with the portal layout; a run where
# a page misses it (or its query count grows with the data) exits non-zero.
TARGET_PAGE_RATIO = 2.5
TARGET_EXPORT_RATIO = 1.5
# What the pages are measured against (bench/urls.py): they have no target of their own.
REFERENCE_PAGES = ("bench_minimal", "bench_bare")
# Pages with a target of their own: (what they are compared with, at most how many times it).
# The dashboard after a data change recomputes every figure; a stored invoice PDF is a file
# read behind the sign-in, a schedule PDF a cache read (rendered once per data version and
# day), so they are compared with the bare signed-in view.
PAGE_TARGETS = {
    COLD_HOME: ("bench_minimal", 4.0),
    "invoices:pdf": ("bench_bare", 1.5),
    "contracts:schedule_pdf": ("bench_bare", 1.5),
}
# The first render of an invoice PDF in a fresh worker, against bare WeasyPrint's first
# render of a one-page HTML in a fresh process (bench/pdf_probe.py).
TARGET_FIRST_PDF_RATIO = 2.0
TARGET_EXPORT_MB = 150
# The daily payment-reminder scan over the --scale company plus this many invoices.
TARGET_REMINDER_SECONDS = 10.0
