from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("szkody/zglos/", views.claim_report, name="claim_report"),
    path("szkody/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("szkody/<int:pk>/zdjecia/<int:photo_pk>/", views.claim_photo, name="claim_photo"),
]
