"""`make bench` fails its run when a page or the export misses its target."""

from __future__ import annotations

from bench.report import misses
from bench.targets import TARGET_PAGE_RATIO


def _results(**pages: tuple[float, bool]) -> dict:
    rows = {"bench_minimal": (1.0, True), "bench_bare": (0.6, True), **pages}
    return {
        "pages": {
            "pages": {
                name: {"ratio": ratio, "queries_flat": flat} for name, (ratio, flat) in rows.items()
            }
        }
    }


def test_a_page_over_two_and_a_half_times_the_layout_page_misses():
    assert TARGET_PAGE_RATIO == 2.5
    assert misses(_results(home=(2.5, True), **{"invoices:list": (2.51, True)})) == [
        "invoices:list"
    ]


def test_a_page_whose_queries_grow_with_the_data_misses():
    assert misses(_results(home=(1.2, False))) == ["home"]


def test_the_export_misses_on_time_or_memory():
    results = _results(home=(1.2, True))
    results["export"] = {"ratio": 1.6, "peak_rss_mb": 150}
    assert misses(results) == ["export time", "export memory"]
    results["export"] = {"ratio": 1.4, "peak_rss_mb": 120}
    assert misses(results) == []


def test_pages_with_a_target_of_their_own_are_judged_by_it():
    results = _results(home=(1.2, True))
    results["pages"]["pages"]["home:after-change"] = {
        "ratio": 3.9,
        "queries_flat": True,
        "target": 4.0,
    }
    results["pages"]["pages"]["invoices:pdf"] = {"ratio": 1.6, "queries_flat": True, "target": 1.5}
    assert misses(results) == ["invoices:pdf"]


def test_the_first_pdf_render_misses_over_twice_bare_weasyprint():
    results = _results(home=(1.2, True))
    results["first_pdf"] = {"ratio": 2.1}
    assert misses(results) == ["first PDF render"]
    results["first_pdf"] = {"ratio": 1.9}
    assert misses(results) == []


def test_every_client_page_is_measured():
    from bench.targets import COLD_HOME, DEFAULT_PAGES

    expected = {
        "invoices:payments",
        "invoices:payment_detail",
        "invoices:detail",
        "invoices:pdf",
        "contracts:schedule_pdf",
        "contracts:policies",
        "contracts:fees",
        "accounts:profile",
        "accounts:company_users",
        "accounts:company_audit",
        "requests_app:list",
        "requests_app:detail",
        COLD_HOME,
    }
    assert expected <= set(DEFAULT_PAGES)
