from __future__ import annotations

from django.urls import path

from . import download_views, ksef_views, views

app_name = "invoices"

urlpatterns = [
    path("faktury/", views.invoice_list, name="list"),
    path("faktury/<int:pk>/", views.invoice_detail, name="detail"),
    path("umowy/<int:pk>/faktury/", views.contract_invoices, name="contract_invoices"),
    path("platnosci/", views.payment_list, name="payments"),
    path("platnosci/<int:pk>/", views.payment_detail, name="payment_detail"),
    # Downloads: PDF (stored once), ZIP of the ticked or filtered invoices, Excel report.
    path("faktury/<int:pk>/pdf/", download_views.invoice_pdf, name="pdf"),
    path("faktury/<int:pk>/ksef.xml", ksef_views.invoice_fa3, name="fa3"),
    path("faktury/zip/", download_views.invoices_zip, name="zip"),
    path("faktury/eksport.xlsx", download_views.invoices_xlsx, name="xlsx"),
    path(
        "umowy/<int:pk>/faktury/eksport.xlsx",
        download_views.contract_invoices_xlsx,
        name="contract_invoices_xlsx",
    ),
]
