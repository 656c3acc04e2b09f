"""Where the qualified trust check plugs in (off for now).

A qualified electronic signature is one whose certificate chains to a qualified trust service
on the EU trusted lists (eIDAS). Checking that needs the lists (LOTL and the national TSLs),
refreshed regularly, and revocation data; it is out of scope for now. The upload checks call
`check_trust` once per accepted signature, so turning it on is this one function: build a
pyhanko_certvalidator ValidationContext from the trusted lists' certificates, validate the
path, and return "qualified" or raise `SignatureRefused`.
"""

from __future__ import annotations

NOT_CHECKED = "not_checked"


def check_trust(certificate) -> str:
    """`certificate`: the signer's certificate (cryptography's or asn1crypto's object)."""
    return NOT_CHECKED
