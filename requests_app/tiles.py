"""The dashboard tile of applications (registered in RequestsAppConfig.ready)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import Perm, has_perm
from ebok.dashboard import Tile

from . import selectors


def open_applications_tile(request: HttpRequest) -> Tile | None:
    user = request.user
    if not has_perm(user, Perm.REQUESTS):
        return None
    count, unread = selectors.open_and_unread(user=user)
    text = _("wniosków i spraw w toku")
    if unread:
        text += " · " + _("nowe odpowiedzi: %(count)d") % {"count": unread}
    return Tile(
        template="ebok/tiles/count.html",
        context={
            "key": "applications",
            "title": _("Wnioski i sprawy"),
            "count": count,
            "text": text,
            "empty_text": _("Brak otwartych wniosków. Złóż nowy, gdy czegoś potrzebujesz."),
            "url": reverse("requests_app:list"),
            "icon": "bi-send",
        },
    )
