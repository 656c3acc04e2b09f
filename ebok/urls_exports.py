from __future__ import annotations

from django.urls import path

from ebok import export_views

app_name = "exports"

urlpatterns = [
    path("<uuid:pk>/", export_views.export_job, name="job"),
    path("<uuid:pk>/status/", export_views.export_job_status, name="status"),
    path("<uuid:pk>/plik/", export_views.export_job_download, name="download"),
    path("<uuid:pk>/ponow/", export_views.export_job_retry_view, name="retry"),
]
