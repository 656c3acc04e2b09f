from __future__ import annotations

from django.urls import path

from . import views

app_name = "requests_app"

urlpatterns = [
    path("wnioski/", views.application_list, name="list"),
    path("wnioski/nowy/", views.application_new, name="new"),
    path("wnioski/kontakt/", views.contact_new, name="contact"),
    path("wnioski/eksport.xlsx", views.applications_xlsx, name="xlsx"),
    path("wnioski/<int:pk>/", views.application_detail, name="detail"),
    path("wnioski/<int:pk>/potwierdz/", views.application_confirm, name="confirm"),
    path("wnioski/<int:pk>/odpowiedz/", views.application_reply, name="reply"),
    path("wnioski/zalaczniki/<int:pk>/", views.attachment_download, name="attachment"),
]
