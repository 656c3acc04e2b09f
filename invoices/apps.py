from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicesConfig(AppConfig):
    name = "invoices"
    verbose_name = _("Faktury i płatności")

    def ready(self) -> None:
        from accounts.permissions import Perm, has_perm
        from ebok import dashboard, navigation

        from . import tiles

        navigation.register(
            navigation.NavItem(
                key="invoices",
                label=_("Płatności i faktury"),
                url_name="invoices:list",
                icon="bi-receipt",
                order=40,
                visible=lambda user: has_perm(user, Perm.FINANCES),
                active_for=(
                    "invoices:list",
                    "invoices:detail",
                    "invoices:payments",
                    "invoices:payment_detail",
                ),
            )
        )
        dashboard.register_tile("invoices.balance", tiles.balance_tile, order=10)
        dashboard.register_tile("invoices.overdue", tiles.overdue_invoices_tile, order=15)
        dashboard.register_tile("invoices.upcoming", tiles.upcoming_invoices_tile, order=30)

        from . import exports

        exports.register_reports()

        # Edits outside the services (admin) make the company's cached figures stale.
        from ebok import datacache

        from .models import Invoice, Payment, PaymentAllocation

        datacache.invalidate_on_change(Invoice, lambda invoice: invoice.company_id)
        datacache.invalidate_on_change(Payment, lambda payment: payment.company_id)
        datacache.invalidate_on_change(
            PaymentAllocation, lambda allocation: allocation.payment.company_id
        )
