from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Umowy leasingu")

    def ready(self) -> None:
        from accounts.permissions import Perm, has_perm
        from ebok import dashboard, navigation

        from . import tiles
        from .events import register_events

        register_events()

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
        _invalidate_cached_reads_on_change()


def _invalidate_cached_reads_on_change() -> None:
    """Edits outside the services (admin, imports) make the company's cached figures stale."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed

    from ebok import datacache

    from .models import AdditionalFee, Contract, Installment, InsurancePolicy, LeasedAsset

    datacache.invalidate_on_change(Contract, lambda contract: contract.company_id)
    for model in (Installment, LeasedAsset, InsurancePolicy, AdditionalFee):
        datacache.invalidate_on_change(model, lambda row: row.contract.company_id)

    # Which contracts a restricted user sees: both ends (User, Contract) carry company_id.
    def restrictions_changed(sender, instance, action, **kwargs) -> None:
        if action.startswith("post_"):
            datacache.company_data_changed(instance.company_id)

    m2m_changed.connect(
        restrictions_changed,
        sender=get_user_model().allowed_contracts.through,
        weak=False,
        dispatch_uid="contracts.restricted_users",
    )
