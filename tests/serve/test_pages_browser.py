"""The home, council and compare pages in a real browser (Debian's chromium via Playwright):
reached and used with the keyboard only, no console errors, nothing fetched from elsewhere, and
readable with JavaScript off."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from chromium import BROWSER_TESTS
from conftest import RunningServer

WESTMINSTER = "E09000033"

pytestmark = BROWSER_TESTS
sync_api = pytest.importorskip("playwright.sync_api")


@contextmanager
def _watched(browser: sync_api.Browser, url: str, **options: bool) -> Iterator[sync_api.Page]:
    """A page in a new context (``options`` for the context) that fails the test on console
    errors or requests anywhere but the server."""
    context = browser.new_context(base_url=url, **options)
    opened = context.new_page()
    errors: list[str] = []
    elsewhere: list[str] = []
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda e: errors.append(str(e)))
    opened.on("request", lambda r: None if r.url.startswith(url) else elsewhere.append(r.url))
    yield opened
    context.close()
    assert not elsewhere, f"a page reached beyond its server: {elsewhere}"
    assert not errors, errors


@pytest.fixture
def page(browser: sync_api.Browser, pages_server: RunningServer) -> Iterator[sync_api.Page]:
    """A page with scripts on."""
    with _watched(browser, pages_server.url, accept_downloads=True) as opened:
        yield opened


@pytest.fixture
def no_script(browser: sync_api.Browser, pages_server: RunningServer) -> Iterator[sync_api.Page]:
    """A page with JavaScript off."""
    with _watched(browser, pages_server.url, java_script_enabled=False) as opened:
        yield opened


def tab_to(page: sync_api.Page, selector: str, presses: int = 80) -> None:
    """Press Tab until ``selector`` has the focus (the keyboard is the only way in)."""
    target = page.locator(selector).first
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("node => node === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_from_home_to_a_council_by_typing_its_name(page: sync_api.Page) -> None:
    page.goto("/")
    page.wait_for_selector("html[data-ready=true]")
    tab_to(page, "#find-council")
    page.keyboard.type("Westminst")
    # Suggestions arrive as one types.
    page.wait_for_function(
        "() => [...document.querySelectorAll('#council-suggestions option')]"
        ".some(o => o.value === 'Westminster')"
    )
    page.keyboard.type("er")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/doc/authority/{WESTMINSTER}")
    assert page.locator("h1").text_content() == "City of Westminster"
    assert page.locator("#history-heading").is_visible()
    assert page.locator("dd.completeness").count() == 2


def test_the_table_sorts_from_the_keyboard(page: sync_api.Page) -> None:
    page.goto("/")
    page.wait_for_selector("html[data-ready=true]")
    tab_to(page, "th[data-key=percentage] a")
    page.keyboard.press("Enter")
    header = page.locator("th[data-key=percentage]")
    assert header.get_attribute("aria-sort") == "ascending"
    index = header.evaluate("th => th.cellIndex")
    column = f"#councils tbody tr td:nth-child({index + 1})"
    values = [float(t) for t in page.locator(column).all_text_contents() if t.strip()]
    assert len(values) >= 2 and values == sorted(values)
    page.keyboard.press("Enter")  # the focus stays on the heading: again sorts the other way
    assert header.get_attribute("aria-sort") == "descending"
    values = [float(t) for t in page.locator(column).all_text_contents() if t.strip()]
    assert values == sorted(values, reverse=True)
    assert "sort=percentage" in page.url and "order=desc" in page.url


def test_compare_from_the_keyboard_and_download_a_table(
    page: sync_api.Page, pages_server: RunningServer
) -> None:
    page.goto("/")
    page.wait_for_selector("html[data-ready=true]")
    tab_to(page, "a[href='/compare']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/compare")
    page.wait_for_selector("html[data-ready=true]")
    tab_to(page, "#compare-1")
    page.keyboard.type("Westminster")
    page.keyboard.press("Tab")
    page.keyboard.type("Hammersmith & Fulham")
    page.keyboard.press("Enter")
    page.wait_for_selector("svg.chart.compare")
    assert page.locator("h1").text_content() == "Westminster, Hammersmith and Fulham side by side"
    tab_to(page, "#table-gaps ~ p.downloads a")
    with page.expect_download() as caught:
        page.keyboard.press("Enter")
    path = caught.value.path()
    rows = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    shown = page.locator("table.compare.gaps tbody tr").count()
    assert rows[0][:3] == ["Topic", "Shared by", "Councils"]
    assert len(rows) - 1 == shown > 0


def test_pages_read_without_javascript(no_script: sync_api.Page) -> None:
    page = no_script
    page.goto("/")
    rows = page.locator("#councils tbody tr").count()
    assert rows >= 4
    assert page.locator("svg.chart.map circle").count() == 153
    # Sorting without scripts: the heading is a link the server answers.
    page.click("th[data-key=percentage] a")
    page.wait_for_url("**sort=percentage**")
    values = [float(t) for t in page.locator("#councils tbody td.num").all_text_contents()[:1] if t]
    assert page.locator("th[data-key=percentage]").get_attribute("aria-sort") == "ascending"
    assert values
    # Filtering without scripts: the form is a plain GET.
    page.select_option("#filter-region", "London")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**region=London**")
    assert 0 < page.locator("#councils tbody tr").count() < rows
    # A council by name, and a comparison, through the plain forms.
    page.fill("#find-council", "City of Westminster")
    page.press("#find-council", "Enter")
    page.wait_for_url(f"**/doc/authority/{WESTMINSTER}")
    assert page.locator("#history-heading").is_visible()
    page.goto("/compare")
    page.fill("#compare-1", "Camden")
    page.fill("#compare-2", "birmingham-cc")
    page.click("form.compare-form button[type=submit]")
    page.wait_for_selector("table.compare.scores")
    assert page.locator("table.compare.scores thead th").all_text_contents()[2:] == [
        "Camden",
        "Birmingham",
    ]


def test_a_name_that_fits_several_councils_lists_them(
    page: sync_api.Page, pages_server: RunningServer
) -> None:
    page.goto("/")
    page.fill("#find-council", "Sussex")
    page.press("#find-council", "Enter")
    page.wait_for_selector("ul.candidates")
    names = page.locator("ul.candidates a").all_text_contents()
    assert names == ["East Sussex County Council", "West Sussex County Council"]
    # The answer says so by its status too (300 Multiple Choices).
    status = httpx.get(f"{pages_server.url}/council", params={"authority": "Sussex"}).status_code
    assert status == 300
