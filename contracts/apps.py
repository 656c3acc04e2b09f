from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Umowy leasingu")

    def ready(self) -> None:
        from accounts.permissions import Perm, has_perm
        from ebok import dashboard, navigation

        from . import tiles

        def sees_contracts(user) -> bool:
            return has_perm(user, Perm.CONTRACTS)

        for item in (
            navigation.NavItem(
                key="contracts",
                label=_("Umowy"),
                url_name="contracts:list",
                icon="bi-file-earmark-text",
                order=20,
                visible=sees_contracts,
                active_for=(
                    "contracts:list",
                    "contracts:detail",
                    "contracts:contract_*",
                    "invoices:contract_invoices",
                ),
            ),
            navigation.NavItem(
                key="installments",
                label=_("Raty"),
                url_name="contracts:installments",
                icon="bi-calendar3",
                order=30,
                visible=sees_contracts,
            ),
            navigation.NavItem(
                key="policies",
                label=_("Ubezpieczenia"),
                url_name="contracts:policies",
                icon="bi-shield-check",
                order=50,
                visible=sees_contracts,
            ),
            navigation.NavItem(
                key="fees",
                label=_("Opłaty"),
                url_name="contracts:fees",
                icon="bi-cash-coin",
                order=60,
                visible=sees_contracts,
            ),
        ):
            navigation.register(item)

        dashboard.register_tile(
            "contracts.next_installments", tiles.next_installments_tile, order=20
        )
        dashboard.register_tile("contracts.chart", tiles.installments_chart_tile, order=25)
        dashboard.register_tile(
            "contracts.expiring_policies", tiles.expiring_policies_tile, order=50
        )
        dashboard.register_tile("contracts.summary", tiles.contracts_tile, order=60)

        from . import exports

        exports.register_reports()
