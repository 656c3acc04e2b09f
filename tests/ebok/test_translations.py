"""English is complete: every string in the code has a reviewed translation, the committed .mo
is compiled from the .po, and the main pages read in English with no Polish UI text left."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from contracts.models import AdditionalFee
from invoices.models import InvoiceLine, Payment
from tests.downloads import read_xlsx, streamed
from tests.factories import AdditionalFeeFactory, InsurancePolicyFactory
from tests.portal_helpers import (
    client_user,
    invoice_installments,
    make_contract,
    pay,
    signed_in,
    text,
    today,
)

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
# The same scope as `make messages`: the project's code and templates, not tests or tools.
IGNORED = {".venv", "tests", "bench", "var"}


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file as gettext writes it (one blank line between entries),
    without the header and the obsolete `#~` ones."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        parts: dict[str, list[str]] = {}  # "msgid", "msgstr[1]", ... -> its quoted pieces
        flags: set[str] = set()
        last: list[str] = []
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith('"'):
                last.append(ast.literal_eval(line))
            elif not line.startswith("#"):
                keyword, _, value = line.partition(" ")
                last = parts[keyword.replace("msgstr[", "msgstr").rstrip("]")] = [
                    ast.literal_eval(value)
                ]
        text_of = {keyword: "".join(pieces) for keyword, pieces in parts.items()}
        if text_of.get("msgid"):
            entries.append(
                Entry(
                    msgid=text_of["msgid"],
                    msgid_plural=text_of.get("msgid_plural"),
                    msgctxt=text_of.get("msgctxt"),
                    msgstr={
                        int(keyword[6:] or 0): value
                        for keyword, value in text_of.items()
                        if keyword.startswith("msgstr")
                    },
                    flags=flags,
                )
            )
    return entries


def unfinished(entries: list[Entry]) -> list[str]:
    return [
        e.msgid for e in entries if "fuzzy" in e.flags or not e.msgstr or not all(e.msgstr.values())
    ]


PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|\{\w*\}")


def test_the_committed_catalogue_is_complete_and_compiled():
    entries = parse_po(PO_FILE)
    assert len(entries) > 500  # the parser read the real catalogue
    assert unfinished(entries) == [], "untranslated or fuzzy entries in django.po"

    with MO_FILE.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    stale = []
    for e in entries:
        if e.msgid_plural is None:
            if compiled.get(e.key()) != e.msgstr[0]:
                stale.append(e.msgid)
        elif any(compiled.get((e.key(), n)) != text_ for n, text_ in e.msgstr.items()):
            stale.append(e.msgid)
    assert stale == [], "django.mo is older than django.po: run compilemessages"


def test_translations_keep_the_placeholders():
    wrong = []
    for e in parse_po(PO_FILE):
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        for n, translated in e.msgstr.items():
            source = sources[min(n, len(sources) - 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
                wrong.append((e.msgid, translated))
    assert wrong == []


def copy_sources(root: Path, target: Path) -> None:
    """The files makemessages reads for the "django" domain, minus the ignored folders."""
    for folder, subfolders, files in os.walk(root):
        here = Path(folder)
        subfolders[:] = [
            name
            for name in subfolders
            if not name.startswith(".")
            and (here / name).relative_to(root).as_posix() not in IGNORED
        ]
        for name in files:
            if name.endswith((".py", ".html", ".txt")):
                relative = (here / name).relative_to(root)
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(here / name, target / relative)


def test_every_string_in_the_code_has_an_english_translation(tmp_path, settings):
    """makemessages over a copy of the code, merged into a copy of the catalogue: a string
    added or changed in the code without its translation shows up as untranslated or fuzzy.
    (makemessages writes into every `locale` folder it finds, hence the copy.)"""
    if shutil.which("xgettext") is None:
        pytest.fail("gettext is not installed (make system-deps)")
    root = Path(settings.BASE_DIR)
    copy_sources(root, tmp_path)
    po_copy = tmp_path / PO_FILE.relative_to(root)
    po_copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(PO_FILE, po_copy)
    settings.LOCALE_PATHS = [tmp_path / LOCALE_DIR.relative_to(root)]
    committed = PO_FILE.read_bytes()
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        call_command("makemessages", locale=["en"], no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)

    assert PO_FILE.read_bytes() == committed  # only the copy was merged
    merged = parse_po(po_copy)
    assert len(merged) > 500  # the code was found
    assert unfinished(merged) == [], (
        "strings without an English translation: run `make messages`, translate, compile"
    )
    # `make messages` on a clean checkout must rewrite nothing: no churn of line locations or
    # creation dates in reviews, and a catalogue that is exactly what the code asks for.
    assert po_copy.read_bytes() == committed, "django.po is not what `make messages` writes"


# --- the pages, in English -------------------------------------------------------------------

POLISH_DIACRITICS = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")
POLISH_WORDS = re.compile(
    r"\b(Pulpit|Umowy|Umowa|Faktury|Faktura|Raty|Rata|Saldo|Wpłaty|Opłaty|Ubezpieczenia|"
    r"Zaloguj|Wyloguj|Szukaj|Filtruj|Wyczyść|Pobierz|Razem|Brutto|Netto|Termin|Kwota|"
    r"zapłaty|Nr klienta|Dzień dobry|brak|wszystkie|zł)\b"
)


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # what the PL/EN switch sets
    return client


def polish_left(page: str, data: list[str]) -> list[str]:
    """Polish words and letters on an English page, once the company's own data (names,
    addresses, invoice lines: Polish documents) is taken out."""
    for value in sorted(data, key=len, reverse=True):
        page = page.replace(value, " ")
    return POLISH_WORDS.findall(page) + POLISH_DIACRITICS.findall(page)


@pytest.fixture
def portal(company):
    contract = make_contract(company, months=12, start=today() - dt.timedelta(days=100))
    invoices = invoice_installments(contract, through=today() + dt.timedelta(days=40))
    pay(company, "100.00", invoice=invoices[0], title="Faktura za ratę")
    InsurancePolicyFactory(contract=contract, valid_to=today() + dt.timedelta(days=20))
    AdditionalFeeFactory(contract=contract, description="Duplikat dowodu rejestracyjnego")
    user = client_user(company, first_name="Anna", is_company_admin=True)
    data = [
        company.name,
        company.street,
        company.city,
        user.get_full_name(),
        *InvoiceLine.objects.values_list("description", flat=True),
        *AdditionalFee.objects.values_list("description", flat=True),
        *Payment.objects.values_list("title", flat=True),
    ]
    return {"user": user, "contract": contract, "invoice": invoices[0], "data": data}


def test_the_portal_pages_read_in_english(portal):
    client = english(signed_in(portal["user"]))
    urls = [
        "/",
        reverse("contracts:list"),
        reverse("contracts:detail", args=[portal["contract"].pk]),
        reverse("contracts:installments"),
        reverse("contracts:policies"),
        reverse("contracts:fees"),
        reverse("invoices:list"),
        reverse("invoices:detail", args=[portal["invoice"].pk]),
        reverse("invoices:payments"),
        reverse("accounts:profile"),
        reverse("accounts:company_users"),
        reverse("accounts:company_audit"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Language"] == "en", url
        assert polish_left(text(response), portal["data"]) == [], url

    dashboard = text(client.get("/"))
    assert "Dashboard" in dashboard and "Hello, Anna" in dashboard
    assert "PLN" in dashboard


def test_the_public_pages_read_in_english(db):
    client = english(Client())
    for url in ["/", reverse("accounts:signin"), reverse("accounts:password_reset")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert polish_left(text(response), []) == [], url
    assert "Sign in to eBOK" in text(client.get(reverse("accounts:signin")))


def test_the_same_pages_stay_polish_by_default(portal):
    page = text(signed_in(portal["user"]).get("/"))
    assert "Pulpit" in page and "Dzień dobry, Anna" in page and "zł" in page


def test_excel_headers_follow_the_interface_language(portal):
    client = signed_in(portal["user"])
    polish = read_xlsx(streamed(client.get(reverse("contracts:contracts_xlsx"))))
    english_sheet = read_xlsx(streamed(english(client).get(reverse("contracts:contracts_xlsx"))))

    assert polish["A1"].value == "Numer umowy"
    assert english_sheet["A1"].value == "Contract number"
    headers = " ".join(str(cell.value) for cell in english_sheet[1])
    assert polish_left(headers, []) == []
