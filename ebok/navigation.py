"""The portal's main menu and user menu, as registries the apps fill in `AppConfig.ready()`.

ebok knows no domain app and no permission model, so each app registers its entries with a
`visible(user)` predicate (usually `has_perm(user, Perm.X)`); `templates/base.html` shows the
visible ones. Later apps (Wnioski, Dokumenty, Użytkownicy) add theirs the same way:

    navigation.register(NavItem(
        key="requests", label=_("Wnioski"), url_name="requests_app:list", icon="bi-send",
        order=70, visible=lambda user: has_perm(user, Perm.REQUESTS),
        active_for=("requests_app:*",),
    ))

User-menu entries (profile, change password, sign out) use `register_user_menu(...)`;
`post=True` renders the entry as a small POST form (sign-out must not be a GET link).
Entries of the top bar, beside the user menu on every screen width (the inbox and its unread
count), use `register_header(...)`: the main menu keeps to one row at 1366 px.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from django.http import HttpRequest
from django.urls import reverse


def _always(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # a lazy translation
    url_name: str
    icon: str = ""  # a bootstrap-icons class, e.g. "bi-receipt"
    order: int = 100
    visible: Callable[[Any], bool] = _always
    # View names ("namespace:name", wildcards allowed) whose pages mark this entry active.
    active_for: tuple[str, ...] = ()
    post: bool = False  # user menu only: submit a POST form instead of following a link
    # A number shown beside the label (unread documents): `badge(user)`, one cheap query.
    badge: Callable[[Any], int] | None = None


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url: str
    icon: str
    active: bool
    post: bool
    badge: int = 0


_main: dict[str, NavItem] = {}
_user_menu: dict[str, NavItem] = {}
_header: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _main[item.key] = item


def register_user_menu(item: NavItem) -> None:
    _user_menu[item.key] = item


def register_header(item: NavItem) -> None:
    _header[item.key] = item


def _entries(items: dict[str, NavItem], request: HttpRequest) -> list[MenuEntry]:
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    entries = []
    for item in sorted(items.values(), key=lambda i: (i.order, i.key)):
        if not item.visible(request.user):
            continue
        patterns = item.active_for or (item.url_name,)
        entries.append(
            MenuEntry(
                label=item.label,
                url=reverse(item.url_name),
                icon=item.icon,
                active=any(fnmatchcase(view_name, p) for p in patterns),
                post=item.post,
                badge=item.badge(request.user) if item.badge else 0,
            )
        )
    return entries


def main_menu(request: HttpRequest) -> list[MenuEntry]:
    return _entries(_main, request)


def user_menu(request: HttpRequest) -> list[MenuEntry]:
    return _entries(_user_menu, request)


def header_menu(request: HttpRequest) -> list[MenuEntry]:
    return _entries(_header, request)
