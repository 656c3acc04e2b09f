from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import LAST_SEEN, SIGNED_IN_AT


@receiver(user_logged_in, dispatch_uid="accounts.start_session_clocks")
def start_session_clocks(sender, request, user, **kwargs) -> None:
    """Every client session starts its idle and absolute clocks at `login()`, whatever path
    led there; a session without them is treated as expired."""
    if user.company_id and request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now
