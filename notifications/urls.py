from __future__ import annotations

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("dev/outbox/", views.dev_outbox, name="dev_outbox"),
    # Twilio's delivery reports: the per-message address the backend gives with each SMS, and
    # one without the id for a status callback set on the Messaging Service in Twilio's console.
    path("powiadomienia/twilio/status/", views.twilio_status, name="twilio_status"),
    path(
        "powiadomienia/twilio/status/<int:message_id>/",
        views.twilio_status,
        name="twilio_status_for_message",
    ),
]
