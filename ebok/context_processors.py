"""What every page's layout needs: the signed-in client's company and the menus."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.http import HttpRequest

from ebok import navigation


class Portal:
    """The portal shell of a signed-in client user; computed only if the template asks."""

    def __init__(self, request: HttpRequest):
        self._request = request

    @cached_property
    def company(self):
        return self._request.user.company

    @cached_property
    def menu(self) -> list[navigation.MenuEntry]:
        return navigation.main_menu(self._request)

    @cached_property
    def user_menu(self) -> list[navigation.MenuEntry]:
        return navigation.user_menu(self._request)

    @cached_property
    def header(self) -> list[navigation.MenuEntry]:
        return navigation.header_menu(self._request)


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    is_client = bool(user is not None and user.is_authenticated and user.company_id)
    return {
        "portal": Portal(request) if is_client else None,
        "LESSOR_NAME": settings.LESSOR["name"],
    }
