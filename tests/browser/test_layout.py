"""Every main page at a 375 px phone and a 1366 px desktop: nothing scrolls sideways, amounts stay
inside their tiles, axe-core (WCAG 2.1 AA) finds nothing serious or critical, the keyboard focus
is visible, and filters leave no empty parameters in the address bar.

A new page joins every check by one entry in `PORTAL_PAGES` (signed in) or `PUBLIC_PAGES`.
axe-core is vendored (tests/browser/vendor/axe-core, MPL-2.0), so the check runs offline.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from accounts.services import masked_password_set
from tests.accounts.browser_helpers import identify, type_characters
from tests.browser.layout_data import later_pages_data
from tests.factories import AdditionalFeeFactory, InsurancePolicyFactory, UserFactory
from tests.portal_helpers import company_invoice, invoice_installments, make_contract, pay, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PHONE = {"viewport": {"width": 375, "height": 812}}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PASSWORD = "Zielony#Las2026"

# The signed-in pages: (URL name, the object of `large_company` its URL takes, or a query
# string of `large_company` ("?..."), or None).
PORTAL_PAGES: list[tuple[str, str | None]] = [
    ("home", None),  # the dashboard
    ("contracts:list", None),
    ("contracts:detail", "contract"),  # the schedule tab
    ("invoices:contract_invoices", "contract"),
    ("contracts:contract_policies", "contract"),
    ("contracts:contract_fees", "contract"),
    ("contracts:installments", None),
    ("invoices:list", None),
    ("invoices:detail", "invoice"),
    ("invoices:payments", None),
    ("invoices:payment_detail", "payment"),
    ("contracts:policies", None),
    ("contracts:fees", None),
    ("accounts:profile", None),
    ("accounts:profile_contact", None),
    ("accounts:password_change", None),
    ("accounts:company_users", None),
    ("accounts:company_user", "user"),
    ("accounts:company_user_add", None),
    ("accounts:company_audit", None),
    ("accounts:company_user_notifications", "user"),
    ("accounts:inbox", None),
    ("accounts:notification_settings", None),
    ("requests_app:list", None),
    ("requests_app:new", None),
    ("requests_app:new", "travel_abroad"),  # the form of a chosen type, with its fieldsets
    ("requests_app:contact", None),
    ("requests_app:detail", "application"),
    ("documents:sign", None),
    ("documents:receive_list", None),
    ("documents:archive", None),
    ("documents:detail", "process"),
    ("online_payments:checkout", "overdue_scope"),  # the total and the transfer's QR code
    ("online_payments:demo_gateway", "order"),
    ("online_payments:result", "order"),
    ("fleet:vehicles", None),
    ("fleet:vehicle", "vehicle"),  # the timeline, the cost chart, the claims contact
    ("fleet:service", None),
    ("fleet:fuel", None),
    ("fleet:damages", None),
    ("fleet:costs", None),
    ("fleet:claim_report", None),
    ("fleet:claim_detail", "claim"),  # a claim reported in the portal, with a photo
]
# Pages seen signed out; "signin:password" and "signin:code" are the sign-in's later steps.
PUBLIC_PAGES = [
    "accounts:signin",
    "signin:password",
    "signin:code",
    "accounts:password_reset",
    "accounts:access_application",
    "404",
    "accounts:registration",
    "accounts:registration_sent",
    "registration:activate",  # opened from the e-mailed link
    "registration:phone",
]


@pytest.fixture
def large_company(company, settings):
    """A company the size of the demo's large one where it matters: amounts in the millions,
    a 60-installment schedule, overdue invoices, payments, fees and policies."""
    settings.INVOICE_PDF_ON_ISSUE = False  # the stored PDFs play no part here; they take time
    company.email = "ksiegowosc.dzial.rozliczen@przedsiebiorstwo-transportowe.example.pl"
    company.save()
    admin = UserFactory(
        company=company,
        is_company_admin=True,
        first_name="Barbara",
        email="barbara.kowalczyk-wisniewska@przedsiebiorstwo-transportowe.example.pl",
    )
    masked_password_set(user=admin, password=PASSWORD)
    contracts = [
        make_contract(
            company,
            months=60,
            start=today() - relativedelta(months=months_ago),
            number=f"LO/2026/9{n:04d}",
            net_value=Decimal("48500000.00"),
            initial_payment=Decimal("4850000.00"),
            buyout_value=Decimal("485000.00"),
        )
        for n, months_ago in enumerate((8, 5, 2))
    ]
    invoices = [i for c in contracts for i in invoice_installments(c, through=today())]
    pay(company, sum(i.gross for i in invoices[:5]) + Decimal("1234567.89"))
    payment = pay(company, "1691411.25", title="Raty leasingowe – przelew zbiorczy")
    payable = company_invoice(company, "980.00", due=today() + dt.timedelta(days=10))
    for contract in contracts:
        AdditionalFeeFactory(
            contract=contract,
            charged_on=today() - dt.timedelta(days=20),
            net=Decimal("1250000.00"),
            vat=Decimal("287500.00"),
            gross=Decimal("1537500.00"),
        )
        InsurancePolicyFactory(
            contract=contract,
            valid_from=today() - dt.timedelta(days=340),
            valid_to=today() + dt.timedelta(days=25),
            sum_insured=Decimal("59655000.00"),
        )
    return {
        **later_pages_data(company, admin, contracts[0], payable),
        "admin": admin,
        "contract": contracts[0],
        "invoice": max(invoices, key=lambda i: i.gross),
        "payment": payment,
        "user": UserFactory(company=company, email="k.lewandowska@example.pl"),
    }


def portal_url(name: str, key: str | None, data) -> tuple[str, str]:
    """(the page's path, its label in the report and the screenshot's name)."""
    value = data[key] if key else None
    if value is None:
        return reverse(name), name
    if isinstance(value, str):
        return reverse(name) + value, f"{name}-{key}"
    return reverse(name, args=[getattr(value, "public_id", value.pk)]), name


def open_public_page(page, base: str, name: str, data) -> None:
    user = data["admin"]
    if name == "404":
        page.goto(base + "/nie-ma-takiej-strony/")
    elif name.startswith("registration:"):
        page.context.clear_cookies()
        page.goto(base + reverse("accounts:registration_link", args=[data["registration_token"]]))
        if name == "registration:phone":
            page.goto(base + reverse("accounts:registration_phone"))
    elif name.startswith("signin:"):
        page.context.clear_cookies()
        identify(page, base, user)
        if name == "signin:code":
            type_characters(page, PASSWORD)
            expect(page).to_have_url(re.compile(r"/logowanie/kod-sms/$"))
    else:
        page.goto(base + reverse(name))


def sideways_overflow(page) -> str:
    """ "" when the page fits its width, else the width and the elements that stick out."""
    return page.evaluate(
        """() => {
          const root = document.scrollingElement;
          if (root.scrollWidth <= root.clientWidth) return "";
          const out = [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1)
            .slice(0, 5).map(e => e.tagName.toLowerCase() + "." + [...e.classList].join("."));
          return `scrollWidth ${root.scrollWidth} > ${root.clientWidth}: ${out.join(", ")}`;
        }"""
    )


def spilled_amounts(page) -> list[str]:
    """Totals and balances whose text is wider than their tile."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
              ".ebok-total, .ebok-total-value, .ebok-balance-amount, .ebok-count")]
          .filter(e => e.scrollWidth > e.clientWidth + 1)
          .map(e => e.className + ": " + e.textContent.trim())"""
    )


def axe_problems(page) -> list[str]:
    """axe-core's serious and critical violations (WCAG 2.1 AA and best practice)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the driver: CSP does not apply
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
          .filter(v => v.impact === "serious" || v.impact === "critical")
          .map(v => `${v.impact} ${v.id} (${v.nodes.length}×): ` +
                    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "))"""
    )
    return violations


def check_every_page(page, base: str, data, *, width: int) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}

    def check(label: str) -> None:
        page.wait_for_load_state("networkidle")
        found = []
        if width == 375 and (overflow := sideways_overflow(page)):
            found.append(overflow)
        found += [f"spills out: {text}" for text in spilled_amounts(page)]
        found += axe_problems(page)
        if found:
            problems[label] = found
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"layout-{width}-{label.replace(':', '-')}.png"
        page.screenshot(path=str(shot), full_page=True)

    for name, key in PORTAL_PAGES:
        path, label = portal_url(name, key, data)
        page.goto(base + path)
        check(label)
    for name in PUBLIC_PAGES:
        open_public_page(page, base, name, data)
        check(name)
    return problems


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["375px", "1366px"])
def test_every_main_page_fits_and_axe_finds_nothing_serious(
    signed_in_page, live_server, large_company, size
):
    page = signed_in_page(large_company["admin"], **size)
    width = size["viewport"]["width"]
    problems = check_every_page(page, live_server.url, large_company, width=width)
    assert not problems, "\n".join(f"{page}: {found}" for page, found in problems.items())


def test_the_long_schedule_is_compact_on_a_phone(signed_in_page, large_company):
    contract = large_company["contract"]
    page = signed_in_page(large_company["admin"], path=f"/umowy/{contract.pk}/", **PHONE)
    rows = page.locator("#tab-results tbody tr")
    expect(rows).to_have_count(60)
    heights = rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().height)")
    assert max(heights) < 90, heights  # two lines, not a card of nine
    expect(rows.first.locator("td").nth(2)).to_be_hidden()  # capital: in the PDF and Excel
    expect(rows.first.locator("td").nth(6)).to_be_visible()  # gross
    expect(
        page.get_by_text("Na telefonie: numer raty, termin, kwota brutto i status.")
    ).to_be_visible()


def test_the_tab_strip_scrolls_with_the_current_tab_in_view(signed_in_page, large_company):
    contract = large_company["contract"]
    page = signed_in_page(large_company["admin"], path=f"/umowy/{contract.pk}/oplaty/", **PHONE)
    strip = page.locator(".ebok-tabs").first
    assert strip.evaluate("s => s.scrollWidth > s.clientWidth")  # it does scroll sideways
    page.wait_for_load_state("load")
    current = page.get_by_role("tab", selected=True)
    expect(current).to_contain_text("Opłaty")
    strip_box, tab_box = strip.bounding_box(), current.bounding_box()
    assert strip_box["x"] <= tab_box["x"]
    assert tab_box["x"] + tab_box["width"] <= strip_box["x"] + strip_box["width"] + 1


def test_every_control_shows_where_the_keyboard_is(signed_in_page, large_company):
    page = signed_in_page(large_company["admin"], **DESKTOP)
    seen = []
    for _ in range(80):  # every tab stop of the dashboard, to the end of the page
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement, s = getComputedStyle(e);
              if (e === document.body) return null;
              return {what: e.tagName + "." + e.className + " " + e.textContent.trim().slice(0, 30),
                      ring: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2}; }"""
        )
        if focused is None:
            break
        seen.append(focused["what"])
        assert focused["ring"], f"no focus ring on {focused['what']}"
    assert any("ebok-user-button" in what for what in seen), seen  # the user menu among them


def test_the_main_menu_keeps_to_one_row_on_desktops(signed_in_page, large_company):
    """Every entry of a company admin with a fleet on one row at 1024 and 1366 px, in Polish and
    in English; the inbox with its unread count sits in the top bar on every width."""
    page = signed_in_page(large_company["admin"], **DESKTOP)
    for language, inbox in (("pl", "Wiadomości"), ("en", "Messages")):
        if language == "en":
            page.get_by_role("button", name="English").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        for width in (1024, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            links = page.locator(".ebok-mainnav .nav-link")
            expect(links).to_have_count(10)  # "Flota" and the company's users among them
            tops = links.evaluate_all(
                "links => links.map(link => Math.round(link.getBoundingClientRect().top))"
            )
            assert len(set(tops)) == 1, f"{language}, {width} px: rows at {sorted(set(tops))}"
            top_bar = page.get_by_role("banner")
            expect(top_bar.get_by_role("link", name=re.compile(rf"^{inbox}\b"))).to_be_visible()
    page.set_viewport_size(PHONE["viewport"])
    expect(
        page.get_by_role("banner").get_by_role("link", name=re.compile("^Messages"))
    ).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_filters_leave_no_empty_parameters_in_the_address(signed_in_page, large_company):
    page = signed_in_page(large_company["admin"], path="/faktury/", **DESKTOP)
    page.get_by_label("Status").select_option("overdue")
    page.wait_for_url(re.compile(r"status=overdue"))
    expect(page.locator("#invoice-list tbody tr").first).to_be_visible()
    query = parse_qs(urlsplit(page.url).query, keep_blank_values=True)
    assert query["status"] == ["overdue"]
    assert all(all(values) for values in query.values()), page.url  # no "q=&date_from=&…"

    page.get_by_label("Status").select_option("")
    page.wait_for_url(lambda url: "status" not in url)
    query = parse_qs(urlsplit(page.url).query, keep_blank_values=True)
    assert all(all(values) for values in query.values()), page.url


def test_an_empty_list_says_why_and_offers_to_clear_the_filters(signed_in_page, large_company):
    page = signed_in_page(large_company["admin"], path="/faktury/?q=ZZZ-NIE-MA", **DESKTOP)
    empty = page.get_by_role("status").filter(has_text="Żadna pozycja nie pasuje")
    expect(empty).to_be_visible()
    empty.get_by_role("link", name="Wyczyść filtry").click()
    page.wait_for_url(re.compile(r"/faktury/$"))
    expect(page.locator("#invoice-list tbody tr").first).to_be_visible()


def test_the_404_button_icon_is_the_size_of_its_text(live_server, page):
    page.goto(live_server.url + "/nie-ma-takiej-strony/")
    button = page.get_by_role("link", name="Wróć na stronę główną")
    icon_size = button.locator(".bi").evaluate("i => parseFloat(getComputedStyle(i).fontSize)")
    text_size = button.evaluate("b => parseFloat(getComputedStyle(b).fontSize)")
    assert icon_size == text_size


# Pages with forms and threads added after the first focus check (which tabs the dashboard).
FORM_PAGES = [
    ("requests_app:list", None),
    ("requests_app:new", "travel_abroad"),
    ("requests_app:contact", None),
    ("requests_app:detail", "application"),
    ("documents:sign", None),
    ("documents:detail", "process"),
    ("accounts:inbox", None),
    ("accounts:notification_settings", None),
    ("accounts:company_user_notifications", "user"),
    ("online_payments:checkout", "overdue_scope"),
    ("online_payments:demo_gateway", "order"),
    ("fleet:claim_report", None),
]


def controls_without_a_ring(page, *, stops: int = 150) -> list[str]:
    """Tab through the page: the controls whose focus shows neither an outline nor a ring.
    A field focused on load (autofocus) is the first one checked."""
    missing, first = [], None
    for stop in range(stops):
        if stop or page.evaluate("document.activeElement === document.body"):
            page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement;
              if (e === document.body) return null;
              e.getAnimations().forEach(a => a.finish());  // the ring as it ends up
              const s = getComputedStyle(e), shadow = s.boxShadow;
              return {what: e.tagName + "#" + e.id + "." + e.className + " " +
                            (e.textContent || e.name || "").trim().slice(0, 30),
                      ring: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2)
                            || (shadow !== "none" && !shadow.startsWith("rgba(0, 0, 0, 0)"))}; }"""
        )
        if focused is None or focused["what"] == first:
            break
        first = first or focused["what"]
        if not focused["ring"]:
            missing.append(focused["what"])
    return missing


def test_every_control_of_the_form_pages_shows_where_the_keyboard_is(
    signed_in_page, live_server, large_company
):
    page = signed_in_page(large_company["admin"], **DESKTOP)
    missing = {}
    for name, key in FORM_PAGES:
        path, label = portal_url(name, key, large_company)
        page.goto(live_server.url + path)
        if found := controls_without_a_ring(page):
            missing[label] = found
    page.context.clear_cookies()
    for name in ("accounts:registration", "registration:activate", "registration:phone"):
        open_public_page(page, live_server.url, name, large_company)
        if found := controls_without_a_ring(page):
            missing[name] = found
    assert not missing, missing


def test_overdue_amounts_are_red_in_the_tables_too(signed_in_page, large_company):
    page = signed_in_page(large_company["admin"], path="/faktury/?status=overdue", **DESKTOP)
    cell = page.locator("#invoice-list tbody td.ebok-overdue").first
    expect(cell).to_be_visible()
    red = page.evaluate(
        """() => { const probe = document.createElement("span");
          probe.style.color = "var(--ebok-red)"; document.body.append(probe);
          return getComputedStyle(probe).color; }"""
    )
    assert cell.evaluate("td => getComputedStyle(td).color") == red
