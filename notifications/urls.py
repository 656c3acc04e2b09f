from __future__ import annotations

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("dev/outbox/", views.dev_outbox, name="dev_outbox"),
]
