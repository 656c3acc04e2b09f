"""Signed uploads are checked for real: PDFs signed with pyHanko by a test CA's certificate,
tampered ones, other documents, XAdES files and ASiC containers."""

from __future__ import annotations

import pytest

from documents.signatures import SignatureRefused, verify_signed

from .conftest import CONTRACT_TEXT, checked
from .pdfs import asic_e, rewritten, sign_pdf, simple_pdf, tampered, xades_detached

PUBLISHED = simple_pdf(*CONTRACT_TEXT)


def verify(content: bytes, name: str = "podpisana.pdf"):
    return verify_signed(checked(content, name), published=PUBLISHED, published_number=2)


def refusal(content: bytes, name: str = "podpisana.pdf") -> SignatureRefused:
    with pytest.raises(SignatureRefused) as caught:
        verify(content, name)
    return caught.value


def test_a_pdf_signed_incrementally_is_accepted_with_signer_and_time():
    check = verify(sign_pdf(PUBLISHED, who="Jan Kowalski"))
    assert check.kind == "pades"
    assert check.signer_name == "Jan Kowalski"
    assert check.signed_at is not None
    assert check.match == "revision"
    assert check.trust == "not_checked"  # the EU trusted lists are out of scope for now


def test_a_pdf_the_signing_tool_rewrote_is_accepted_when_every_page_reads_the_same():
    check = verify(sign_pdf(rewritten(PUBLISHED)))
    assert check.match == "text"


def test_an_unsigned_pdf_is_refused_as_not_signed():
    error = refusal(PUBLISHED)
    assert error.code == SignatureRefused.NOT_SIGNED
    assert "nie zawiera podpisu" in str(error.message)


def test_a_tampered_signed_pdf_is_refused_as_broken():
    error = refusal(tampered(sign_pdf(PUBLISHED)))
    assert error.code == SignatureRefused.BROKEN
    assert "uszkodzony" in str(error.message)


def test_a_signed_pdf_changed_after_signing_is_refused():
    error = refusal(sign_pdf(PUBLISHED) + b"\n% dopisane po podpisaniu\n")
    assert error.code == SignatureRefused.NOT_WHOLE


def test_a_signed_different_document_is_refused_naming_the_published_version():
    other = simple_pdf("Umowa leasingu operacyjnego UL/2026/00042", "Rata: 1,00 zl", "Strona 1")
    error = refusal(sign_pdf(other))
    assert error.code == SignatureRefused.DIFFERENT
    assert "wersja 2" in str(error.message)


def test_a_detached_xades_signature_of_the_published_document_is_accepted():
    check = verify(xades_detached(PUBLISHED), "umowa.pdf.xml")
    assert (check.kind, check.signer_name, check.match) == ("xades", "Jan Kowalski", "digest")
    assert check.signed_at.isoformat() == "2026-12-01T10:15:00+00:00"


def test_a_xades_signature_of_another_document_is_refused():
    error = refusal(xades_detached(simple_pdf("Inny dokument")), "inny.xml")
    assert error.code == SignatureRefused.DIFFERENT


def test_xml_without_a_signature_or_with_entities_is_refused():
    assert refusal(b"<?xml version='1.0'?><dokument/>", "a.xml").code == "not_signed"
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>'
    assert refusal(bomb, "a.xml").code == "malformed"


def test_an_asic_container_with_the_published_document_is_accepted():
    assert verify(asic_e(PUBLISHED), "umowa.asice").kind == "asic"


def test_an_asic_container_holding_another_document_is_refused():
    error = refusal(asic_e(simple_pdf("Inny dokument")), "umowa.asice")
    assert error.code == SignatureRefused.DIFFERENT
