"""Staff TOTP devices (the second factor of the back office)."""

from __future__ import annotations

from base64 import b32encode

import qrcode
from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage

from ..models import User

admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class StaffTOTPDeviceAdmin(TOTPDeviceAdmin):
    """django-otp's device admin, for staff only, showing the enrolment QR code once: right
    after the device is created (later the key stays hidden, OTP_ADMIN_HIDE_SENSITIVE_DATA)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def response_add(self, request: HttpRequest, obj: TOTPDevice, post_url_continue=None):
        qr = qrcode.make(obj.config_url, image_factory=SvgPathImage, box_size=8)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Urządzenie TOTP: %(user)s") % {"user": obj.user},
            "opts": self.model._meta,
            "device": obj,
            "config_url": obj.config_url,
            "secret": b32encode(obj.bin_key).decode(),
            "qr_svg": mark_safe(qr.to_string(encoding="unicode")),
        }
        return TemplateResponse(request, "admin/otp_totp/enrol.html", context)
