"""What the fleet pages register when the app is ready: the "Flota" menu entry, the Excel
reports of its lists, and the fleet rows whose changes make cached fleet figures stale."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def sees_fleet(user) -> bool:
    """Users with the fleet permission whose company has a CFM contract they can see (kept per
    company data version: the menu asks on every page)."""
    from accounts.permissions import Perm, has_perm

    from . import selectors

    return has_perm(user, Perm.FLEET) and selectors.has_fleet(user=user)


def _invalidate_cached_figures_on_change() -> None:
    """A fleet row saved or deleted one by one (admin, a factory) makes the company's cached
    fleet figures stale; the feed and the claim services, which write in bulk or in steps,
    call `company_data_changed` themselves."""
    from ebok import datacache

    from ..models import Damage, FuelTransaction, MileageReading, ServiceVisit

    for model in (ServiceVisit, Damage, FuelTransaction, MileageReading):
        datacache.invalidate_on_change(model, lambda row: row.company_id)


def register() -> None:
    from ebok import navigation

    from . import exports

    _invalidate_cached_figures_on_change()

    navigation.register(
        navigation.NavItem(
            key="fleet",
            label=_("Flota"),
            url_name="fleet:vehicles",
            icon="bi-car-front",
            order=55,
            visible=sees_fleet,
            active_for=("fleet:*",),
        )
    )
    exports.register_reports()
