"""Checking a client's signed upload against the version the lessor published.

`verify_signed(file, published=...)` answers with a `SignatureCheck` (who signed, when, how the
signed document matches the published one) or raises `SignatureRefused` with the message the
client sees: no signature, a broken signature, or a different document signed. PDF (PAdES) is
checked with pyHanko (`pades`), XAdES and ASiC containers with lxml (`xades`). Whether the
certificate chains to a qualified trust service is one function, `trust.check_trust`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..uploads import ASIC_E, ASIC_S, PDF, XML, CheckedFile


class SignatureRefused(Exception):
    """A signed upload that cannot be accepted; `message` tells the client why."""

    NOT_SIGNED = "not_signed"
    BROKEN = "broken"
    NOT_WHOLE = "not_whole"
    DIFFERENT = "different"
    MALFORMED = "malformed"

    def __init__(self, code: str, message) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SignatureCheck:
    kind: str  # DocumentVersion.Signature: "pades", "xades", "asic"
    signer_name: str
    signed_at: dt.datetime | None
    match: str  # "revision", "text", "digest"
    trust: str  # what trust.check_trust said ("not_checked" for now)


def not_signed() -> SignatureRefused:
    return SignatureRefused(
        SignatureRefused.NOT_SIGNED,
        _(
            "Plik nie zawiera podpisu elektronicznego. Podpisz pobrany dokument podpisem "
            "kwalifikowanym w swoim narzędziu do podpisu i prześlij podpisany plik."
        ),
    )


def broken() -> SignatureRefused:
    return SignatureRefused(
        SignatureRefused.BROKEN,
        _(
            "Podpis w pliku jest uszkodzony: plik zmieniono po podpisaniu albo podpis jest "
            "nieprawidłowy. Prześlij plik dokładnie taki, jaki zapisało narzędzie do podpisu."
        ),
    )


def not_whole() -> SignatureRefused:
    return SignatureRefused(
        SignatureRefused.NOT_WHOLE,
        _(
            "Żaden podpis nie obejmuje całego pliku: po podpisaniu dopisano do niego zmiany. "
            "Podpisz dokument ponownie i prześlij plik bez dalszych zmian."
        ),
    )


def different(number: int) -> SignatureRefused:
    return SignatureRefused(
        SignatureRefused.DIFFERENT,
        _(
            "Podpisano inny dokument niż opublikowana wersja %(number)s. Pobierz aktualną "
            "wersję dokumentu, podpisz ją i prześlij ponownie."
        )
        % {"number": number},
    )


def malformed() -> SignatureRefused:
    return SignatureRefused(
        SignatureRefused.MALFORMED,
        _("Nie udało się odczytać podpisu: plik XAdES lub kontener ASiC jest niepoprawny."),
    )


def verify_signed(file: CheckedFile, *, published: bytes, published_number: int) -> SignatureCheck:
    from . import pades, xades

    if file.content_type == PDF:
        return pades.verify(file.content, published=published, number=published_number)
    if file.content_type == XML:
        return xades.verify_xades(file.content, published=published, number=published_number)
    if file.content_type in (ASIC_E, ASIC_S):
        return xades.verify_asic(file.content, published=published, number=published_number)
    raise not_signed()
