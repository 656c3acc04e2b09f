from __future__ import annotations

from django.urls import path

from . import views

app_name = "online_payments"

urlpatterns = [
    path("platnosci-online/", views.checkout, name="checkout"),
    path("platnosci-online/zaplac/", views.pay, name="pay"),
    path("platnosci-online/zaznaczone/", views.selection_bar, name="selection_bar"),
    path("platnosci-online/<uuid:public_id>/", views.result, name="result"),
    path("platnosci-online/<uuid:public_id>/demo/", views.demo_gateway, name="demo_gateway"),
    path("platnosci-online/powiadomienia/<slug:gateway>/", views.notify, name="notify"),
]
