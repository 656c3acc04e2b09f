"""How many masked passwords each pepper version still holds (README "Rotating the pepper").

    python manage.py pepper_status

A retired pepper may be removed from MASKED_PASSWORD_RETIRED_PEPPERS once its version holds no
records: each record moves to the current version at its user's next successful sign-in. The
command exits with status 1 while any record is under a version this server has no pepper for
(those users cannot sign in until the pepper is restored or they are invited again).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from accounts.models import MaskedPassword
from accounts.services import pepper_keyring


class Command(BaseCommand):
    help = "Masked passwords per pepper version, and whether each version's pepper is set."

    def handle(self, *args, **options) -> None:
        keyring = pepper_keyring()
        counts = dict(
            MaskedPassword.objects.values_list("pepper_version")
            .annotate(n=Count("pk"))
            .order_by("pepper_version")
        )
        missing = 0
        for version in sorted(set(counts) | set(keyring.peppers)):
            if version == keyring.current_version:
                state = "current"
            elif version in keyring.peppers:
                state = "retired"
            else:
                state = "MISSING PEPPER"
                missing += counts.get(version, 0)
            self.stdout.write(f"version {version}: {counts.get(version, 0)} record(s), {state}")
        if missing:
            raise CommandError(
                f"{missing} masked password(s) are under a version whose pepper is not set: "
                "restore that pepper in MASKED_PASSWORD_RETIRED_PEPPERS or invite those users "
                "again."
            )
