"""Status badges in the tables are never clipped: the invoice list's "częściowo zapłacona"
next to "po terminie" fits a 1366 px desktop and a 375 px phone."""

from __future__ import annotations

import pytest

from tests.browser.test_layout import DESKTOP, PHONE, SCREENSHOTS, large_company  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Badges whose box sticks out of an ancestor that clips or scrolls (the table's frame), or
# whose text is wider than the badge itself.
CLIPPED_BADGES = """() => [...document.querySelectorAll("td .badge")].filter(badge => {
  const box = badge.getBoundingClientRect();
  for (let p = badge.parentElement; p && p !== document.body; p = p.parentElement) {
    if (getComputedStyle(p).overflowX === "visible") continue;
    const frame = p.getBoundingClientRect();
    if (box.right > frame.right + 0.5 || box.left < frame.left - 0.5) return true;
  }
  return badge.scrollWidth > badge.clientWidth + 1;
}).map(badge => badge.textContent.trim())"""

SIDEWAYS_TABLES = """() => [...document.querySelectorAll(".table-responsive")]
  .filter(frame => frame.scrollWidth > frame.clientWidth + 1).length"""


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["375px", "1366px"])
def test_the_invoice_status_badges_are_never_clipped(
    signed_in_page,
    large_company,  # noqa: F811
    size,
):
    page = signed_in_page(large_company["admin"], path="/faktury/", **size)
    page.wait_for_load_state("networkidle")
    width = size["viewport"]["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"badges-{width}-invoices.png"), full_page=True)

    shown = page.locator("td .badge").all_inner_texts()
    assert any("częściowo" in text for text in shown)  # the long one is on the page
    assert page.evaluate(CLIPPED_BADGES) == []
    if width == 1366:
        assert page.evaluate(SIDEWAYS_TABLES) == 0
