"""The nightly batch: JSON Lines files in the feed inbox (a folder or an S3 bucket)."""

from __future__ import annotations

from django.core.files.storage import storages
from django.utils.translation import gettext as _

from accounts.audit import BACKGROUND, AuditContext

from .importer.jsonl import read_lines
from .importer.runner import run_batch
from .models import ImportBatch


def inbox():
    return storages["feed_inbox"]


def pending_files() -> list[str]:
    """Batch files in the inbox not imported yet (a failed run is tried again), oldest name
    first."""
    _dirs, files = inbox().listdir("")
    names = sorted(name for name in files if name.endswith(".jsonl"))
    done = set(
        ImportBatch.objects.filter(source=ImportBatch.Source.FILE, file_name__in=names)
        .exclude(status=ImportBatch.Status.FAILED)
        .values_list("file_name", flat=True)
    )
    return [name for name in names if name not in done]


def import_file(*, name: str, audit: AuditContext = BACKGROUND, full: bool = False) -> ImportBatch:
    batch = ImportBatch.objects.create(source=ImportBatch.Source.FILE, file_name=name)
    storage = inbox()
    if not storage.exists(name):
        from .importer.runner import BatchRun

        return BatchRun(batch=batch, audit=audit).finish(
            message=_("Brak pliku %(name)s.") % {"name": name}
        )
    with storage.open(name, "rb") as handle:
        batch, _run = run_batch(batch=batch, items=read_lines(handle), audit=audit, full=full)
    return batch


def import_pending(*, audit: AuditContext = BACKGROUND, full: bool = False) -> list[ImportBatch]:
    return [import_file(name=name, audit=audit, full=full) for name in pending_files()]
