"""Worker processes load the PDF engine when they start, not in their first request or task."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from celery.signals import worker_process_init

import ebok.celery
from ebok import pdf


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
