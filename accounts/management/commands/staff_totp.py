"""Enrol a back-office user in TOTP, so they can sign in to the admin (password + code).

    python manage.py staff_totp <username>            # new device, prints otpauth URL + QR
    python manage.py staff_totp <username> --reset    # replace the user's TOTP devices
    python manage.py staff_totp <username> --show-code  # DEBUG only: the current 6-digit code

The first staff user has no admin to enrol them, so this runs from the shell; later staff can be
enrolled the same way or given a device in the admin ("TOTP devices").
"""

from __future__ import annotations

import io
from base64 import b32encode

import qrcode
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "aplikacja uwierzytelniająca"


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def ascii_qr(data: str) -> str:
    code = qrcode.QRCode(border=2)
    code.add_data(data)
    out = io.StringIO()
    code.print_ascii(out=out)
    return out.getvalue()


class Command(BaseCommand):
    help = "Create (or with --reset replace) a confirmed TOTP device for a staff user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--reset", action="store_true", help="Delete the user's TOTP devices and create one."
        )
        parser.add_argument(
            "--show-code",
            action="store_true",
            help="Only print the current code of the user's device (DEBUG only, for demos).",
        )
        parser.add_argument("--no-qr", action="store_true", help="Do not print the QR code.")

    def handle(self, *args, username: str, reset: bool, show_code: bool, no_qr: bool, **opts):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user with username {username!r}.") from None
        if not user.is_staff:
            raise CommandError(f"{username!r} is not staff; client users sign in with SMS codes.")
        devices = TOTPDevice.objects.devices_for_user(user, confirmed=True)

        if show_code:
            if not settings.DEBUG:
                raise CommandError("--show-code is available only with DEBUG on.")
            device = devices.first()
            if device is None:
                raise CommandError(f"{username!r} has no TOTP device; run without --show-code.")
            self.stdout.write(current_code(device))
            return

        if devices.exists() and not reset:
            raise CommandError(
                f"{username!r} already has a TOTP device; use --reset to replace it "
                "(the old authenticator entry stops working)."
            )
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)

        self.stdout.write(f"TOTP device created for {username}.")
        self.stdout.write("Scan the QR code with an authenticator app (or add the URL/secret):")
        self.stdout.write(f"  URL:    {device.config_url}")
        self.stdout.write(f"  Secret: {b32encode(device.bin_key).decode()}")
        if not no_qr:
            self.stdout.write(ascii_qr(device.config_url))
        self.stdout.write("Then sign in at /admin/ with the password and the 6-digit code.")
