"""One declaration of the permission flags (accounts.permissions.PERMISSIONS): the columns, the
company administrator's form and list, the back office and the audit log all read it, so a new
permission is one entry there and a migration."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import models
from django.template.loader import render_to_string

from accounts.audit import details_text
from accounts.company.forms import CompanyUserForm
from accounts.company.services import Permissions
from accounts.models import AuditEntry, User
from accounts.permissions import PERMISSIONS, Perm, has_perm
from tests.factories import CompanyFactory, UserFactory

FIELDS = [p.field for p in PERMISSIONS]


def test_every_permission_is_a_column_of_the_user_with_its_label_and_default():
    for p in PERMISSIONS:
        column = User._meta.get_field(p.field)
        assert isinstance(column, models.BooleanField)
        assert (str(column.verbose_name), column.default) == (str(p.label), p.default)


@pytest.mark.django_db
def test_perm_names_every_permission_and_reads_its_column():
    assert [(value, str(label)) for value, label in Perm.choices] == [
        (p.key, str(p.label)) for p in PERMISSIONS
    ]
    user = UserFactory(is_company_admin=False)
    for p in PERMISSIONS:
        for granted in (True, False):
            setattr(user, p.field, granted)
            assert has_perm(user, Perm(p.key)) is granted


@pytest.mark.django_db
def test_the_company_admins_form_offers_the_declared_permissions_in_order():
    form = CompanyUserForm(company=CompanyFactory())
    offered = [field.name for field in form.permission_fields()]
    assert offered == FIELDS
    names = list(form.fields)
    assert names.index("phone") < names.index(FIELDS[0])
    assert names.index(FIELDS[-1]) < names.index("contracts_access")
    for p in PERMISSIONS:
        assert form.fields[p.field].label == p.description
        assert form.fields[p.field].initial is p.default


def test_a_new_users_permission_set_starts_from_the_declared_defaults():
    assert (*FIELDS, "contracts_restricted") == Permissions.FLAGS
    defaults = Permissions()
    assert {f: getattr(defaults, f) for f in FIELDS} == {p.field: p.default for p in PERMISSIONS}


def test_the_back_office_edits_and_filters_the_declared_permissions():
    user_admin = admin.site._registry[User]
    permission_fieldsets = [
        options["fields"]
        for _title, options in user_admin.fieldsets
        if "contracts_restricted" in options["fields"]
    ]
    assert permission_fieldsets == [[*FIELDS, "contracts_restricted", "allowed_contracts"]]
    assert [f for f in user_admin.list_filter if f in FIELDS] == FIELDS


def test_the_user_list_shows_one_badge_per_granted_permission():
    user = UserFactory.build(
        is_company_admin=False, **{f: False for f in FIELDS[1:]}, contracts_restricted=False
    )
    html = render_to_string("accounts/company/_permissions.html", {"user": user})
    assert "brak uprawnień" in html
    for p in PERMISSIONS[1:]:
        setattr(user, p.field, True)
        html = render_to_string("accounts/company/_permissions.html", {"user": user})
        assert f'<span class="badge ebok-badge-unpaid">{p.badge}</span>' in html
    assert "brak uprawnień" not in html


def test_the_audit_log_names_the_declared_permissions():
    entry = AuditEntry(details={"after": {**{f: True for f in FIELDS}}})
    assert details_text(entry) == "po zmianie: " + ", ".join(str(p.badge) for p in PERMISSIONS)
