"""The dashboard ("Widok 360") as a registry of tiles.

ebok is the bottom layer and knows no domain app, so the apps bring their own tiles: each
registers a provider in its `AppConfig.ready()`; the dashboard view renders whatever providers
answer for the signed-in user, in `order`. A provider returns None when the user may not see
its tile (permissions) or it has nothing to say. Each provider runs a fixed number of queries,
so the dashboard's query count does not grow with the company's data.

    dashboard.register_tile("documents.unread", unread_documents_tile, order=80)

`templates/ebok/tiles/count.html` renders a plain "N things, see them" tile for the simple cases
(unread documents, open applications): context `key` (an id), `title`, `count`, `text` (under a
non-zero count), `empty_text` (when zero), `url`, `icon` (a bootstrap-icons class).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.http import HttpRequest

Width = Literal["third", "half", "two-thirds", "full"]


@dataclass(frozen=True)
class Tile:
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    width: Width = "third"


TileProvider = Callable[[HttpRequest], Tile | None]


@dataclass(frozen=True)
class _Registration:
    key: str
    provider: TileProvider
    order: int


_registry: dict[str, _Registration] = {}


def register_tile(key: str, provider: TileProvider, *, order: int) -> None:
    """Add (or, for the same key, replace: ready() may run twice in tests) a tile provider."""
    _registry[key] = _Registration(key=key, provider=provider, order=order)


def tiles_for(request: HttpRequest) -> list[Tile]:
    registrations = sorted(_registry.values(), key=lambda r: (r.order, r.key))
    return [tile for r in registrations if (tile := r.provider(request)) is not None]
