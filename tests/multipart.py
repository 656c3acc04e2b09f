"""A multipart body with file names exactly as given: Django's test client keeps only a file
name's last part, while a real client (or an attacker) may send a whole path."""

from __future__ import annotations

import uuid


def multipart(
    fields: dict[str, str | list[str]], files: list[tuple[str, str, bytes]]
) -> tuple[bytes, str]:
    """The body and its content type; `files` are (field, file name as sent, content)."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
    for field, file_name, content in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{file_name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
