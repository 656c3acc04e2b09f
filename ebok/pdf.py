"""PDF rendering with WeasyPrint: a Django template in, PDF bytes out, nothing fetched.

Documents are always rendered in Polish (invoices and schedules are legal documents in Polish
whatever the reader's UI language). Fonts come from the system (Liberation Sans, Arial's
metrics, then DejaVu Sans; both have every Polish glyph); the templates name a font stack and
never load anything from the network.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from xml.etree import ElementTree

from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation
from num2words import num2words

from ebok.money import to_money

PDF_CONTENT_TYPE = "application/pdf"

logger = logging.getLogger(__name__)


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    # Templates are ours and self-contained; a URL in rendered data must never be fetched.
    raise ValueError(f"PDF rendering does not fetch resources ({url[:40]})")


_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


@functools.lru_cache(maxsize=1)
def _inline_fetcher():
    """Fetches `data:` URIs only (an image inlined by the template, e.g. a QR code as PNG);
    any other URL is refused, so nothing is read from the network or the disk."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",))


@functools.lru_cache(maxsize=1)
def _font_config():
    """One font configuration per process: a new one per render (WeasyPrint's default) starts
    a fresh Pango font map, so every render looked up and measured its fonts again (a fifth
    of an invoice's render). The documents declare no `@font-face`, so sharing it is safe."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@functools.lru_cache(maxsize=16)
def _stylesheet(css: str):
    """A document's stylesheet, parsed once per process (the same for every invoice)."""
    from weasyprint import CSS

    return CSS(string=css, url_fetcher=_refuse_fetch)


# WeasyPrint's user-agent stylesheet styles pseudo-elements of *every* element: `::marker`,
# `::footnote-call`, `::footnote-marker`, `::note-call`, `::note-marker`, `::note-callback`.
# Each such rule made it compute one more style per element (six per `<td>`), a twentieth of an
# invoice's render, for lists, footnotes and notes our documents never have. The documents use
# the same stylesheet without those rules; they render pixel for pixel the same
# (tests/ebok/test_pdf_user_agent.py).
UNIVERSAL_PSEUDO_RULES = ("::marker", "::footnote-", "::note-")


def documents_user_agent_css() -> str:
    """WeasyPrint's user-agent stylesheet without the rules that start with a universal
    `::marker` / `::footnote-*` / `::note-*` selector; every other rule kept as it is."""
    import tinycss2
    from weasyprint.html import UA

    kept = []
    for rule in tinycss2.parse_stylesheet(UA, skip_comments=True, skip_whitespace=True):
        prelude = tinycss2.serialize(getattr(rule, "prelude", None) or []).strip()
        if rule.type == "qualified-rule" and prelude.startswith(UNIVERSAL_PSEUDO_RULES):
            continue
        kept.append(rule.serialize())
    return "\n".join(kept)


class MalformedDocument(ValueError):
    """Markup `parse_document` does not take; WeasyPrint's own parser reads it instead."""


# Elements with no end tag, and those whose start closes an open `<p>` in HTML5 (a paragraph
# holding one is read differently by an HTML5 parser: refused here).
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
_CLOSES_P = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "details",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "ul",
    ]
)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tree = ElementTree.TreeBuilder()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _CLOSES_P and "p" in self.open:
            raise MalformedDocument(f"<{tag}> inside <p>")
        if tag in ("thead", "tbody", "tfoot") and self.open[-1:] == ["tbody*"]:
            raise MalformedDocument(f"<{tag}> after rows outside a row group")
        if tag == "tr" and self.open[-1:] == ["table"]:
            self._start("tbody", {}, implied=True)  # as an HTML5 parser adds it
        if tag == "col" and self.open[-1:] != ["colgroup"]:
            raise MalformedDocument("<col> outside <colgroup>")
        attributes: dict[str, str] = {}
        for name, value in attrs:
            attributes.setdefault(name, value or "")  # the first of a repeated attribute
        self._start(tag, attributes)
        if tag in _VOID:
            self._end(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag not in _VOID:  # `<div/>` opens a div in HTML5
            raise MalformedDocument(f"<{tag}/>")
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if tag == "table" and self.open[-1:] == ["tbody*"]:
            self._end("tbody*")
        if self.open[-1:] != [tag]:
            raise MalformedDocument(f"</{tag}> closes <{self.open[-1] if self.open else ''}>")
        self._end(tag)

    def handle_data(self, data: str) -> None:
        if self.open:  # text outside <html> is dropped, as HTML5 does with whitespace there
            self.tree.data(data.replace("\r\n", "\n").replace("\r", "\n"))

    def _start(self, tag: str, attributes: dict, implied: bool = False) -> None:
        self.open.append(f"{tag}*" if implied else tag)
        self.tree.start(tag, attributes)

    def _end(self, tag: str) -> None:
        self.open.pop()
        self.tree.end(tag.rstrip("*"))


def parse_document(html: str) -> ElementTree.Element:
    """A document's HTML as the tree WeasyPrint's parser (tinyhtml5, a pure-Python HTML5
    parser) makes of it, read by the standard library's tokenizer in a fifth of the time (a
    twentieth of an invoice's render). For the markup our templates write: `<html>` with a
    `<head>` and a `<body>`, every element closed in order; implied `<tbody>` added as HTML5
    does. Anything else raises `MalformedDocument` (tests/ebok/test_pdf_parser.py compares
    the two trees and the pages of every kind of document)."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    if builder.open:
        raise MalformedDocument(f"<{builder.open[-1]}> not closed")
    root = builder.tree.close()
    if root.tag != "html" or [child.tag for child in root] != ["head", "body"]:
        raise MalformedDocument("not <html> with a <head> and a <body>")
    return root


@functools.lru_cache(maxsize=1)
def _document_class():
    """WeasyPrint's `HTML` with the documents' user-agent stylesheet (built once), reading
    our templates' markup with `parse_document` (WeasyPrint's parser for anything else)."""
    import cssselect2
    from weasyprint import CSS, HTML

    user_agent = CSS(string=documents_user_agent_css(), counter_style={})

    class Document(HTML):
        def __init__(self, *, string: str, url_fetcher: Any) -> None:
            try:
                root = parse_document(string)
            except MalformedDocument as error:
                logger.debug("PDF markup read by WeasyPrint's parser: %s", error)
                super().__init__(string=string, url_fetcher=url_fetcher)
                return
            # What `HTML.__init__` sets for a string with no base URL and no <base>.
            self.base_url = None
            self.url_fetcher = url_fetcher
            self.media_type = "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms: bool = False) -> list:
            return [user_agent]

    return Document


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """The template's `<style>` is parsed once per process and handed to WeasyPrint as the
    document's only stylesheet (it still overrides the user agent's): parsing it on every
    render was a tenth of an invoice's render time."""
    with translation.override("pl"):
        html = render_to_string(template_name, context)
    stylesheets = []
    if match := _STYLE.search(html):
        stylesheets.append(_stylesheet(match.group(1)))
        html = html[: match.start()] + html[match.end() :]
    # Imported lazily (WeasyPrint loads Pango at import time).
    document = _document_class()(string=html, url_fetcher=_inline_fetcher())
    return document.write_pdf(stylesheets=stylesheets, font_config=_font_config())


_WARM_UP_TEMPLATE = """{% extends "pdf/base.html" %}{% block body %}
<div class="head"><div class="brand">eBOK</div>
<div class="doc"><h1>Faktura VAT 1/2026</h1></div></div>
<div class="parties"><div class="party"><div class="name">Zażółć gęślą jaźń</div></div>
<div class="party">ZAŻÓŁĆ GĘŚLĄ JAŹŃ <strong>1 234,56 zł</strong></div></div>
<h2>Pozycje</h2><table class="grid"><thead><tr><th>Lp.</th><th>Nazwa</th></tr></thead>
<tbody><tr><td class="center">1</td><td class="num">1 234,56</td></tr></tbody></table>
<div class="box"><span class="due">Do zapłaty</span> <span class="muted">przelew</span></div>
{% endblock %}"""


# The apps' own documents, rendered once by `warm_up` (see `register_warm_up`).
_warm_ups: dict[str, Callable[[], object]] = {}


def register_warm_up(key: str, render: Callable[[], object]) -> None:
    """Add (or, for the same key, replace) a sample of an app's document that `warm_up`
    renders: its template compiled, its fonts, sizes and layout paths loaded, whatever it
    imports imported. `render` touches no database (a worker may start before it is up)."""
    _warm_ups[key] = render


# WeasyPrint subsets each font of a PDF with HarfBuzz, handing it the glyphs as a C array made
# by `ffi.new(f"hb_codepoint_t[{count}]", ...)`. cffi parses every new array length with
# pycparser (several milliseconds each, measured 4-10 ms) and keeps the result, so a worker paid
# that again for each glyph count it had not met yet: for months of invoices, two or three
# parses in most first renders. `_prime_glyph_arrays` makes those array types once, without the
# parser (a few µs each), for every count up to the size of a large font.
GLYPH_ARRAY_LENGTHS = 8192


def _prime_glyph_arrays(limit: int = GLYPH_ARRAY_LENGTHS) -> int:
    """Fill cffi's cache of parsed types with `hb_codepoint_t[0..limit]`; returns how many were
    added. Uses cffi's cache the way `FFI._typeof` does; if a future cffi changes it, nothing
    is primed and rendering stays correct (only the first renders are slower)."""
    from weasyprint.text.ffi import ffi

    try:
        pointer = ffi.typeof("hb_codepoint_t *")
        new_array_type = ffi._backend.new_array_type
        parsed = ffi._parsed_types
    except AttributeError:  # pragma: no cover - another cffi
        return 0
    added = 0
    for length in range(limit + 1):
        key = f"hb_codepoint_t[{length}]"
        if key not in parsed:
            parsed[key] = (new_array_type(pointer, length), False)
            added += 1
    return added


def warm_up() -> None:
    """Render a small document and each registered sample once, so a worker's first real PDF
    does not pay for loading WeasyPrint, Pango and the fonts, compiling its template and
    everything else a first render does (over half a second in all).

    Called when a worker process starts (gunicorn's `post_worker_init` in gunicorn.conf.py,
    Celery's `worker_process_init` in ebok/celery.py), never at import or in tests. A failure
    is logged and left to the first real render to report.
    """
    from django.conf import settings

    try:
        _prime_glyph_arrays()
    except Exception:
        logger.warning("PDF warm-up: glyph arrays not primed", exc_info=True)
    try:
        # The documents' layout with a bit of everything they use (bold and regular faces,
        # headings, a table), so every font and layout path is loaded.
        html = engines["django"].from_string(_WARM_UP_TEMPLATE).render({"seller": settings.LESSOR})
        document = _document_class()(string=html, url_fetcher=_refuse_fetch)
        document.write_pdf(font_config=_font_config())
    except Exception:  # a warm-up must never stop a worker from starting
        logger.warning("PDF warm-up failed", exc_info=True)
    for key, render in _warm_ups.items():
        try:
            render()
        except Exception:
            logger.warning("PDF warm-up of %s failed", key, exc_info=True)


def zloty_form(whole: int) -> str:
    """Polish plural of "złoty": 1 złoty, 2–4 złote (not 12–14), otherwise złotych."""
    if whole == 1:
        return "złoty"
    if whole % 10 in (2, 3, 4) and whole % 100 not in (12, 13, 14):
        return "złote"
    return "złotych"


def amount_in_words(amount: Decimal) -> str:
    """`1234.56` -> `jeden tysiąc dwieście trzydzieści cztery złote 56/100`."""
    amount = to_money(amount)
    sign = "minus " if amount < 0 else ""
    whole = int(abs(amount))
    grosze = int((abs(amount) - whole) * 100)
    words = num2words(whole, lang="pl")
    if words.startswith(("tysiąc", "milion", "miliard")):
        # Invoices spell out the leading "one" so nothing can be written in front of it.
        words = f"jeden {words}"
    return f"{sign}{words} {zloty_form(whole)} {grosze:02d}/100"


def format_quantity(value: Decimal) -> str:
    """`1.000` -> `1`, `2.500` -> `2,5` (Polish decimal comma)."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")
