"""Every write of the document exchange, for the back office and for the client portal.

Staff (admin) create processes, publish versions, answer, close or reject; client users
comment, accept, reject, upload signed versions and receive documents. Each step is one
transaction: the version/comment, the history event (with the status before and after), the
unread marker, the audit entry and the notifications' outbox rows commit together.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import AuditContext, audit_log

from . import notify
from .models import DocumentComment, DocumentEvent, DocumentProcess, DocumentVersion, Side
from .signatures import SignatureRefused, verify_signed
from .uploads import ASIC_E, ASIC_S, PDF, XML, CheckedFile

Status = DocumentProcess.Status
Kind = DocumentProcess.Kind
CLIENT_SIGNED_TYPES = (PDF, XML, ASIC_E, ASIC_S)


class DocumentError(Exception):
    """A step the process does not allow now; the message is for the user."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class Action:
    CREATED = "documents.created"
    VERSION = "documents.version_published"
    SIGNED = "documents.signed_uploaded"
    SIGNATURE_REFUSED = "documents.signature_refused"
    COMMENT = "documents.commented"
    ACCEPTED = "documents.accepted"
    REJECTED = "documents.rejected"
    RECEIVED = "documents.received"
    CLOSED = "documents.closed"


ACTION_LABELS = {
    Action.CREATED: _("dokumenty: nowy proces"),
    Action.VERSION: _("dokumenty: nowa wersja"),
    Action.SIGNED: _("dokumenty: przesłano podpisaną wersję"),
    Action.SIGNATURE_REFUSED: _("dokumenty: odrzucono plik z podpisem"),
    Action.COMMENT: _("dokumenty: komentarz"),
    Action.ACCEPTED: _("dokumenty: akceptacja"),
    Action.REJECTED: _("dokumenty: odrzucenie"),
    Action.RECEIVED: _("dokumenty: odebrano dokument"),
    Action.CLOSED: _("dokumenty: zakończenie procesu"),
}


def _locked(process: DocumentProcess) -> DocumentProcess:
    return DocumentProcess.objects.select_for_update().get(pk=process.pk)


def _record(
    process: DocumentProcess,
    *,
    action: str,
    side: str,
    audit: AuditContext,
    status: str | None = None,
    note: str = "",
) -> DocumentEvent:
    """The history event of a step; with `status`, the process moves there."""
    before = process.status
    after = status or before
    now = timezone.now()
    fields = ["staff_activity_at" if side == Side.STAFF else "client_activity_at"]
    if side == Side.STAFF:
        process.staff_activity_at = now
    else:
        process.client_activity_at = now
    if after != before:
        process.status = after
        fields.append("status")
    process.save(update_fields=fields)
    return DocumentEvent.objects.create(
        process=process,
        action=action,
        side=side,
        actor=audit.actor,
        status_before=before if after != before else "",
        status_after=after if after != before else "",
        note=note[:300],
        created_at=now,
    )


def _store_version(
    process: DocumentProcess,
    file: CheckedFile,
    *,
    side: str,
    audit: AuditContext,
    note: str,
    **extra,
) -> DocumentVersion:
    last = process.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = DocumentVersion(
        process=process,
        number=last + 1,
        original_name=file.name,
        content_type=file.content_type,
        size=file.size,
        sha256=file.sha256,
        side=side,
        author=audit.actor,
        note=note[:500],
        **extra,
    )
    version.file.save("upload", ContentFile(file.content), save=False)
    # The file is on disk before the row: if the transaction fails it is an orphan, never a
    # row without its file.
    version.save()
    return version


def published_version(process: DocumentProcess) -> DocumentVersion | None:
    """The lessor's latest version: the one the client must sign."""
    return process.versions.filter(side=Side.STAFF).order_by("-number").first()


# --- Back office --------------------------------------------------------------------------------


@transaction.atomic
def process_create(
    *,
    company,
    contract=None,
    kind: str,
    category: str,
    title: str,
    description: str = "",
    file: CheckedFile,
    note: str = "",
    audit: AuditContext,
) -> DocumentProcess:
    if contract is not None and contract.company_id != company.pk:
        raise DocumentError(_("Umowa należy do innej firmy."))
    if file.content_type != PDF:
        raise DocumentError(_("Dozwolone są tylko pliki PDF."))
    process = DocumentProcess.objects.create(
        company=company,
        contract=contract,
        kind=kind,
        category=category,
        title=title,
        description=description,
        status=Status.CLIENT,
        created_by=audit.actor,
    )
    version = _store_version(process, file, side=Side.STAFF, audit=audit, note=note)
    _record(process, action=DocumentEvent.Action.CREATED, side=Side.STAFF, audit=audit)
    audit_log(
        audit=audit,
        company=company,
        action=Action.CREATED,
        obj=process,
        details={"sha256": version.sha256},
    )
    notify.process_created(process)
    return process


@transaction.atomic
def version_publish(
    *, process: DocumentProcess, file: CheckedFile, note: str = "", audit: AuditContext
) -> DocumentVersion:
    """A new version from the lessor: the client's move again (a rejected process reopens)."""
    process = _locked(process)
    if process.status == Status.DONE:
        raise DocumentError(_("Proces jest zakończony – nie można dodać nowej wersji."))
    if file.content_type != PDF:
        raise DocumentError(_("Dozwolone są tylko pliki PDF."))
    version = _store_version(process, file, side=Side.STAFF, audit=audit, note=note)
    _record(
        process,
        action=DocumentEvent.Action.VERSION,
        side=Side.STAFF,
        audit=audit,
        status=Status.CLIENT,
        note=f"v{version.number}",
    )
    audit_log(
        audit=audit,
        company=process.company,
        action=Action.VERSION,
        obj=process,
        details={"version": version.number, "sha256": version.sha256},
    )
    notify.version_published(process, version)
    return version


@transaction.atomic
def process_close(
    *, process: DocumentProcess, reject: bool = False, reason: str = "", audit: AuditContext
) -> DocumentProcess:
    """Staff end a process: completed, or rejected (with a reason the client sees)."""
    process = _locked(process)
    if not process.is_open and not (reject and process.status == Status.REJECTED):
        raise DocumentError(_("Proces jest już zakończony."))
    if reject and not reason.strip():
        raise DocumentError(_("Podaj powód odrzucenia."))
    if reject:
        DocumentComment.objects.create(
            process=process,
            kind=DocumentComment.Kind.REJECT,
            side=Side.STAFF,
            author=audit.actor,
            text=reason.strip(),
        )
    action = DocumentEvent.Action.REJECTED if reject else DocumentEvent.Action.CLOSED
    target = Status.REJECTED if reject else Status.DONE
    _record(process, action=action, side=Side.STAFF, audit=audit, status=target, note=reason)
    audit_log(
        audit=audit,
        company=process.company,
        action=Action.REJECTED if reject else Action.CLOSED,
        obj=process,
        details={"reason": reason[:200]} if reason else None,
    )
    return process


# --- Both sides ---------------------------------------------------------------------------------


@transaction.atomic
def comment_add(
    *, process: DocumentProcess, text: str, side: str, audit: AuditContext
) -> DocumentComment:
    """A message in the thread. The client's hands the process to the lessor; the lessor's
    answer hands it back."""
    if side not in Side.values:  # a programming error, not a user's: never stored
        raise ValueError(f"unknown side {side!r}")
    process = _locked(process)
    text = text.strip()
    if not text:
        raise DocumentError(_("Wpisz treść komentarza."))
    if process.status == Status.DONE:
        raise DocumentError(_("Proces jest zakończony – nie można dodać komentarza."))
    comment = DocumentComment.objects.create(
        process=process,
        side=side,
        author=audit.actor,
        text=text,
        version=published_version(process),
    )
    status = None
    if process.kind == Kind.SIGN and process.is_open:
        status = Status.PROCESSING if side == Side.CLIENT else Status.CLIENT
    _record(process, action=DocumentEvent.Action.COMMENT, side=side, audit=audit, status=status)
    audit_log(audit=audit, company=process.company, action=Action.COMMENT, obj=process)
    if side == Side.STAFF:
        notify.comment_added(process, comment)
    return comment


# --- The client ---------------------------------------------------------------------------------


def _open_to_sign(process: DocumentProcess) -> None:
    if process.kind != Kind.SIGN:
        raise DocumentError(_("Ten dokument nie wymaga podpisu."))
    if not process.is_open:
        raise DocumentError(
            _("Proces ma status „%(status)s” – nie można go już zmienić.")
            % {"status": process.get_status_display()}
        )


@transaction.atomic
def process_accept(*, process: DocumentProcess, text: str = "", audit: AuditContext):
    """The client accepts the published version's terms; the lessor continues."""
    process = _locked(process)
    _open_to_sign(process)
    version = published_version(process)
    DocumentComment.objects.create(
        process=process,
        kind=DocumentComment.Kind.ACCEPT,
        side=Side.CLIENT,
        author=audit.actor,
        text=text.strip(),
        version=version,
    )
    _record(
        process,
        action=DocumentEvent.Action.ACCEPTED,
        side=Side.CLIENT,
        audit=audit,
        status=Status.PROCESSING,
        note=f"v{version.number}" if version else "",
    )
    audit_log(audit=audit, company=process.company, action=Action.ACCEPTED, obj=process)
    return process


@transaction.atomic
def process_reject(*, process: DocumentProcess, reason: str, audit: AuditContext):
    """The client rejects the document, with a reason; a new version from the lessor reopens."""
    process = _locked(process)
    _open_to_sign(process)
    if not reason.strip():
        raise DocumentError(_("Podaj powód odrzucenia."))
    DocumentComment.objects.create(
        process=process,
        kind=DocumentComment.Kind.REJECT,
        side=Side.CLIENT,
        author=audit.actor,
        text=reason.strip(),
        version=published_version(process),
    )
    _record(
        process,
        action=DocumentEvent.Action.REJECTED,
        side=Side.CLIENT,
        audit=audit,
        status=Status.REJECTED,
        note=reason,
    )
    audit_log(
        audit=audit,
        company=process.company,
        action=Action.REJECTED,
        obj=process,
        details={"reason": reason[:200]},
    )
    return process


@transaction.atomic
def signed_version_upload(
    *, process: DocumentProcess, file: CheckedFile, note: str = "", audit: AuditContext
) -> DocumentVersion:
    """The client's signed file, accepted only if it signs the published version.

    A refused file stores nothing (the refusal is audited outside this transaction).
    """
    process = _locked(process)
    _open_to_sign(process)
    if file.content_type not in CLIENT_SIGNED_TYPES:
        raise DocumentError(_("Nieobsługiwany typ pliku."))
    published = published_version(process)
    if published is None:
        raise DocumentError(_("Brak opublikowanej wersji do podpisu."))
    with published.file.open("rb") as stored:
        published_bytes = stored.read()
    check = verify_signed(file, published=published_bytes, published_number=published.number)
    version = _store_version(
        process,
        file,
        side=Side.CLIENT,
        audit=audit,
        note=note,
        signature=check.kind,
        signer_name=check.signer_name,
        signed_at=check.signed_at,
        signs_version=published,
        match=check.match,
    )
    process.signed_version = version
    process.save(update_fields=["signed_version"])
    _record(
        process,
        action=DocumentEvent.Action.SIGNED,
        side=Side.CLIENT,
        audit=audit,
        status=Status.PROCESSING,
        note=f"v{version.number}: {check.signer_name}",
    )
    audit_log(
        audit=audit,
        company=process.company,
        action=Action.SIGNED,
        obj=process,
        details={
            "version": version.number,
            "signs_version": published.number,
            "signer": check.signer_name,
            "sha256": version.sha256,
            "trust": check.trust,
        },
    )
    return version


def signature_refused_log(
    *, process: DocumentProcess, error: SignatureRefused, file: CheckedFile, audit: AuditContext
) -> None:
    audit_log(
        audit=audit,
        company=process.company,
        action=Action.SIGNATURE_REFUSED,
        obj=process,
        details={"result": error.code, "sha256": file.sha256},
    )


@transaction.atomic
def process_receive(*, process: DocumentProcess, audit: AuditContext) -> DocumentProcess:
    """ "Odbierz": the document is received (once; later openings change nothing)."""
    process = _locked(process)
    if process.kind != Kind.RECEIVE or process.received_at is not None:
        return process
    process.received_at = timezone.now()
    process.received_by = audit.actor
    process.save(update_fields=["received_at", "received_by"])
    _record(
        process,
        action=DocumentEvent.Action.RECEIVED,
        side=Side.CLIENT,
        audit=audit,
        status=Status.DONE if process.is_open else None,
    )
    audit_log(audit=audit, company=process.company, action=Action.RECEIVED, obj=process)
    return process


def process_mark_seen(*, process: DocumentProcess, side: str) -> None:
    """A read marker (not an audited change): this side has seen everything up to now.

    Written only when it changes something (first opening, or news since the last one), so
    re-reading a process is a read, not a write."""
    if side == Side.CLIENT:
        field, unread = "client_seen_at", process.unread_by_client
    else:
        field, unread = "staff_seen_at", process.unread_by_staff
    if getattr(process, field) is not None and not unread:
        return
    now = timezone.now()
    DocumentProcess.objects.filter(pk=process.pk).update(**{field: now})
    setattr(process, field, now)
