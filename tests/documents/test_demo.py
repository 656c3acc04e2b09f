from __future__ import annotations

import datetime as dt

import pytest

from accounts.demo import TRANS_POL
from documents import demo
from documents.models import DocumentProcess
from ebok.demo import DemoContext
from tests.factories import CompanyFactory, ContractFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_processes_are_built_once_through_the_services():
    company = CompanyFactory(client_number=TRANS_POL)
    ContractFactory(company=company)
    UserFactory(company=company, is_company_admin=True)
    StaffUserFactory()
    ctx = DemoContext(today=dt.date(2026, 12, 1), log=lambda line: None)
    demo.seed(ctx)
    demo.seed(ctx)
    processes = DocumentProcess.objects.filter(company=company)
    assert processes.count() == 4
    annex = processes.get(title__startswith="Aneks")
    assert annex.versions.count() == 2 and annex.comments.count() == 2
    assert annex.status == DocumentProcess.Status.CLIENT
    assert set(processes.values_list("status", flat=True)) == {"client", "done"}
