"""Client uploads: what a client (or staff) may upload, checked by content, never by name.

Shared by every app that takes files through a form (applications, cases and their replies in
`requests_app`, damage reports in `contracts.fleet.claims`, the back office's attachments):

- `check_file(upload)` reads the file and answers a `CheckedFile` (its detected type, a clean
  display name, size and SHA-256) or raises `ValidationError` with a message for the user;
  `check_files(uploads)` checks a batch against the count limits too. Office files (ZIP
  archives) that would unpack far past their size ("zip bombs") are refused.
- `LimitedUploadHandler` stops reading a file past the size limit, or files past the count
  limit, while the request is being parsed: an oversized upload never fills memory or disk.
  A view takes it through the `limited_uploads` decorator and hands `request.refused_uploads`
  to its form.
- `FilesField` is the form field for one or several files, as they came (checked later by the
  form with `check_file` / `check_files`).

File names are judged as the browser sent them: `ebok.middleware.UploadNameMiddleware` marks a
name Django would have cleaned (folders, control characters) and `clean_name` refuses it.

Settings (names kept from when only applications took files, so deployments keep working; they
apply to every client upload checked here):

- `REQUESTS_ATTACHMENT_MAX_BYTES` (10 MB): the largest file;
- `REQUESTS_ATTACHMENTS_PER_POST` (5): files with one submission, message or report;
- `REQUESTS_ATTACHMENTS_PER_APPLICATION` (30): files in one application's thread.

Signed documents (`documents/`) have their own checks in `documents.uploads`.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect


def max_file_bytes() -> int:
    return getattr(settings, "REQUESTS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def max_files() -> int:
    """At most this many files with one submission or one message."""
    return getattr(settings, "REQUESTS_ATTACHMENTS_PER_POST", 5)


def max_files_per_application() -> int:
    return getattr(settings, "REQUESTS_ATTACHMENTS_PER_APPLICATION", 30)


# Office files are ZIP archives: what they may hold once unpacked (a "zip bomb" is refused).
ZIP_MAX_UNPACKED = 50 * 1024 * 1024
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_RATIO = 100
IMAGE_MAX_PIXELS = 50_000_000
NAME_MAX_LENGTH = 120
_FORBIDDEN_NAME_CHARACTERS = set('<>:"/\\|?*')


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]  # the first is the one a stored file gets
    label: str


PDF = FileType("application/pdf", (".pdf",), "PDF")
JPEG = FileType("image/jpeg", (".jpg", ".jpeg"), "JPG")
PNG = FileType("image/png", (".png",), "PNG")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "DOCX"
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "XLSX"
)
ALLOWED_TYPES = (PDF, JPEG, PNG, DOCX, XLSX)
_BY_CONTENT_TYPE = {t.content_type: t for t in ALLOWED_TYPES}
ACCEPT_ATTRIBUTE = ",".join(ext for t in ALLOWED_TYPES for ext in t.extensions)


def allowed_types_text() -> str:
    return ", ".join(t.label for t in ALLOWED_TYPES)


def extension_for(content_type: str) -> str:
    file_type = _BY_CONTENT_TYPE.get(content_type)
    return file_type.extensions[0] if file_type else ".bin"


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    name: str
    file_type: FileType
    size: int
    sha256: str


def clean_name(raw: str | None) -> str:
    """The name to show: printable, no folders, at most NAME_MAX_LENGTH characters.

    Django's upload parser already drops folders and control characters; a name that is still
    no plain file name (empty, hidden, a drive letter, reserved characters) is refused.
    """
    name = unicodedata.normalize("NFC", raw or "").strip()
    if (
        not name
        or name.startswith(".")
        or not name.isprintable()
        or any(ch in _FORBIDDEN_NAME_CHARACTERS for ch in name)
    ):
        raise ValidationError(
            _(
                "Nazwa pliku „%(name)s” zawiera niedozwolone znaki. "
                "Zmień nazwę pliku i dodaj go ponownie."
            )
            % {"name": "".join(ch for ch in name if ch.isprintable())[:60]}
        )
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, ext = name.rpartition(".")
        keep = NAME_MAX_LENGTH - len(ext) - 1
        name = f"{stem[:keep]}.{ext}" if dot and len(ext) <= 5 else name[:NAME_MAX_LENGTH]
    return name


def _read_all(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _sniff(data: bytes) -> FileType | None:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return None


def _office_type(data: bytes) -> FileType | None:
    """DOCX or XLSX by their parts; anything else in a ZIP (a plain archive) is no type of ours.
    An archive that would unpack to far more than it weighs is refused outright."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    unpacked = sum(entry.file_size for entry in entries)
    ratio = unpacked / max(len(data), 1)
    if len(entries) > ZIP_MAX_ENTRIES or unpacked > ZIP_MAX_UNPACKED or ratio > ZIP_MAX_RATIO:
        raise ValidationError(
            _("Plik „%(name)s” po rozpakowaniu byłby zbyt duży. Taki plik nie może być przyjęty.")
        )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _content_is_whole(file_type: FileType, data: bytes) -> bool:
    """The detected type's structure holds: a PDF ends with %%EOF, an image decodes."""
    if file_type is PDF:
        return b"%%EOF" in data[-2048:]
    if file_type in (JPEG, PNG):
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > IMAGE_MAX_PIXELS:
                    return False
                image.verify()
        except Exception:  # Pillow raises many kinds for a broken image
            return False
    return True


def check_file(upload: UploadedFile) -> CheckedFile:
    """The file as it may be stored, or ValidationError with the reason (in the UI language)."""
    name = clean_name(upload.name)
    params = {"name": name}
    if upload.size == 0:
        raise ValidationError(_("Plik „%(name)s” jest pusty.") % params)
    if upload.size > max_file_bytes():
        raise ValidationError(too_large_message(name))
    data = _read_all(upload)
    try:
        file_type = _sniff(data)
    except ValidationError as error:
        raise ValidationError(error.messages[0] % params) from None
    if file_type is None or not _content_is_whole(file_type, data):
        raise ValidationError(
            _(
                "Plik „%(name)s” nie jest poprawnym plikiem dozwolonego typu (%(types)s). "
                "Sprawdzamy zawartość pliku, nie tylko jego rozszerzenie."
            )
            % {"name": name, "types": allowed_types_text()}
        )
    extension = "." + name.rpartition(".")[2].lower() if "." in name else ""
    if extension not in file_type.extensions:
        raise ValidationError(
            _("Plik „%(name)s” to %(type)s, a jego nazwa sugeruje inny typ. Popraw rozszerzenie.")
            % {"name": name, "type": file_type.label}
        )
    return CheckedFile(
        upload=upload,
        name=name,
        file_type=file_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def too_large_message(name: str) -> str:
    return _("Plik „%(name)s” jest za duży: najwyżej %(limit)s.") % {
        "name": name,
        "limit": filesizeformat(max_file_bytes()),
    }


def too_many_message() -> str:
    return _("Możesz dodać najwyżej %(count)d plików naraz.") % {"count": max_files()}


def check_files(uploads: list[UploadedFile], *, already: int = 0) -> list[CheckedFile]:
    """Every file checked; the first problem of each file reported, all files together."""
    if len(uploads) > max_files():
        raise ValidationError(too_many_message())
    if already + len(uploads) > max_files_per_application():
        raise ValidationError(
            _("Do jednego wniosku można dodać najwyżej %(count)d plików.")
            % {"count": max_files_per_application()}
        )
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(check_file(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked


class LimitedUploadHandler(FileUploadHandler):
    """Skips (reads past, stores nowhere) a file bigger than the limit and every file past the
    count limit; the view's form reports them from `refused`."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.refused: list[str] = []
        self.files_seen = 0
        self._received = 0

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, *a, **kw):
        super().new_file(field_name, file_name, content_type, content_length, charset, *a, **kw)
        self._received = 0
        self.files_seen += 1
        # Named slots and the extra files together: far past what any form asks for.
        if self.files_seen > 2 * max_files():
            self.refused.append(too_many_message())
            raise SkipFile
        if content_length is not None and content_length > max_file_bytes():
            self.refused.append(too_large_message(file_name or ""))
            raise SkipFile

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._received += len(raw_data)
        if self._received > max_file_bytes():
            self.refused.append(too_large_message(self.file_name or ""))
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int):
        return None  # the next handler (memory or temporary file) builds the file


def limited_uploads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Reads uploads through `LimitedUploadHandler` (an oversized file is never stored, even
    temporarily); CSRF is checked after the handler is in place, as Django requires."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        handler = LimitedUploadHandler(request)
        if request.method == "POST":
            request.upload_handlers.insert(0, handler)
        request.refused_uploads = handler.refused
        return protected(request, *args, **kwargs)

    return wrapper


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Uploaded files as they came (one or several): `check_file` / `check_files` check them."""

    def __init__(self, *, multiple: bool, **kwargs: Any) -> None:
        attrs = {"class": "form-control", "accept": ACCEPT_ATTRIBUTE}
        widget = MultipleFileInput(attrs=attrs) if multiple else forms.FileInput(attrs=attrs)
        self.multiple = multiple
        super().__init__(widget=widget, **kwargs)

    def to_python(self, data):
        if self.multiple:
            return [item for item in (data or []) if item]
        return data or None

    def validate(self, value) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def bound_data(self, data, initial):
        return data

    def clean(self, data, initial=None):
        value = self.to_python(data)
        self.validate(value)
        return value
