from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "feed"

urlpatterns = [
    path("batches/", views.BatchCreateView.as_view(), name="batches"),
    path("batches/<int:pk>/", views.BatchDetailView.as_view(), name="batch"),
    path(
        "schema/",
        SpectacularAPIView.as_view(
            authentication_classes=[], permission_classes=[], api_version="1"
        ),
        name="schema",
    ),
]
