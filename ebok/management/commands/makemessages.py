"""`makemessages` that leaves a clean catalogue unchanged: no source locations (they churn with
every edit elsewhere in a file) and no POT-Creation-Date (it changes with every run), so running
`make messages` on a clean checkout rewrites nothing."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management.commands import makemessages

_CREATION_DATE = re.compile(r'^"POT-Creation-Date: [^"]*\\n"\n', re.MULTILINE)


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["no_location"] = True
        return super().handle(*args, **options)

    def write_po_file(self, potfile, locale):
        super().write_po_file(potfile, locale)
        pofile = Path(potfile).parent / locale / "LC_MESSAGES" / f"{self.domain}.po"
        text = pofile.read_text(encoding="utf-8")
        pofile.write_text(_CREATION_DATE.sub("", text, count=1), encoding="utf-8")
