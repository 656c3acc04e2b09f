"""Reading a JSON Lines batch file line by line (memory does not grow with the file)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.utils.translation import gettext as _

from .runner import Item

# A line longer than this is refused without being parsed (one record, not a file).
MAX_LINE_BYTES = 1024 * 1024


# One decoder for every line (`json.loads` with `parse_float` builds a new one each call).
_DECODER = json.JSONDecoder(parse_float=Decimal)


def parse_record(text: str | bytes):
    if isinstance(text, bytes | bytearray):
        text = text.decode(json.detect_encoding(text), "surrogatepass")  # as json.loads
    return _DECODER.decode(text)


def read_lines(lines: Iterable[bytes]) -> Iterator[Item]:
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        if len(line) > MAX_LINE_BYTES:
            yield Item(position=number, parse_error=_("Wiersz jest za długi."))
            continue
        try:
            yield Item(position=number, raw=parse_record(line))
        except (ValueError, UnicodeDecodeError) as error:
            yield Item(
                position=number,
                parse_error=_("Wiersz nie jest poprawnym JSON-em: %(error)s") % {"error": error},
            )
