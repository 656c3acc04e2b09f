"""The list filters render their fields without the template engine, exactly as Django does."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from accounts.company.forms import CompanyUserFilterForm
from contracts.forms import (
    ContractFilterForm,
    FeeFilterForm,
    InstallmentFilterForm,
    PolicyFilterForm,
    ScheduleFilterForm,
)
from ebok import forms as ebok_forms
from invoices.forms import InvoiceFilterForm, PaymentFilterForm

QUERIES = [
    {},
    {"q": "a\"<b>&'c", "contract": "Ż<", "status": "paid", "kind": "fee", "type": "oc"},
    {"status": "bogus", "date_from": "xx", "date_to": "2020-01-01", "page": "abc", "sort": "?"},
    {"issued_from": "2026-01-02", "due_to": "31.12.2026", "date_from": "2027-01-01"},
]


def _forms(data):
    yield from (
        cls(data)
        for cls in (
            ContractFilterForm,
            FeeFilterForm,
            PolicyFilterForm,
            ScheduleFilterForm,
            InvoiceFilterForm,
            PaymentFilterForm,
            CompanyUserFilterForm,
        )
    )
    yield InstallmentFilterForm(data, today=dt.date(2026, 11, 21))


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("data", QUERIES)
def test_filter_fields_render_as_djangos_own_widget_templates(monkeypatch, language, data):
    with translation.override(language):
        ours = [str(field) for form in _forms(data) for field in form]
        monkeypatch.setattr(ebok_forms._InputHTML, "_render", forms.Widget._render)
        monkeypatch.setattr(ebok_forms.Select, "_render", forms.Widget._render)
        djangos = [str(field) for form in _forms(data) for field in form]
    assert ours == djangos
    assert any("<select" in html for html in ours) and any(
        "data-date-picker" in html for html in ours
    )
