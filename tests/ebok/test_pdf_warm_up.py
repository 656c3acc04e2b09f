"""Worker processes load the PDF engine when they start, not in their first request or task."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from celery.signals import worker_process_init

import ebok.celery
from ebok import pdf
from tests.downloads import pdf_text


def test_the_warm_up_renders_without_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="ebok.pdf"):
        pdf.warm_up()
    assert caplog.records == []


def test_the_warm_up_never_stops_a_worker_from_starting(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise OSError("no fonts")

    monkeypatch.setattr("weasyprint.HTML.write_pdf", broken)
    with caplog.at_level(logging.WARNING, logger="ebok.pdf"):
        pdf.warm_up()
    assert "PDF warm-up failed" in caplog.text


def test_celery_and_gunicorn_workers_warm_up_at_start(monkeypatch):
    calls = []
    monkeypatch.setattr(pdf, "warm_up", lambda: calls.append("warm"))
    worker_process_init.send(sender=None)
    assert calls == ["warm"], ebok.celery.warm_up_pdf

    path = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", path)
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    config.post_worker_init(worker=None)
    assert calls == ["warm", "warm"]


def test_the_warm_up_renders_the_invoice_template_too():
    """A worker's first invoice PDF finds its template compiled and its fonts loaded."""
    from invoices.pdf import warm_up_sample

    assert pdf._warm_ups["invoices.invoice"] is warm_up_sample
    assert warm_up_sample().startswith(b"%PDF-")


def test_the_warm_up_builds_the_render_queries_without_the_database():
    """The SQL of the render's reads is built (Django's per-model caches filled) at worker
    start, when the database may not be up: no connection is opened (this test has none)."""
    from invoices.pdf import warm_up_queries

    assert pdf._warm_ups["invoices.queries"] is warm_up_queries
    warm_up_queries()  # without a `django_db` mark, any database access fails the test


def test_after_the_warm_up_a_new_glyph_count_needs_no_c_parsing(monkeypatch):
    """Each font's subset is handed to HarfBuzz as a C array of its glyph count; cffi parsed
    every new count (4-10 ms) in a worker's first renders. Primed by the warm-up, a document
    with counts never met before renders without the parser, and its text is intact."""
    from weasyprint import HTML
    from weasyprint.text.ffi import ffi

    pdf.warm_up()
    parsed = []
    parse_type = ffi._parser.parse_type
    monkeypatch.setattr(
        ffi._parser, "parse_type", lambda cdecl: parsed.append(cdecl) or parse_type(cdecl)
    )
    # Latin letters, Polish letters, digits and Greek: a glyph count no other test renders.
    text = "AĄBCĆDEĘFGHIJKLŁMNŃOÓPRSŚTUWYZŹŻ 0123456789 αβγδεζηθικλμνξοπρστυφχψω"
    content = HTML(string=f"<p>{text}</p><p><b>{text[:23]}</b></p>").write_pdf(
        font_config=pdf._font_config()
    )
    assert parsed == []
    assert text in pdf_text(content)
