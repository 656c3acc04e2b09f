"""Real files for the document-exchange tests: PDFs, a test CA and signer (cryptography +
pyHanko), signed, tampered and encrypted PDFs, detached XAdES and ASiC containers."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore


def simple_pdf(*lines: str) -> bytes:
    """A one-page PDF with `lines` of Helvetica text (Latin-1)."""
    writer = PdfFileWriter()
    font = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Font"),
                generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
            }
        )
    )
    ops = ["BT /F1 12 Tf 72 760 Td 16 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = writer.add_object(generic.StreamObject(stream_data="\n".join(ops).encode("latin-1")))
    page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(x) for x in (0, 0, 595, 842)]
            ),
            generic.NameObject("/Resources"): generic.DictionaryObject(
                {
                    generic.NameObject("/Font"): generic.DictionaryObject(
                        {generic.NameObject("/F1"): font}
                    )
                }
            ),
            generic.NameObject("/Contents"): stream,
        }
    )
    writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass(frozen=True)
class SigningIdentity:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    ca_certificate: x509.Certificate

    @property
    def signer(self) -> signers.SimpleSigner:
        der = serialization.Encoding.DER
        cert = asn1_x509.Certificate.load(self.certificate.public_bytes(der))
        ca = asn1_x509.Certificate.load(self.ca_certificate.public_bytes(der))
        key = asn1_keys.PrivateKeyInfo.load(
            self.key.private_bytes(
                der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return signers.SimpleSigner(
            signing_cert=cert,
            signing_key=key,
            cert_registry=SimpleCertificateStore.from_certs([cert, ca]),
        )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "PL"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


@cache
def identity(common_name: str = "Jan Kowalski") -> SigningIdentity:
    """A test CA and a signing certificate for `common_name` issued by it (made once)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("eBOK Test CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return SigningIdentity(key=key, certificate=certificate, ca_certificate=ca)


def sign_pdf(content: bytes, *, who: str = "Jan Kowalski", field: str = "Podpis1") -> bytes:
    """`content` signed incrementally (PAdES) by `who`, as a signing tool would.

    In a thread of its own: pyHanko runs an asyncio loop, and a browser test's thread
    already runs Playwright's."""

    def sign() -> bytes:
        out = io.BytesIO()
        writer = IncrementalPdfFileWriter(io.BytesIO(content))
        signers.sign_pdf(
            writer,
            signers.PdfSignatureMetadata(field_name=field),
            signer=identity(who).signer,
            output=out,
        )
        return out.getvalue()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(sign).result()


def rewritten(content: bytes) -> bytes:
    """The same document written anew by another tool (different bytes, same pages)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(content)).pages:
        writer.add_page(page)
    writer.add_metadata({"/Producer": "Inne narzedzie 1.0"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def tampered(signed: bytes) -> bytes:
    """A signed PDF with one byte of its signed text changed (same length: the byte range
    still covers the file, the digest no longer matches)."""
    data = bytearray(signed)
    at = data.find(b"Umowa")
    assert at > 0
    data[at] = ord("X")
    return bytes(data)


def encrypted_pdf(content: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(content)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="tajne", owner_password="tajne")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def xades_detached(document: bytes, *, who: str = "Jan Kowalski", name: str = "umowa.pdf") -> bytes:
    """A detached XAdES signature file whose reference names `document`'s SHA-256 digest.

    The structure a signing tool writes (SignedInfo, SignatureValue, KeyInfo with the
    certificate, SigningTime); the value is an ECDSA signature over the digest.
    """
    ident = identity(who)
    digest = base64.b64encode(hashlib.sha256(document).digest()).decode()
    cert = base64.b64encode(ident.certificate.public_bytes(serialization.Encoding.DER)).decode()
    signed_info = (
        '<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/'
        'xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/'
        'xmldsig-more#ecdsa-sha256"/>'
        f'<ds:Reference URI="{name}"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/'
        f'xmlenc#sha256"/><ds:DigestValue>{digest}</ds:DigestValue></ds:Reference>'
        "</ds:SignedInfo>"
    )
    value = base64.b64encode(
        ident.key.sign(signed_info.encode(), ec.ECDSA(hashes.SHA256()))
    ).decode()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" '
        'xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Id="sig-1">'
        f"{signed_info}<ds:SignatureValue>{value}</ds:SignatureValue>"
        f"<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate>"
        "</ds:X509Data></ds:KeyInfo><ds:Object><xades:QualifyingProperties><xades:SignedProperties>"
        "<xades:SignedSignatureProperties><xades:SigningTime>2026-12-01T10:15:00Z"
        "</xades:SigningTime></xades:SignedSignatureProperties></xades:SignedProperties>"
        "</xades:QualifyingProperties></ds:Object></ds:Signature>"
    ).encode()


def asic_e(document: bytes, *, name: str = "umowa.pdf", who: str = "Jan Kowalski") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.etsi.asic-e+zip")
        archive.writestr(name, document)
        archive.writestr("META-INF/signatures0.xml", xades_detached(document, who=who, name=name))
    return out.getvalue()
