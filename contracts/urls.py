from __future__ import annotations

from django.urls import path

from . import download_views, views

app_name = "contracts"

urlpatterns = [
    path("umowy/", views.contract_list, name="list"),
    path("umowy/<int:pk>/", views.contract_detail, name="detail"),
    path("umowy/<int:pk>/ubezpieczenia/", views.contract_policies, name="contract_policies"),
    path("umowy/<int:pk>/oplaty/", views.contract_fees, name="contract_fees"),
    path("raty/", views.installment_list, name="installments"),
    path("ubezpieczenia/", views.policy_list, name="policies"),
    path("oplaty/", views.fee_list, name="fees"),
    # Downloads (PDF and Excel); the Excel ones take the list's current filters.
    path("umowy/eksport.xlsx", download_views.contracts_xlsx, name="contracts_xlsx"),
    path("umowy/<int:pk>/harmonogram.pdf", download_views.schedule_pdf, name="schedule_pdf"),
    path("umowy/<int:pk>/harmonogram.xlsx", download_views.schedule_xlsx, name="schedule_xlsx"),
    path(
        "umowy/<int:pk>/ubezpieczenia/eksport.xlsx",
        download_views.contract_policies_xlsx,
        name="contract_policies_xlsx",
    ),
    path(
        "umowy/<int:pk>/oplaty/eksport.xlsx",
        download_views.contract_fees_xlsx,
        name="contract_fees_xlsx",
    ),
    path("raty/eksport.xlsx", download_views.installments_xlsx, name="installments_xlsx"),
    path("ubezpieczenia/eksport.xlsx", download_views.policies_xlsx, name="policies_xlsx"),
    path("oplaty/eksport.xlsx", download_views.fees_xlsx, name="fees_xlsx"),
]
