"""The web UI in a real headless browser (Debian's chromium driven by Playwright): the query page,
and the home, council and compare pages with the keyboard only, with scripts on and off."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from chromium import BROWSER_TESTS
from conftest import RunningServer

pytestmark = BROWSER_TESTS
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def page(browser: sync_api.Browser, ld_server: RunningServer) -> Iterator[sync_api.Page]:
    """A fresh page on the UI that fails the test on console errors or off-server requests."""
    context = browser.new_context(base_url=ld_server.url)
    opened = context.new_page()
    errors: list[str] = []
    elsewhere: list[str] = []
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda e: errors.append(str(e)))
    opened.on(
        "request",
        lambda r: None if r.url.startswith(ld_server.url) else elsewhere.append(r.url),
    )
    opened.goto("/query")
    opened.wait_for_selector("html[data-ready=true]")
    yield opened
    context.close()
    assert not elsewhere, f"the UI reached beyond its server: {elsewhere}"
    # A 4xx answer the page shows as an error is logged by the browser too; nothing else may be.
    assert not [e for e in errors if "the server responded with a status of 4" not in e], errors


def test_the_ui_runs_a_named_question_and_shows_rows(
    page: sync_api.Page, ld_server: RunningServer
) -> None:
    expected = httpx.get(
        f"{ld_server.url}/api/questions/scores", params={"authority": "E09000033"}
    ).json()
    page.select_option("#question-name", "scores")
    page.fill("#param-authority", "E09000033")
    page.click("#question-run")
    page.wait_for_selector("#results table tbody tr")
    headers = page.locator("#results thead th").all_text_contents()
    assert headers == expected["columns"]
    assert page.locator("#results tbody tr").count() == len(expected["rows"]) > 0
    assert set(page.locator("#results tbody tr td:first-child").all_text_contents()) == {
        "E09000033"
    }
    csv = page.locator("#downloads a", has_text="CSV").get_attribute("href") or ""
    assert csv.startswith("/api/questions/scores?") and "format=csv" in csv


def test_an_example_runs_as_sparql_with_downloads_and_links(page: sync_api.Page) -> None:
    page.click("button.example[data-question='strategies-addressing-gaps']")
    page.wait_for_selector("#results table tbody tr")
    assert "strategies-addressing-gaps" in page.input_value("#query")
    assert page.locator("#results tbody tr").count() > 0
    formats = [
        (a.get_attribute("href") or "").rsplit("format=", 1)[-1]
        for a in page.locator("#downloads a").all()
    ]
    assert formats == ["csv", "tsv", "json", "xml"]
    assert page.locator("#error").is_hidden()


def test_a_construct_query_offers_rdf_downloads(page: sync_api.Page) -> None:
    page.fill(
        "#query",
        "CONSTRUCT { ?s ?p ?o } WHERE { "
        "?s ?p ?o FILTER (?s = <https://w3id.org/cqc-kg/id/authority/E09000033>) }",
    )
    page.click("#run")
    page.wait_for_selector("#results table tbody tr")
    assert page.locator("#results thead th").all_text_contents() == [
        "subject",
        "predicate",
        "object",
    ]
    formats = [
        (a.get_attribute("href") or "").rsplit("format=", 1)[-1]
        for a in page.locator("#downloads a").all()
    ]
    assert formats == ["turtle", "ntriples", "jsonld", "rdfxml"]


def test_errors_are_shown_inline(page: sync_api.Page) -> None:
    page.fill("#query", "SELECT ?x WHERE { ?x ?y }")
    page.click("#run")
    error = page.locator("#error")
    error.wait_for(state="visible")
    assert "bad query" in error.text_content()
    page.select_option("#question-name", "gaps")
    page.fill("#param-authority", "Tyneside")
    page.click("#question-run")
    page.locator("#error", has_text="could be any of 2 councils").wait_for()
    assert "North Tyneside Council" in (page.locator("#error").text_content() or "")
    assert page.locator("#results table").count() == 0


def test_the_question_form_takes_a_council_by_name(page: sync_api.Page) -> None:
    page.select_option("#question-name", "scores")
    page.fill("#param-authority", "City of Westminster")
    page.click("#question-run")
    page.wait_for_selector("#results table tbody tr")
    cells = page.locator("#results tbody tr td:first-child").all_text_contents()
    assert cells and set(cells) == {"E09000033"}


def test_result_iris_link_to_their_pages(page: sync_api.Page) -> None:
    page.click("#run")  # the editor's starting query lists assessments
    page.wait_for_selector("#results table tbody tr")
    link = page.locator("#results tbody a[href^='/id/assessment/']").first
    link.click()
    page.wait_for_selector("h1")
    assert "/doc/assessment/" in page.url
    assert page.locator("svg.chart.scores").count() == 1
