"""The back office's admin site: password + TOTP (django-otp), one form post for staff."""

from __future__ import annotations

from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class StaffOTPAuthenticationForm(OTPAdminAuthenticationForm):
    """Staff with a single confirmed device need not pick it from a list first.

    django-otp 1.7 refuses a token without an explicit device (so that failed attempts do not
    throttle unrelated devices), and its form can only list the devices after a first,
    failing post. With exactly one device there is nothing to choose: use it.
    """

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            if len(devices) == 1:
                device = devices[0]
        return device


class EbokAdminSite(OTPAdminSite):
    login_form = StaffOTPAuthenticationForm
    site_header = "eBOK – back office"
    site_title = "eBOK back office"
    index_title = "Administracja"
