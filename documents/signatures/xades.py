"""XAdES (detached, .xml) and ASiC containers (.asice / .asics), read with lxml.

A signature file must be well-formed XML (no DTDs, no entities, no network), carry a
ds:Signature with a signature value, and one of its references (not the signed properties)
must carry the digest of the published document. In an ASiC container the referenced data
object must also be the published document itself. The signer's name comes from the
certificate in ds:KeyInfo, the time from xades:SigningTime.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import zipfile

from django.utils.dateparse import parse_datetime

from . import SignatureCheck, broken, different, malformed, not_signed, trust

DS = "http://www.w3.org/2000/09/xmldsig#"
SIGNED_PROPERTIES = "http://uri.etsi.org/01903#SignedProperties"
_DIGESTS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
MAX_UNPACKED = 60 * 1024 * 1024


def _parse(content: bytes):
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        raise malformed() from None
    if root.getroottree().docinfo.doctype:
        raise malformed()
    return root


def _signatures(root):
    if root.tag == f"{{{DS}}}Signature":
        return [root]
    return root.findall(f".//{{{DS}}}Signature")


def _references(signature) -> list[tuple[str, str, bytes]]:
    """(URI, hash name, digest) of each data reference (signed properties left out)."""
    found = []
    for reference in signature.findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference"):
        if reference.get("Type") == SIGNED_PROPERTIES:
            continue
        method = reference.find(f"{{{DS}}}DigestMethod")
        value = reference.find(f"{{{DS}}}DigestValue")
        algorithm = _DIGESTS.get(method.get("Algorithm", "") if method is not None else "")
        if algorithm is None or value is None or not (value.text or "").strip():
            continue
        try:
            digest = base64.b64decode("".join(value.text.split()), validate=True)
        except (binascii.Error, ValueError):
            continue
        found.append((reference.get("URI", ""), algorithm, digest))
    return found


def _check(content: bytes, *, published: bytes, number: int, kind: str, files=None):
    root = _parse(content)
    signatures = _signatures(root)
    if not signatures:
        raise not_signed()
    for signature in signatures:
        value = signature.find(f"{{{DS}}}SignatureValue")
        if value is None or not (value.text or "").strip():
            raise broken()
        references = _references(signature)
        if not references:
            raise broken()
        for uri, algorithm, digest in references:
            if digest != hashlib.new(algorithm, published).digest():
                continue
            if files is not None and files.get(uri.split("#")[0]) != published:
                continue
            certificate = _certificate(signature)
            return SignatureCheck(
                kind=kind,
                signer_name=_common_name(certificate),
                signed_at=_signing_time(signature),
                match="digest",
                trust=trust.check_trust(certificate),
            )
    raise different(number)


def verify_xades(content: bytes, *, published: bytes, number: int) -> SignatureCheck:
    return _check(content, published=published, number=number, kind="xades")


def verify_asic(content: bytes, *, published: bytes, number: int) -> SignatureCheck:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            if sum(entry.file_size for entry in entries) > MAX_UNPACKED:
                raise malformed()
            files = {entry.filename: archive.read(entry) for entry in entries}
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError):
        raise malformed() from None
    signature_files = [
        name
        for name in files
        if name.startswith("META-INF/") and "signature" in name.lower() and name.endswith(".xml")
    ]
    if not signature_files:
        raise not_signed()
    data = {name: body for name, body in files.items() if not name.startswith("META-INF/")}
    refused = None
    for name in signature_files:
        try:
            return _check(files[name], published=published, number=number, kind="asic", files=data)
        except Exception as error:
            refused = error
    raise refused


def _certificate(signature):
    from cryptography import x509

    element = signature.find(f".//{{{DS}}}X509Certificate")
    if element is None or not (element.text or "").strip():
        return None
    try:
        return x509.load_der_x509_certificate(base64.b64decode("".join(element.text.split())))
    except (ValueError, binascii.Error):
        return None


def _common_name(certificate) -> str:
    if certificate is None:
        return ""
    from cryptography.x509.oid import NameOID

    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value)[:200] if names else certificate.subject.rfc4514_string()[:200]


def _signing_time(signature) -> dt.datetime | None:
    for element in signature.iter():
        if isinstance(element.tag, str) and element.tag.endswith("}SigningTime"):
            try:
                moment = parse_datetime((element.text or "").strip())
            except ValueError:
                return None
            if moment is not None and moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            return moment
    return None
