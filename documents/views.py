"""Client pages of the document exchange: Podpisz / Odbierz / Archiwum, a process, its files.

Reading needs only a client user who may see the process (its contract, for a restricted
user); accepting, rejecting and uploading a signed version need Perm.DOCUMENTS. Another
company's process or file answers 404. GET changes nothing but the read marker; receiving a
document is a POST (audited).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Page
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import audit_context
from accounts.permissions import Perm, client_required, has_perm
from contracts.selectors import visible_contract_numbers
from ebok.forms import parse_id
from ebok.lists import RenderedOnce, paginate, pk_url, render_list

from . import selectors, services
from .forms import AcceptForm, CommentForm, ProcessFilterForm, RejectForm, SignedUploadForm
from .models import DocumentProcess, DocumentVersion, Side
from .signatures import SignatureRefused
from .uploads import ASIC_E, ASIC_S, PDF, XML, UploadRefused, read_upload


def _list(request: HttpRequest, section: str) -> HttpResponse:
    form = ProcessFilterForm(request.GET, section=section)
    processes = selectors.process_list(user=request.user, filters=form.filters())
    context = {
        "form": form,
        "section": section,
        "page_obj": _display_rows(paginate(processes, form.page_number)),
        "unread": selectors.unread_counts(user=request.user),
        "contract_numbers": visible_contract_numbers(user=request.user),
    }
    return render_list(request, "documents/list.html", context, partial="results")


def _display_rows(page: Page) -> Page:
    """What each row shows, worked out once per page rather than once per cell in the template
    (25 rows of translated labels and a status badge each: make bench put the list at 3x the
    minimal page with them in the template, 1.6x without)."""
    url = pk_url("documents:detail")
    badges = RenderedOnce("documents/_status.html")
    kinds = {value: str(label) for value, label in DocumentProcess.Kind.choices}
    categories = {value: str(label) for value, label in DocumentProcess.Category.choices}
    for process in page.object_list:
        process.url = url(process.pk)
        process.kind_label = kinds.get(process.kind, process.kind)
        process.category_label = categories.get(process.category, process.category)
        process.contract_number = process.contract.number if process.contract_id else ""
        process.status_badge = mark_safe(badges.get(process.status, process=process))
    return page


@require_GET
@client_required()
def to_sign(request: HttpRequest) -> HttpResponse:
    return _list(request, "sign")


@require_GET
@client_required()
def to_receive(request: HttpRequest) -> HttpResponse:
    return _list(request, "receive")


@require_GET
@client_required()
def archive(request: HttpRequest) -> HttpResponse:
    return _list(request, "archive")


@require_GET
@client_required()
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    process = selectors.get_process_for_user(user=request.user, pk=pk)
    versions = selectors.process_versions(process)
    context = {
        "process": process,
        "unread_before": process.unread_by_client,
        "versions": versions,
        "published": next((v for v in versions if v.side == Side.STAFF), None),
        "thread": selectors.process_thread(process),
        "history": selectors.process_history(process),
        "can_sign": has_perm(request.user, Perm.DOCUMENTS),
        "comment_form": CommentForm(),
        "accept_form": AcceptForm(),
        "reject_form": RejectForm(),
        "upload_form": SignedUploadForm(),
    }
    services.process_mark_seen(process=process, side=Side.CLIENT)  # a read marker only
    return render(request, "documents/detail.html", context)


def _file_response(version: DocumentVersion) -> FileResponse:
    # FileResponse sends the stored file with its Content-Length: whole, or the browser
    # reports a failed download.
    return FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=version.original_name,
        content_type=version.content_type,
    )


@require_GET
@client_required()
def version_download(request: HttpRequest, pk: int, version_pk: int) -> HttpResponse:
    version = selectors.get_version_for_user(user=request.user, pk=pk, version_pk=version_pk)
    return _file_response(version)


@require_POST
@client_required()
def receive(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Odbierz": mark received (audited, once); with `download`, answer with the document."""
    process = selectors.get_process_for_user(user=request.user, pk=pk)
    services.process_receive(process=process, audit=audit_context(request))
    if "download" in request.POST:
        chosen = parse_id(request.POST.get("download"))
        version = process.versions.filter(pk=chosen).first() if chosen else None
        version = version or services.published_version(process)
        if version is not None:
            return _file_response(version)
    messages.success(request, _("Dokument odebrany."))
    return redirect("documents:detail", pk=process.pk)


@require_POST
@client_required()
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    process = selectors.get_process_for_user(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _refused(request, process, form)
    return _run(
        request,
        process,
        lambda audit: services.comment_add(
            process=process, text=form.cleaned_data["text"], side=Side.CLIENT, audit=audit
        ),
        _("Komentarz dodany."),
    )


@require_POST
@client_required(Perm.DOCUMENTS)
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    process = selectors.get_process_for_user(user=request.user, pk=pk)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return _refused(request, process, form)
    return _run(
        request,
        process,
        lambda audit: services.process_accept(
            process=process, text=form.cleaned_data["text"], audit=audit
        ),
        _("Dokument zaakceptowany. Leasingodawca został powiadomiony."),
    )


@require_POST
@client_required(Perm.DOCUMENTS)
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    process = selectors.get_process_for_user(user=request.user, pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _refused(request, process, form)
    return _run(
        request,
        process,
        lambda audit: services.process_reject(
            process=process, reason=form.cleaned_data["reason"], audit=audit
        ),
        _("Dokument odrzucony."),
    )


@require_POST
@client_required(Perm.DOCUMENTS)
def upload_signed(request: HttpRequest, pk: int) -> HttpResponse:
    process = selectors.get_process_for_user(user=request.user, pk=pk)
    form = SignedUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, process, form)
    audit = audit_context(request)
    try:
        file = read_upload(form.cleaned_data["file"], allowed=(PDF, XML, ASIC_E, ASIC_S))
        version = services.signed_version_upload(
            process=process, file=file, note=form.cleaned_data["note"], audit=audit
        )
    except UploadRefused as error:
        messages.error(request, error.message)
    except SignatureRefused as error:
        services.signature_refused_log(process=process, error=error, file=file, audit=audit)
        messages.error(request, error.message)
    except services.DocumentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Podpisana wersja %(number)s przyjęta. Podpisał(a): %(signer)s.")
            % {"number": version.number, "signer": version.signer_name or "—"},
        )
    return redirect("documents:detail", pk=process.pk)


def _run(request, process, step, success: str) -> HttpResponse:
    try:
        step(audit_context(request))
    except services.DocumentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("documents:detail", pk=process.pk)


def _refused(request, process, form) -> HttpResponse:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("documents:detail", pk=process.pk)
