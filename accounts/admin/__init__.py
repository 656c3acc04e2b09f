"""The back office of accounts: companies, users, the audit log, staff TOTP devices, access
applications and consents. Other apps extend these classes (`invoices.admin` adds the company's
balance to `CompanyAdmin`); keep the column and fieldset lists as plain class attributes.
"""

from __future__ import annotations

from .applications import AccessApplicationAdmin, ConsentAdmin, RejectApplicationForm
from .audit_log import AuditActionFilter, AuditEntryAdmin
from .companies import CompanyAdmin, CompanyAdminForm, UserInline
from .registrations import RegistrationAdmin
from .staff_devices import StaffTOTPDeviceAdmin
from .users import LockedFilter, UserAdmin, UserAdminChangeForm, UserAdminCreationForm

__all__ = [
    "AccessApplicationAdmin",
    "AuditActionFilter",
    "AuditEntryAdmin",
    "CompanyAdmin",
    "CompanyAdminForm",
    "ConsentAdmin",
    "LockedFilter",
    "RegistrationAdmin",
    "RejectApplicationForm",
    "StaffTOTPDeviceAdmin",
    "UserAdmin",
    "UserAdminChangeForm",
    "UserAdminCreationForm",
    "UserInline",
]
