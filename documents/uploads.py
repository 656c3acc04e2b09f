"""What an uploaded file is, judged by its content: size, name, and type behind the extension.

Every refusal is an `UploadRefused` whose message is shown to the user as is; nothing is
stored before a file has passed.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

PDF = "application/pdf"
XML = "application/xml"
ASIC_E = "application/vnd.etsi.asic-e+zip"
ASIC_S = "application/vnd.etsi.asic-s+zip"

_EXTENSIONS = {
    ".pdf": PDF,
    ".xml": XML,
    ".xades": XML,
    ".asice": ASIC_E,
    ".sce": ASIC_E,
    ".asics": ASIC_S,
    ".scs": ASIC_S,
}
# Inside an ASiC container: at most this many entries and this many bytes unpacked.
ASIC_MAX_ENTRIES = 50


class UploadRefused(Exception):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    name: str  # the client's file name, cleaned (shown, never used as a path)
    content: bytes
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        return len(self.content)


def max_upload_bytes() -> int:
    return settings.DOCUMENT_MAX_UPLOAD_MB * 1024 * 1024


def clean_name(name: str) -> str:
    """The file name to show: no directories, no control characters, not hidden, bounded."""
    raw = str(name or "")
    if "/" in raw or "\\" in raw or any(unicodedata.category(c) in ("Cc", "Cs") for c in raw):
        raise UploadRefused(_("Nazwa pliku zawiera niedozwolone znaki. Zmień nazwę pliku."))
    base = raw.strip()
    if not base or base.startswith(".") or len(base) > 150:
        raise UploadRefused(
            _("Nieprawidłowa nazwa pliku. Użyj nazwy do 150 znaków, np. umowa-podpisana.pdf.")
        )
    return base


def read_upload(upload: UploadedFile | None, *, allowed: tuple[str, ...]) -> CheckedFile:
    """The upload's bytes if its size, name and content are acceptable, else UploadRefused."""
    if upload is None:
        raise UploadRefused(_("Wybierz plik do przesłania."))
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise UploadRefused(
            _("Plik jest za duży. Największy dopuszczalny rozmiar to %(mb)s MB.")
            % {"mb": settings.DOCUMENT_MAX_UPLOAD_MB}
        )
    name = clean_name(upload.name)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    declared = _EXTENSIONS.get(extension)
    if declared is None or declared not in allowed:
        raise UploadRefused(_allowed_message(allowed))
    content = b"".join(upload.chunks())
    if len(content) > limit:
        raise UploadRefused(
            _("Plik jest za duży. Największy dopuszczalny rozmiar to %(mb)s MB.")
            % {"mb": settings.DOCUMENT_MAX_UPLOAD_MB}
        )
    if not content:
        raise UploadRefused(_("Plik jest pusty."))
    sniffed = sniff(content)
    if sniffed != declared and not (sniffed in (ASIC_E, ASIC_S) and declared in (ASIC_E, ASIC_S)):
        raise UploadRefused(
            _("Zawartość pliku nie odpowiada jego rozszerzeniu (%(ext)s).") % {"ext": extension}
        )
    if sniffed == PDF:
        check_pdf_readable(content)
    return CheckedFile(name=name, content=content, content_type=sniffed or declared)


def _allowed_message(allowed: tuple[str, ...]):
    if allowed == (PDF,):
        return _("Dozwolone są tylko pliki PDF.")
    return _("Dozwolone pliki: PDF z podpisem (PAdES), XAdES (.xml) lub kontener ASiC (.asice).")


def sniff(content: bytes) -> str | None:
    head = content[:1024]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _asic_kind(content)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return XML
    return None


def _asic_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if "mimetype" not in names or len(names) > ASIC_MAX_ENTRIES:
                return None
            mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError):
        return None
    return mimetype if mimetype in (ASIC_E, ASIC_S) else None


def check_pdf_readable(content: bytes) -> None:
    """A PDF that opens and is not encrypted (an encrypted file cannot be compared or read)."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        encrypted = reader.encrypted
        if not encrypted:
            reader.root  # noqa: B018 - reading the catalogue proves the structure
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        raise UploadRefused(
            _("Nie udało się odczytać pliku PDF – plik jest uszkodzony.")
        ) from error
    if encrypted:
        raise UploadRefused(
            _("Plik PDF jest zaszyfrowany lub chroniony hasłem. Prześlij plik bez hasła.")
        )
