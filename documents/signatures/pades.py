"""PAdES: a signed PDF, checked with pyHanko.

Accepted when at least one signature covers the whole file (its byte range leaves out only
its own /Contents) and its CMS signature is intact for those bytes, and the signed document is
the published version: the file's first revision is the published file byte for byte (the
usual incremental signing), or, where the signing tool rewrote the file, every page's text
equals the published version's.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from . import SignatureCheck, broken, different, not_signed, not_whole, trust

logger = logging.getLogger(__name__)


def verify(content: bytes, *, published: bytes, number: int) -> SignatureCheck:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        signatures = PdfFileReader(io.BytesIO(content), strict=False).embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        raise broken() from None
    if not signatures:
        raise not_signed()

    whole, intact = [], []
    for signature in signatures:
        try:
            signature.compute_integrity_info(skip_diff=True)
            covers_file = signature.coverage == SignatureCoverageLevel.ENTIRE_FILE
            digest_ok, signature_ok = validate_sig_integrity(
                signature.signer_info, signature.signer_cert, "data", signature.compute_digest()
            )
        except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as error:
            logger.info("unreadable PDF signature: %s", error)
            covers_file, digest_ok, signature_ok = False, False, False
        if covers_file:
            whole.append(signature)
            if digest_ok and signature_ok:
                intact.append(signature)
    if not whole:
        # Signatures over earlier revisions only: something was appended after signing.
        if any(_is_intact(s) for s in signatures):
            raise not_whole()
        raise broken()
    if not intact:
        raise broken()

    match = _match(content, published)
    if match is None:
        raise different(number)
    signature = intact[0]
    certificate = signature.signer_cert
    return SignatureCheck(
        kind="pades",
        signer_name=_common_name(certificate),
        signed_at=_signing_time(signature),
        match=match,
        trust=trust.check_trust(certificate),
    )


def _is_intact(signature) -> bool:
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    try:
        return all(
            validate_sig_integrity(
                signature.signer_info, signature.signer_cert, "data", signature.compute_digest()
            )
        )
    except Exception:
        return False


def _match(content: bytes, published: bytes) -> str | None:
    """How the signed file contains the published one: "revision", "text", or None."""
    original = published.rstrip(b"\r\n \t\x00")
    incremental = content.startswith(original) and (
        len(content) == len(original) or content[len(original) : len(original) + 1].isspace()
    )
    # Even on top of the published revision, updates appended before signing could change
    # what the pages say: the text must still be the published text.
    signed_pages, published_pages = page_texts(content), page_texts(published)
    same_text = signed_pages is not None and signed_pages == published_pages
    if incremental and (same_text or published_pages is None):
        return "revision"
    if same_text and published_pages and any(published_pages):
        return "text"
    return None


def page_texts(content: bytes) -> list[str] | None:
    """Every page's text with whitespace collapsed (None: the file cannot be read)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        return [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def _common_name(certificate) -> str:
    subject = certificate.subject.native
    name = subject.get("common_name") or " ".join(
        part for part in (subject.get("given_name"), subject.get("surname")) if part
    )
    return str(name or certificate.subject.human_friendly)[:200]


def _signing_time(signature) -> dt.datetime | None:
    moment = signature.self_reported_timestamp
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment
