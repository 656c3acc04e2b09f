"""Filters of the "Flota" pages: each form turns the query string into a selector's filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

from ebok.dates import today as business_today
from ebok.forms import ListFilterForm, choice_field, date_field, search_field

from ..models import Damage, FuelTransaction, ServiceVisit
from . import selectors


def vehicle_field():
    return search_field(_("Pojazd"), _("rejestracja, marka, model, VIN"))


def contract_field():
    return search_field(_("Umowa"), _("numer umowy"), datalist="contract-numbers")


class VehicleFilterForm(ListFilterForm):
    SORT_KEYS = frozenset(selectors.VEHICLE_ORDERINGS)
    DEFAULT_SORT = "registration"

    q = vehicle_field()
    contract = contract_field()

    def filters(self) -> selectors.VehicleFilters:
        return selectors.VehicleFilters(
            q=self.value("q"), contract=self.value("contract"), sort=self.sort_key
        )


@dataclass(frozen=True)
class RecordFilters:
    """The filters of a list of one kind of fleet record."""

    q: str | None = None
    contract: str | None = None
    kind: str | None = None  # the service scope, fuel product or damage status
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = ""


class RecordFilterForm(ListFilterForm):
    """Vehicle, contract, date range and the record's own kind (set by each list)."""

    DATE_RANGES = (("date_from", "date_to"),)
    DEFAULT_SORT = "-date"

    q = vehicle_field()
    contract = contract_field()
    date_from = date_field(_("Data od"))
    date_to = date_field(_("Data do"))

    def filters(self) -> RecordFilters:
        return RecordFilters(
            q=self.value("q"),
            contract=self.value("contract"),
            kind=self.value("kind"),
            date_from=self.date("date_from"),
            date_to=self.date("date_to"),
            sort=self.sort_key,
        )


class ServiceFilterForm(RecordFilterForm):
    SORT_KEYS = frozenset(selectors.SERVICE_ORDERINGS)

    kind = choice_field(_("Zakres"), ServiceVisit.Scope.choices, empty_label=_("wszystkie"))


class FuelFilterForm(RecordFilterForm):
    SORT_KEYS = frozenset(selectors.FUEL_ORDERINGS)

    kind = choice_field(_("Produkt"), FuelTransaction.Product.choices, empty_label=_("wszystkie"))


class DamageFilterForm(RecordFilterForm):
    SORT_KEYS = frozenset(selectors.DAMAGE_ORDERINGS)

    kind = choice_field(_("Status szkody"), Damage.Status.choices, empty_label=_("wszystkie"))


class CostFilterForm(ListFilterForm):
    """All costs, by default of the last 12 months up to today."""

    DATE_RANGES = (("date_from", "date_to"),)

    q = vehicle_field()
    contract = contract_field()
    kind = choice_field(_("Rodzaj kosztu"), selectors.CostKind.choices, empty_label=_("wszystkie"))
    date_from = date_field(_("Data od"))
    date_to = date_field(_("Data do"))

    def __init__(self, data=None, *, today: dt.date | None = None):
        today = today or business_today()
        first = today.replace(day=1) - relativedelta(months=11)
        super().__init__(
            data, defaults={"date_from": first.isoformat(), "date_to": today.isoformat()}
        )

    def filters(self) -> selectors.CostFilters:
        return selectors.CostFilters(
            q=self.value("q"),
            contract=self.value("contract"),
            kind=self.value("kind"),
            date_from=self.date("date_from"),
            date_to=self.date("date_to"),
        )


class TimelineForm(ListFilterForm):
    """Only the page of the vehicle's timeline."""
