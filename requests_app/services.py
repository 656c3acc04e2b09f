"""Writes of applications and cases: submitting, confirming, the thread, the lessor's work.

Every function is keyword-only, atomic and audited (`audit: AuditContext`); every status
change adds a row to the status history and notifies the client ("application.status_changed").
Errors a person should read are `ApplicationError` with a message in the UI language.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import AuditContext, audit_log
from ebok.uploads import CheckedFile
from notifications.events import emit

from .models import Application, Attachment, Message, RequestType, StatusChange

Status = Application.Status

SUBMITTED = "application.submitted"
CONFIRMED = "application.confirmed"
REPLIED = "application.client_replied"
STATUS_CHANGED = "application.status_changed"
LESSOR_REPLIED = "application.reply"
ASSIGNED = "application.assigned"

EVENT_STATUS_CHANGED = "application.status_changed"
EVENT_REPLY = "application.reply"


class ApplicationError(Exception):
    """An operation that cannot be done in the application's state (message for people)."""


@dataclass(frozen=True)
class Submission:
    """What a client submits: a request of `request_type` or (without one) a contact case."""

    kind: str
    subject: str
    body: str = ""
    request_type: RequestType | None = None
    topic: str = ""
    contract: Any = None
    values: Sequence[dict[str, Any]] = ()
    files: Sequence[tuple[str, CheckedFile]] = ()  # (field key or "", the file)


def _number(application: Application) -> str:
    prefix = "WN" if application.kind == Application.Kind.REQUEST else "SP"
    return f"{prefix}/{application.created_at:%Y}/{application.pk:06d}"


def _store_files(
    application: Application,
    files: Sequence[tuple[str, CheckedFile]],
    *,
    by,
    message: Message | None = None,
    from_lessor: bool = False,
    stored: list[str],
) -> list[Attachment]:
    attachments = []
    for field_key, checked in files:
        attachment = Attachment(
            application=application,
            message=message,
            field_key=field_key,
            name=checked.name,
            content_type=checked.file_type.content_type,
            size=checked.size,
            sha256=checked.sha256,
            from_lessor=from_lessor,
            uploaded_by=by,
        )
        checked.upload.seek(0)
        attachment.file.save("upload", checked.upload, save=False)
        stored.append(attachment.file.name)
        attachment.save()
        attachments.append(attachment)
    return attachments


def _forget_files(names: list[str]) -> None:
    """Files written by a transaction that did not commit: nothing of it may stay."""
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def application_submit(
    *, user, submission: Submission, token: uuid.UUID, audit: AuditContext
) -> tuple[Application, bool]:
    """Create the application (a draft when its type needs an SMS code), or return the one this
    form already created (`token`): (application, created)."""
    existing = Application.objects.filter(company_id=user.company_id, submit_token=token).first()
    if existing is not None:
        return existing, False
    stored: list[str] = []
    try:
        with transaction.atomic():
            application = _create(user=user, submission=submission, token=token, stored=stored)
            audit_log(
                audit=audit,
                user=user,
                action=SUBMITTED,
                obj=application,
                details=_audit_details(application),
            )
            if not application.is_draft:
                _submitted(application, by=user, audit=audit)
    except IntegrityError:
        _forget_files(stored)
        existing = Application.objects.filter(company_id=user.company_id, submit_token=token)
        if existing.exists():  # the same form posted twice at once: the other one won
            return existing.get(), False
        raise
    except BaseException:
        _forget_files(stored)
        raise
    return application, True


def _create(*, user, submission: Submission, token, stored: list[str]) -> Application:
    request_type = submission.request_type
    critical = request_type is not None and request_type.is_critical
    fee = request_type.fee if request_type is not None else None
    with transaction.atomic():  # a savepoint: a duplicate token fails here, not the caller
        application = Application.objects.create(
            company_id=user.company_id,
            submitted_by=user,
            kind=submission.kind,
            request_type=request_type,
            topic=submission.topic,
            contract=submission.contract,
            subject=submission.subject[:200],
            body=submission.body,
            values=list(submission.values),
            fee_net=fee.net if fee else None,
            fee_gross=fee.gross if fee else None,
            handling_days=request_type.handling_days if request_type else None,
            status=Status.DRAFT if critical else Status.SENT,
            submit_token=token,
        )
    _store_files(application, submission.files, by=user, stored=stored)
    return application


def _submitted(application: Application, *, by, audit: AuditContext) -> None:
    now = timezone.now()
    before = application.status
    application.number = _number(application)
    application.submitted_at = application.updated_at = now
    application.status = Status.SENT
    application.staff_unread = 1
    application.save(
        update_fields=["number", "submitted_at", "updated_at", "status", "staff_unread"]
    )
    StatusChange.objects.create(
        application=application,
        from_status=before if before == Status.DRAFT else "",
        to_status=Status.SENT,
        by=by,
        at=now,
    )


def _audit_details(application: Application) -> dict[str, Any]:
    return {
        "number": application.number,
        "type": application.request_type.code if application.request_type_id else application.topic,
        "contract": application.contract.number if application.contract_id else "",
        "status": application.status,
    }


@transaction.atomic
def application_confirm(*, application: Application, user, audit: AuditContext) -> Application:
    """A draft confirmed with its SMS code (the view checked the code): it is sent now."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.is_draft:
        return application  # confirmed already (the page posted twice)
    _submitted(application, by=user, audit=audit)
    audit_log(
        audit=audit,
        user=user,
        action=CONFIRMED,
        obj=application,
        details=_audit_details(application),
    )
    return application


def application_content_digest(application: Application) -> dict[str, Any]:
    """What the SMS code of a draft confirms: its content and its files, exactly."""
    files = application.attachments.order_by("id").values_list("name", "sha256")
    return {
        "application": application.pk,
        "type": application.request_type.code if application.request_type_id else "",
        "contract": application.contract_id,
        "subject": application.subject,
        "body": application.body,
        "values": application.values,
        "files": [list(pair) for pair in files],
    }


def application_reply(
    *,
    application: Application,
    user,
    body: str,
    files: Sequence[CheckedFile],
    audit: AuditContext,
) -> Message:
    """The client writes in the thread; a request waiting for them goes back to the lessor.
    A closed one stays closed: the lessor sees the message among the new replies."""
    if application.is_draft:
        raise ApplicationError(_("Najpierw potwierdź wniosek kodem SMS."))
    stored: list[str] = []
    try:
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=application.pk)
            message = Message.objects.create(application=application, author=user, body=body)
            _store_files(
                application, [("", f) for f in files], by=user, message=message, stored=stored
            )
            Application.objects.filter(pk=application.pk).update(
                staff_unread=F("staff_unread") + 1, updated_at=timezone.now()
            )
            if application.status == Status.WAITING:
                _move(application, Status.IN_PROGRESS, by=user, note="", audit=audit, notify=False)
            audit_log(
                audit=audit,
                user=user,
                action=REPLIED,
                obj=application,
                details={"number": application.number, "files": len(files)},
            )
    except BaseException:
        _forget_files(stored)
        raise
    return message


def application_mark_read(*, application: Application) -> None:
    """Someone of the company opened it: the lessor's news are read."""
    if application.client_unread:
        Application.objects.filter(pk=application.pk).update(client_unread=0)
        application.client_unread = 0


# --- The lessor's side (admin) -----------------------------------------------------------------

_ALLOWED = {
    Status.IN_PROGRESS: {Status.SENT, Status.WAITING, Status.IN_PROGRESS},
    Status.WAITING: {Status.SENT, Status.IN_PROGRESS},
    Status.COMPLETED: {Status.SENT, Status.IN_PROGRESS, Status.WAITING},
    Status.REJECTED: {Status.SENT, Status.IN_PROGRESS, Status.WAITING},
}


def _move(
    application: Application,
    to: str,
    *,
    by,
    note: str,
    audit: AuditContext,
    notify: bool = True,
) -> None:
    if application.status not in _ALLOWED[to]:
        raise ApplicationError(
            _("Nie można zmienić statusu „%(from)s” na „%(to)s”.")
            % {"from": application.get_status_display(), "to": Status(to).label}
        )
    before = application.status
    now = timezone.now()
    application.status = to
    application.updated_at = now
    application.closed_at = now if to in Application.CLOSED_STATUSES else None
    fields = ["status", "updated_at", "closed_at"]
    if notify:
        application.client_unread = F("client_unread") + 1
        fields.append("client_unread")
    application.save(update_fields=fields)
    application.refresh_from_db(fields=["client_unread"])
    StatusChange.objects.create(
        application=application, from_status=before, to_status=to, by=by, at=now, note=note
    )
    audit_log(
        audit=audit,
        user=by,
        company=application.company,
        action=STATUS_CHANGED,
        obj=application,
        details={"number": application.number, "before": before, "after": to, "reason": note[:200]},
    )
    if notify and before != to:
        _notify(application, EVENT_STATUS_CHANGED, note=note, dedupe=_moment_key(application, now))


def _moment_key(application: Application, moment, tag: str = "") -> str:
    return f"{application.pk}-{tag}{int(moment.timestamp() * 1_000_000)}"


def _notify(application: Application, code: str, *, note: str, dedupe: str) -> None:
    emit(
        code,
        user=application.submitted_by,
        context={
            "number": application.number,
            "subject": application.subject,
            "status": Status(application.status).label,
            "note": note,
        },
        dedupe_key=dedupe,
        link=reverse("requests_app:detail", args=[application.pk]),
    )


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("submitted_by", "company")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_take(*, application: Application, by, audit: AuditContext) -> Application:
    """A staff member takes the request: it is theirs, and in progress."""
    application = _locked(application)
    application.assignee = by
    application.save(update_fields=["assignee"])
    if application.status != Status.IN_PROGRESS:
        _move(application, Status.IN_PROGRESS, by=by, note="", audit=audit)
    return application


@transaction.atomic
def application_assign(
    *, application: Application, assignee, by, audit: AuditContext
) -> Application:
    if not assignee.is_staff:
        raise ApplicationError(_("Wniosek można przypisać tylko pracownikowi obsługi."))
    application = _locked(application)
    if not application.is_open:
        raise ApplicationError(_("Wniosek jest zamknięty."))
    application.assignee = assignee
    application.save(update_fields=["assignee"])
    audit_log(
        audit=audit,
        user=by,
        company=application.company,
        action=ASSIGNED,
        obj=application,
        details={"number": application.number, "assignee": assignee.username},
    )
    return application


def _lessor_message(
    application: Application, *, by, body: str, files: Sequence[CheckedFile], stored: list[str]
) -> Message:
    message = Message.objects.create(
        application=application, author=by, from_lessor=True, body=body
    )
    _store_files(
        application,
        [("", f) for f in files],
        by=by,
        message=message,
        from_lessor=True,
        stored=stored,
    )
    return message


def _staff_step(
    *,
    application: Application,
    by,
    body: str,
    files: Sequence[CheckedFile],
    to: str | None,
    audit: AuditContext,
) -> Application:
    stored: list[str] = []
    try:
        with transaction.atomic():
            application = _locked(application)
            if to is not None and not application.is_open:
                raise ApplicationError(_("Wniosek jest zamknięty."))
            if body or files:
                _lessor_message(application, by=by, body=body, files=files, stored=stored)
            application.staff_unread = 0
            application.assignee = application.assignee or by
            application.save(update_fields=["staff_unread", "assignee"])
            if to is not None:
                _move(application, to, by=by, note=body, audit=audit)
            else:
                Application.objects.filter(pk=application.pk).update(
                    client_unread=F("client_unread") + 1, updated_at=timezone.now()
                )
                audit_log(
                    audit=audit,
                    user=by,
                    company=application.company,
                    action=LESSOR_REPLIED,
                    obj=application,
                    details={"number": application.number, "files": len(files)},
                )
                _notify(
                    application,
                    EVENT_REPLY,
                    note=body,
                    dedupe=_moment_key(application, timezone.now(), "m"),
                )
    except BaseException:
        _forget_files(stored)
        raise
    return application


def application_ask_client(
    *, application: Application, by, question: str, files=(), audit: AuditContext
) -> Application:
    """Ask the client for more (information, a document): the request waits for them."""
    if not question.strip():
        raise ApplicationError(_("Napisz, czego potrzebujesz od klienta."))
    return _staff_step(
        application=application, by=by, body=question, files=files, to=Status.WAITING, audit=audit
    )


def application_complete(
    *, application: Application, by, answer: str, files=(), audit: AuditContext
) -> Application:
    return _staff_step(
        application=application, by=by, body=answer, files=files, to=Status.COMPLETED, audit=audit
    )


def application_reject(
    *, application: Application, by, reason: str, audit: AuditContext
) -> Application:
    if not reason.strip():
        raise ApplicationError(_("Podaj powód odrzucenia."))
    return _staff_step(
        application=application, by=by, body=reason, files=(), to=Status.REJECTED, audit=audit
    )


def application_staff_reply(
    *, application: Application, by, body: str, files=(), audit: AuditContext
) -> Application:
    """An answer in the thread without a change of status."""
    if not body.strip():
        raise ApplicationError(_("Wpisz treść odpowiedzi."))
    return _staff_step(application=application, by=by, body=body, files=files, to=None, audit=audit)


def drafts_purge(*, older_than) -> int:
    """Drafts never confirmed with their SMS code, with their files (a daily task)."""
    drafts = Application.objects.filter(status=Status.DRAFT, created_at__lt=older_than)
    names = list(Attachment.objects.filter(application__in=drafts).values_list("file", flat=True))
    count = 0
    with transaction.atomic():
        for application in drafts:
            application.attachments.all().delete()
            application.delete()
            count += 1
    _forget_files(names)
    return count
