"""The back office of the document exchange: staff create processes, publish versions, answer
the client, close or reject. Every step goes through `documents.services` (history, audit log,
notifications); versions, comments and history are shown, never edited.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_context

from . import services
from .models import DocumentComment, DocumentEvent, DocumentProcess, DocumentVersion, Side
from .uploads import PDF, UploadRefused, read_upload


def _checked_pdf(upload, *, required: bool):
    if upload is None and not required:
        return None
    try:
        return read_upload(upload, allowed=(PDF,))
    except UploadRefused as error:
        raise forms.ValidationError(str(error.message)) from None


class ProcessAddForm(forms.ModelForm):
    file = forms.FileField(label=_("Dokument (PDF)"))
    note = forms.CharField(label=_("Notatka do wersji"), required=False, max_length=500)

    class Meta:
        model = DocumentProcess
        fields = ["company", "contract", "kind", "category", "title", "description"]

    def clean_file(self):
        return _checked_pdf(self.cleaned_data.get("file"), required=True)

    def clean(self):
        cleaned = super().clean()
        contract, company = cleaned.get("contract"), cleaned.get("company")
        if contract is not None and company is not None and contract.company_id != company.pk:
            self.add_error("contract", _("Umowa należy do innej firmy."))
        return cleaned


class ProcessChangeForm(forms.ModelForm):
    new_version = forms.FileField(label=_("Nowa wersja (PDF)"), required=False)
    version_note = forms.CharField(label=_("Notatka do wersji"), required=False, max_length=500)
    comment = forms.CharField(
        label=_("Odpowiedź dla klienta"), required=False, max_length=4000, widget=forms.Textarea
    )
    close = forms.ChoiceField(
        label=_("Zakończ proces"),
        required=False,
        choices=[("", "—"), ("done", _("zakończony")), ("reject", _("odrzucony"))],
    )
    reason = forms.CharField(label=_("Powód odrzucenia"), required=False, max_length=300)

    class Meta:
        model = DocumentProcess
        fields = []

    def clean_new_version(self):
        return _checked_pdf(self.cleaned_data.get("new_version"), required=False)

    def clean(self):
        cleaned = super().clean()
        process = self.instance
        if cleaned.get("close") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Podaj powód odrzucenia."))
        if cleaned.get("close") and not process.is_open:
            self.add_error("close", _("Proces jest już zakończony."))
        if cleaned.get("new_version") and process.status == DocumentProcess.Status.DONE:
            self.add_error("new_version", _("Proces jest zakończony – nie można dodać wersji."))
        return cleaned


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class VersionInline(_ReadOnlyInline):
    model = DocumentVersion
    fields = [
        "number",
        "download",
        "side",
        "author",
        "created_at",
        "size",
        "sha256",
        "signature",
        "signer_name",
        "signed_at",
        "signs_version",
        "note",
    ]
    readonly_fields = fields

    @admin.display(description=_("plik"))
    def download(self, version: DocumentVersion) -> str:
        url = reverse("admin:documents_documentversion_download", args=[version.pk])
        return format_html('<a href="{}">{}</a>', url, version.original_name)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "signs_version")


class CommentInline(_ReadOnlyInline):
    model = DocumentComment
    fields = ["created_at", "side", "author", "kind", "text", "version"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "version")


class EventInline(_ReadOnlyInline):
    model = DocumentEvent
    fields = ["created_at", "action", "side", "actor", "status_before", "status_after", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(DocumentProcess)
class DocumentProcessAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "company",
        "contract",
        "kind",
        "status",
        "new_from_client",
        "staff_activity_at",
    ]
    list_filter = ["status", "kind", "category"]
    search_fields = ["title", "company__name", "company__client_number", "contract__number"]
    list_select_related = ["company", "contract"]
    autocomplete_fields = ["company", "contract"]
    inlines = [VersionInline, CommentInline, EventInline]

    @admin.display(boolean=True, description=_("nowe od klienta"))
    def new_from_client(self, process: DocumentProcess) -> bool:
        return process.unread_by_staff

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ProcessChangeForm if obj is not None else ProcessAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (
                    None,
                    {
                        "fields": [
                            "company",
                            "contract",
                            "kind",
                            "category",
                            "title",
                            "description",
                            "file",
                            "note",
                        ]
                    },
                )
            ]
        return [
            (
                None,
                {
                    "fields": [
                        "company",
                        "contract",
                        "kind",
                        "category",
                        "title",
                        "description",
                        "status",
                        "received_at",
                        "received_by",
                        "signed_version",
                    ]
                },
            ),
            (
                _("Odpowiedz klientowi"),
                {"fields": ["new_version", "version_note", "comment", "close", "reason"]},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "company",
            "contract",
            "kind",
            "category",
            "title",
            "description",
            "status",
            "received_at",
            "received_by",
            "signed_version",
        ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the archive keeps everything

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            process = self.get_object(request, object_id)
            if process is not None:
                services.process_mark_seen(process=process, side=Side.STAFF)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: DocumentProcess, form, change: bool) -> None:
        audit = audit_context(request)
        data = form.cleaned_data
        if not change:
            process = services.process_create(
                company=data["company"],
                contract=data.get("contract"),
                kind=data["kind"],
                category=data["category"],
                title=data["title"],
                description=data.get("description", ""),
                file=data["file"],
                note=data.get("note", ""),
                audit=audit,
            )
            obj.pk = process.pk
            obj._state.adding = False
            return
        try:
            if data.get("new_version"):
                services.version_publish(
                    process=obj,
                    file=data["new_version"],
                    note=data.get("version_note", ""),
                    audit=audit,
                )
            if (data.get("comment") or "").strip():
                services.comment_add(
                    process=obj, text=data["comment"], side=Side.STAFF, audit=audit
                )
            if data.get("close"):
                services.process_close(
                    process=obj,
                    reject=data["close"] == "reject",
                    reason=data.get("reason", ""),
                    audit=audit,
                )
        except services.DocumentError as error:
            self.message_user(request, str(error.message), messages.ERROR)

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "wersja/<int:pk>/",
                self.admin_site.admin_view(self.version_download),
                name="documents_documentversion_download",
            ),
            *super().get_urls(),
        ]

    def version_download(self, request: HttpRequest, pk: int):
        from django.http import FileResponse, Http404

        version = DocumentVersion.objects.filter(pk=pk).first()
        if version is None or not self.has_view_permission(request):
            raise Http404
        return FileResponse(
            version.file.open("rb"),
            as_attachment=True,
            filename=version.original_name,
            content_type=version.content_type,
        )
