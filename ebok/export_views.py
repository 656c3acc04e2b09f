"""Excel downloads: small reports at once, large ones as an export job with a progress page.

The apps' views call `export_response` for their registered report (or create a job of their
own kind, as the ZIP of invoice PDFs does); the job pages below are generic. A job is visible
to its owner only (404 for anyone else) and its file is served through
`export_job_download`, never from a public media URL. A failed job offers "try again", which
starts a fresh job with the same filters.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ebok import exports
from ebok.http import client_user_required, htmx_redirect
from ebok.models import ExportJob
from ebok.services import export_filename, export_job_create, export_job_retry
from ebok.xlsx import XLSX_CONTENT_TYPE, write_xlsx_tempfile


def export_response(
    request: HttpRequest, *, kind: exports.ExportKind, params: exports.Params
) -> HttpResponse:
    """The report as a download, or, above the threshold, a job and a redirect to its page."""
    user = request.user
    total = kind.count(user, params)
    if total > settings.EXPORT_ASYNC_THRESHOLD:
        job = export_job_create(owner=user, kind=kind, params=params, rows_total=total)
        return htmx_redirect(request, reverse("exports:job", args=[job.pk]))
    handle, _count = write_xlsx_tempfile(
        title=kind.title(), columns=kind.columns(), rows=kind.rows(user, params)
    )
    # FileResponse streams the temporary file in blocks and closes (deletes) it at the end.
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export_filename(kind.filename(params)),
        content_type=XLSX_CONTENT_TYPE,
    )


def _own_job(request: HttpRequest, pk) -> tuple[ExportJob, exports.ExportKind]:
    job = get_object_or_404(
        ExportJob, pk=pk, owner=request.user, company_id=request.user.company_id
    )
    try:
        kind = exports.get(job.kind)
    except KeyError:
        raise Http404 from None
    if not kind.allowed(request.user):
        raise PermissionDenied
    return job, kind


@require_GET
@client_user_required
def export_job(request: HttpRequest, pk) -> HttpResponse:
    job, kind = _own_job(request, pk)
    context = {"job": job, "kind": kind, "retention_hours": settings.EXPORT_RETENTION_HOURS}
    return render(request, "ebok/export_job.html", context)


@require_POST
@client_user_required
def export_job_retry_view(request: HttpRequest, pk) -> HttpResponse:
    """Try again ("Spróbuj ponownie") after a failure: a fresh job, same file kind and filters."""
    job, _kind = _own_job(request, pk)
    if job.status != ExportJob.Status.FAILED:
        return redirect("exports:job", job.pk)
    fresh = export_job_retry(job=job)
    return htmx_redirect(request, reverse("exports:job", args=[fresh.pk]))


@require_GET
@client_user_required
def export_job_status(request: HttpRequest, pk) -> HttpResponse:
    """The progress partial that the job page polls every second until the job finishes."""
    job, kind = _own_job(request, pk)
    return render(request, "ebok/export_job.html#status", {"job": job, "kind": kind})


@require_GET
@client_user_required
def export_job_download(request: HttpRequest, pk) -> HttpResponse:
    job, kind = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=job.filename, content_type=kind.content_type
    )
