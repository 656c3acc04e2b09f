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

        from accounts.audit import register_actions

        from .online.tiles import pay_online_tile

        dashboard.register_tile("invoices.pay_online", pay_online_tile, order=12)
        register_actions(
            {
                "online_payment.started": _("płatność online: rozpoczęta"),
                "online_payment.paid": _("płatność online: opłacona (w trakcie rozliczania)"),
                "online_payment.cancelled": _("płatność online: anulowana"),
                "online_payment.failed": _("płatność online: nieudana"),
                "online_payment.rejected": _("płatność online: odrzucone powiadomienie bramki"),
                "online_payment.settled": _("płatność online: rozliczona"),
                "invoice.ksef_number": _("faktura: wpisano numer KSeF"),
            }
        )

        from . import exports

        exports.register_reports()

        from .events import register_events

        register_events()

        # A worker's first invoice PDF costs what any later one does (ebok.pdf.warm_up).
        from ebok import pdf

        from .pdf import warm_up_queries, warm_up_sample

        pdf.register_warm_up("invoices.queries", warm_up_queries)
        pdf.register_warm_up("invoices.invoice", warm_up_sample)

        # Edits outside the services (admin) make the company's cached figures stale.
        from ebok import datacache

        from .models import Invoice, Payment, PaymentAllocation

        datacache.invalidate_on_change(Invoice, lambda invoice: invoice.company_id)
        datacache.invalidate_on_change(Payment, lambda payment: payment.company_id)
        datacache.invalidate_on_change(
            PaymentAllocation, lambda allocation: allocation.payment.company_id
        )
