"""The documents' markup is read by `ebok.pdf.parse_document` (the standard library's HTML
tokenizer), not by WeasyPrint's pure-Python HTML5 parser: it must make the tree the HTML5 parser
makes of every kind of document, and hand anything it is not sure of to WeasyPrint's parser.
(That every document looks exactly as WeasyPrint alone renders it: test_pdf_user_agent.py.)"""

from __future__ import annotations

import pytest
import tinyhtml5
from weasyprint import HTML

from ebok import pdf
from tests.ebok.test_pdf_user_agent import _documents
from tests.factories import CompanyFactory


def _outline(element, depth: int = 0) -> list[str]:
    """The tree as WeasyPrint reads it: elements, attributes and text; whitespace between
    elements is left out (it makes no box)."""
    lines = [f"{'  ' * depth}<{element.tag} {sorted(element.attrib.items())}>"]
    if (element.text or "").strip():
        lines.append(f"{'  ' * depth}{element.text}")
    for child in element:
        if isinstance(child.tag, str):  # not a comment
            lines += _outline(child, depth + 1)
        if (child.tail or "").strip():
            lines.append(f"{'  ' * depth}{child.tail}")
    return lines


@pytest.mark.django_db
def test_every_kind_of_document_is_read_into_the_tree_an_html5_parser_makes(monkeypatch):
    read = []

    def spy(html):
        read.append(html)
        return parse_document(html)

    parse_document = pdf.parse_document
    monkeypatch.setattr(pdf, "parse_document", spy)
    documents = _documents(CompanyFactory(name="Żwirownia „Łęczna” & Syn <Sp. z o.o.>"))
    for render in documents.values():
        render()

    assert len(read) == len(documents)
    for html in read:
        html5 = tinyhtml5.parse(html, namespace_html_elements=False)
        assert _outline(parse_document(html)) == _outline(html5)


def test_it_makes_the_table_body_an_html5_parser_adds_and_reads_entities():
    root = pdf.parse_document(
        "<!doctype html><html><head><title>A &amp; B</title></head><body>"
        '<table class="facts"><tr><th>Kwota</th><td>1&nbsp;234,56&#160;zł</td></tr></table>'
        '<p data-x="&quot;1&quot;">a<br>b<img src="x" alt=""></p></body></html>'
    )
    html5 = tinyhtml5.parse(
        "<!doctype html><html><head><title>A &amp; B</title></head><body>"
        '<table class="facts"><tr><th>Kwota</th><td>1&nbsp;234,56&#160;zł</td></tr></table>'
        '<p data-x="&quot;1&quot;">a<br>b<img src="x" alt=""></p></body></html>',
        namespace_html_elements=False,
    )

    assert _outline(root) == _outline(html5)
    assert [element.tag for element in root.iter()][4:7] == ["table", "tbody", "tr"]
    assert root.find(".//td").text == "1\xa0234,56\xa0zł"


@pytest.mark.parametrize(
    "body",
    [
        "<p>Akapit<div>blok</div></p>",  # HTML5 closes the paragraph at the div
        "<ul><li>jeden<li>dwa</ul>",  # end tags left out
        "<div/>tekst",  # a div opened, not closed, in HTML5
        "<div><span>niedomknięty</div>",
        "<table><col><tr><td>1</td></tr></table>",  # a column outside its group
        "<table><tr><td>1</td></tr><tbody><tr><td>2</td></tr></tbody></table>",
        "<div>bez końca",
    ],
)
def test_markup_it_is_not_sure_of_is_left_to_weasyprints_parser(body):
    html = f"<!doctype html><html><head><title>x</title></head><body>{body}</body></html>"
    with pytest.raises(pdf.MalformedDocument):
        pdf.parse_document(html)

    document = pdf._document_class()(string=html, url_fetcher=pdf._inline_fetcher())

    html5 = tinyhtml5.parse(html, namespace_html_elements=False)
    assert _outline(document.etree_element) == _outline(html5)
    assert document.write_pdf().startswith(b"%PDF-")


def test_a_document_without_its_head_and_body_is_left_to_weasyprints_parser():
    with pytest.raises(pdf.MalformedDocument):
        pdf.parse_document("<p>Tylko akapit</p>")


def test_it_sets_up_the_document_as_weasyprints_own_reading_does():
    """`HTML.__init__` is bypassed: were WeasyPrint to set something more there, this fails."""
    html = "<!doctype html><html><head><title>x</title></head><body><p>Zażółć</p></body></html>"
    ours = pdf._document_class()(string=html, url_fetcher=pdf._inline_fetcher())
    theirs = HTML(string=html, url_fetcher=pdf._inline_fetcher())

    assert vars(ours).keys() == vars(theirs).keys()
    assert (ours.base_url, ours.media_type) == (theirs.base_url, theirs.media_type)
    assert ours.wrapper_element.in_html_document
